#include "support/test_certificates.h"

#include <stdexcept>

namespace fourdollar::test_support {

TestCa::TestCa(const std::string& dir, const std::string& name) {
  Result<std::unique_ptr<net::PrivateCa>> ca = net::PrivateCa::Create(dir, name);
  if (!ca) throw std::runtime_error("test certificates: " + ca.error().message);
  ca_ = std::move(*ca);
}

TestCa::~TestCa() = default;

const std::string& TestCa::ca_file() const { return ca_->ca_file(); }

CertificateFiles TestCa::Issue(const std::string& file_stem, const CertificateSpec& spec) {
  Result<CertificateFiles> files = ca_->Issue(file_stem, {.hosts = spec.hosts,
                                                          .rsa = spec.rsa,
                                                          .expired = spec.expired,
                                                          .common_name = spec.common_name});
  if (!files) throw std::runtime_error("test certificates: " + files.error().message);
  return *files;
}

}  // namespace fourdollar::test_support
