// A private certificate authority made with OpenSSL's C API: a CA key and self-signed
// certificate, and server certificates it signs (ECDSA P-256 or RSA 2048; valid, expired, or for
// other hosts), all written as PEM. `fourdollar bench --tls` makes a throwaway one for its
// server; the tests make theirs with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace fourdollar::net {

struct CertificateFiles {
  std::string cert;  // PEM: the certificate, then the CA's (a chain, as an ACME client writes)
  std::string key;   // PEM: its private key
};

struct CertificateSpec {
  std::vector<std::string> hosts = {"localhost", "127.0.0.1"};  // names and IP addresses
  bool rsa = false;                                             // RSA 2048 instead of P-256
  bool expired = false;  // valid from two days ago until yesterday
  std::string common_name = "fourdollar server";
  int valid_days = 7;  // from an hour ago, when not expired
};

// Not thread-safe. Owns the CA's key.
class PrivateCa {
 public:
  // Makes an ECDSA P-256 CA, valid for 30 days, and writes its certificate to
  // DIR/NAME-ca.crt. Errors name the file or the OpenSSL step that failed.
  static Result<std::unique_ptr<PrivateCa>> Create(const std::string& dir, const std::string& name);
  ~PrivateCa();
  PrivateCa(const PrivateCa&) = delete;
  PrivateCa& operator=(const PrivateCa&) = delete;

  // The CA's certificate, to trust (scenario `tls: {ca: ...}`).
  const std::string& ca_file() const { return ca_file_; }
  // Issues a server certificate as DIR/FILE_STEM.crt (with the CA's after it) and
  // DIR/FILE_STEM.key.
  Result<CertificateFiles> Issue(const std::string& file_stem, const CertificateSpec& spec = {});

 private:
  PrivateCa() = default;

  std::string dir_;
  std::string ca_file_;
  void* key_ = nullptr;   // EVP_PKEY*
  void* cert_ = nullptr;  // X509*
  long serial_ = 100;
};

}  // namespace fourdollar::net
