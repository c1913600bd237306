#include "scenario/scenario_connections.h"

#include <arpa/inet.h>

#include <cstdint>

namespace fourdollar::scenario {

namespace {

bool IsAddress(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// One list item: an address, or an IPv4 range FIRST-LAST with FIRST <= LAST.
bool ExpandOne(YamlReader& reader, const YAML::Node& node, std::string_view field,
               std::vector<std::string>* out) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  const size_t dash = text.find('-');
  if (dash == std::string::npos) {
    if (!IsAddress(text)) {
      return reader.Fail(node, field, "\"" + text + "\" is not an IPv4 or IPv6 address");
    }
    out->push_back(text);
    return true;
  }
  const std::string first = text.substr(0, dash);
  const std::string last = text.substr(dash + 1);
  in_addr a{}, b{};
  if (inet_pton(AF_INET, first.c_str(), &a) != 1 || inet_pton(AF_INET, last.c_str(), &b) != 1) {
    return reader.Fail(node, field,
                       "\"" + text +
                           "\" is not a range of IPv4 addresses like "
                           "127.0.0.2-127.0.0.250");
  }
  const uint32_t from = ntohl(a.s_addr);
  const uint32_t to = ntohl(b.s_addr);
  if (from > to)
    return reader.Fail(node, field, "\"" + text + "\": the range ends before it starts");
  if (to - from >= kMaxSourceAddresses - out->size()) {
    return reader.Fail(node, field,
                       "more than " + std::to_string(kMaxSourceAddresses) + " source addresses");
  }
  for (uint64_t address = from; address <= to; ++address) {
    in_addr one{htonl(static_cast<uint32_t>(address))};
    char buffer[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &one, buffer, sizeof buffer);
    out->emplace_back(buffer);
  }
  return true;
}

}  // namespace

bool ReadTls(YamlReader& reader, const YAML::Node& node, TlsSettings* out) {
  if (!reader.CheckMap(node, "tls", {"ca", "insecure", "server_name"})) return false;
  if (const YAML::Node ca = node["ca"]) {
    if (!reader.ReadString(ca, "tls.ca", &out->ca)) return false;
    if (out->ca.empty()) return reader.Fail(ca, "tls.ca", "empty file name");
  }
  if (const YAML::Node insecure = node["insecure"]) {
    if (!reader.ReadBool(insecure, "tls.insecure", &out->insecure)) return false;
  }
  if (const YAML::Node name = node["server_name"]) {
    if (!reader.ReadString(name, "tls.server_name", &out->server_name)) return false;
    if (out->server_name.empty()) return reader.Fail(name, "tls.server_name", "empty name");
  }
  if (out->insecure && !out->ca.empty()) {
    return reader.Fail(node, "tls", "ca and insecure: true contradict each other; give one");
  }
  return true;
}

bool ReadConnections(YamlReader& reader, const YAML::Node& node, std::string_view field,
                     Connections* out) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  for (Connections c :
       {Connections::kKeepAlive, Connections::kPerIteration, Connections::kPerIterationResumed}) {
    if (text == ConnectionsName(c)) {
      *out = c;
      return true;
    }
  }
  return reader.Fail(
      node, field,
      "expected keep-alive, per-iteration or per-iteration-resumed, got \"" + text + "\"");
}

bool ReadSourceAddresses(YamlReader& reader, const YAML::Node& node,
                         std::vector<std::string>* out) {
  const std::string field = "source_addresses";
  if (node.IsScalar()) return ExpandOne(reader, node, field, out);
  if (!node.IsSequence() || node.size() == 0) {
    return reader.Fail(node, field, "expected a list of addresses or ranges");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    if (!ExpandOne(reader, node[i], IndexOf(field, i), out)) return false;
  }
  return true;
}

}  // namespace fourdollar::scenario
