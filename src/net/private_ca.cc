#include "net/private_ca.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include "net/tls_context.h"

namespace fourdollar::net {

namespace {

constexpr long kDaySeconds = 86400;

Error Failed(const std::string& what) {
  const std::string reason = TakeOpenSslError();
  return Error{ErrorCode::kIo, "certificate: " + what + (reason.empty() ? "" : ": " + reason)};
}

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Result<Key> NewKey(bool rsa) {
  Key key(rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256"));
  if (key == nullptr) return tl::unexpected(Failed("key generation"));
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  const bool added = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  if (!added) return tl::unexpected(Failed("extension " + value));
  return {};
}

Result<Cert> NewCert(EVP_PKEY* key, const std::string& common_name, long not_before_s,
                     long not_after_s, long serial) {
  Cert cert(X509_new());
  if (cert == nullptr) return tl::unexpected(Failed("X509_new"));
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_s);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

Status WritePem(const std::string& file, X509* cert, X509* chain, EVP_PKEY* key) {
  std::FILE* f = std::fopen(file.c_str(), "w");
  if (f == nullptr) return ErrnoError("cannot write " + file, errno);
  bool ok = true;
  if (cert != nullptr) ok = ok && PEM_write_X509(f, cert) == 1;
  if (chain != nullptr) ok = ok && PEM_write_X509(f, chain) == 1;
  if (key != nullptr)
    ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return tl::unexpected(Failed("writing " + file));
  return {};
}

}  // namespace

Result<std::unique_ptr<PrivateCa>> PrivateCa::Create(const std::string& dir,
                                                     const std::string& name) {
  std::unique_ptr<PrivateCa> ca(new PrivateCa());
  ca->dir_ = dir;
  ca->ca_file_ = dir + "/" + name + "-ca.crt";
  Result<Key> key = NewKey(false);
  if (!key) return tl::unexpected(key.error());
  Result<Cert> cert = NewCert(key->get(), name + " CA", -kDaySeconds, 30 * kDaySeconds, 1);
  if (!cert) return tl::unexpected(cert.error());
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,keyCertSign,cRLSign"},
                            {NID_subject_key_identifier, "hash"}}) {
    if (Status added = AddExtension(c, c, nid, value); !added) return tl::unexpected(added.error());
  }
  if (X509_sign(c, key->get(), EVP_sha256()) == 0) return tl::unexpected(Failed("CA signature"));
  if (Status written = WritePem(ca->ca_file_, c, nullptr, nullptr); !written) {
    return tl::unexpected(written.error());
  }
  ca->key_ = key->release();
  ca->cert_ = cert->release();
  return ca;
}

PrivateCa::~PrivateCa() {
  X509_free(static_cast<X509*>(cert_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

Result<CertificateFiles> PrivateCa::Issue(const std::string& file_stem,
                                          const CertificateSpec& spec) {
  X509* ca = static_cast<X509*>(cert_);
  Result<Key> key = NewKey(spec.rsa);
  if (!key) return tl::unexpected(key.error());
  const long from = spec.expired ? -2 * kDaySeconds : -3600;
  const long until = spec.expired ? -kDaySeconds : spec.valid_days * kDaySeconds;
  Result<Cert> cert = NewCert(key->get(), spec.common_name, from, until, ++serial_);
  if (!cert) return tl::unexpected(cert.error());
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(ca));
  std::string names;
  for (const std::string& host : spec.hosts) {
    if (!names.empty()) names += ",";
    const bool ip = host.find_first_not_of("0123456789.:") == std::string::npos;
    names += (ip ? "IP:" : "DNS:") + host;
  }
  if (!names.empty()) {
    if (Status added = AddExtension(c, ca, NID_subject_alt_name, names); !added) {
      return tl::unexpected(added.error());
    }
  }
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "CA:FALSE"},
                            {NID_ext_key_usage, "serverAuth"},
                            {NID_authority_key_identifier, "keyid"}}) {
    if (Status added = AddExtension(c, ca, nid, value); !added)
      return tl::unexpected(added.error());
  }
  if (X509_sign(c, static_cast<EVP_PKEY*>(key_), EVP_sha256()) == 0) {
    return tl::unexpected(Failed("signature"));
  }
  CertificateFiles files{dir_ + "/" + file_stem + ".crt", dir_ + "/" + file_stem + ".key"};
  if (Status written = WritePem(files.cert, c, ca, nullptr); !written) {
    return tl::unexpected(written.error());
  }
  if (Status written = WritePem(files.key, nullptr, nullptr, key->get()); !written) {
    return tl::unexpected(written.error());
  }
  ::chmod(files.key.c_str(), 0600);  // a private key readable by its owner only
  return files;
}

}  // namespace fourdollar::net
