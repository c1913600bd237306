// Certificates made at test time (net::PrivateCa): a private CA and server certificates it
// signs (ECDSA P-256 or RSA 2048; valid, expired, or for another host), written as PEM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/private_ca.h"

namespace fourdollar::test_support {

using CertificateFiles = net::CertificateFiles;

struct CertificateSpec {
  std::vector<std::string> hosts = {"localhost", "127.0.0.1"};  // names and IP addresses
  bool rsa = false;                                             // RSA 2048 instead of P-256
  bool expired = false;  // valid from two days ago until yesterday
  std::string common_name = "fourdollar test server";
};

// Not thread-safe. Throws std::runtime_error when OpenSSL fails (a broken test machine).
class TestCa {
 public:
  // Makes a CA key and self-signed certificate in `dir`; `name` prefixes the files.
  TestCa(const std::string& dir, const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  // The CA's certificate, to trust (scenario `tls: {ca: ...}`).
  const std::string& ca_file() const;
  // Issues a server certificate as `file_stem`.crt and `file_stem`.key in the CA's folder.
  CertificateFiles Issue(const std::string& file_stem, const CertificateSpec& spec = {});

 private:
  std::unique_ptr<net::PrivateCa> ca_;
};

}  // namespace fourdollar::test_support
