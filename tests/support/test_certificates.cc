#include "support/test_certificates.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <stdexcept>

namespace fourdollar::test_support {

namespace {

constexpr long kDaySeconds = 86400;

[[noreturn]] void Fail(const std::string& what) {
  unsigned long code = ERR_get_error();
  char text[256] = "";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  throw std::runtime_error("test certificates: " + what + ": " + text);
}

EVP_PKEY* NewKey(bool rsa) {
  EVP_PKEY* key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (key == nullptr) Fail("key generation");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) Fail("extension " + value);
  X509_EXTENSION_free(ext);
}

X509* NewCert(EVP_PKEY* key, const std::string& common_name, long not_before_s, long not_after_s,
              long serial) {
  X509* cert = X509_new();
  if (cert == nullptr) Fail("X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(cert), not_after_s);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

void WritePem(const std::string& file, X509* cert, X509* chain, EVP_PKEY* key) {
  std::FILE* f = std::fopen(file.c_str(), "w");
  if (f == nullptr) Fail("cannot write " + file);
  bool ok = true;
  if (cert != nullptr) ok = ok && PEM_write_X509(f, cert) == 1;
  if (chain != nullptr) ok = ok && PEM_write_X509(f, chain) == 1;
  if (key != nullptr)
    ok = ok && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  if (!ok) Fail("PEM write " + file);
}

}  // namespace

TestCa::TestCa(const std::string& dir, const std::string& name)
    : dir_(dir), ca_file_(dir + "/" + name + "-ca.crt") {
  EVP_PKEY* key = NewKey(false);
  X509* cert = NewCert(key, name + " test CA", -kDaySeconds, 30 * kDaySeconds, 1);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert, cert, NID_subject_key_identifier, "hash");
  if (X509_sign(cert, key, EVP_sha256()) == 0) Fail("CA signature");
  key_ = key;
  cert_ = cert;
  WritePem(ca_file_, cert, nullptr, nullptr);
}

TestCa::~TestCa() {
  X509_free(static_cast<X509*>(cert_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

CertificateFiles TestCa::Issue(const std::string& file_stem, const CertificateSpec& spec) {
  static long serial = 100;
  X509* ca = static_cast<X509*>(cert_);
  EVP_PKEY* key = NewKey(spec.rsa);
  long from = spec.expired ? -2 * kDaySeconds : -3600;
  long until = spec.expired ? -kDaySeconds : 7 * kDaySeconds;
  X509* cert = NewCert(key, spec.common_name, from, until, ++serial);
  X509_set_issuer_name(cert, X509_get_subject_name(ca));
  std::string names;
  for (const std::string& host : spec.hosts) {
    if (!names.empty()) names += ",";
    bool ip = host.find_first_not_of("0123456789.:") == std::string::npos;
    names += (ip ? "IP:" : "DNS:") + host;
  }
  if (!names.empty()) AddExtension(cert, ca, NID_subject_alt_name, names);
  AddExtension(cert, ca, NID_basic_constraints, "CA:FALSE");
  AddExtension(cert, ca, NID_ext_key_usage, "serverAuth");
  AddExtension(cert, ca, NID_authority_key_identifier, "keyid");
  if (X509_sign(cert, static_cast<EVP_PKEY*>(key_), EVP_sha256()) == 0) Fail("signature");
  CertificateFiles files{dir_ + "/" + file_stem + ".crt", dir_ + "/" + file_stem + ".key"};
  WritePem(files.cert, cert, ca, nullptr);
  WritePem(files.key, nullptr, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace fourdollar::test_support
