// How a scenario file says its virtual users connect: `tls:`, `connections:` and
// `source_addresses:`. Internal to the scenario loader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_yaml.h"

namespace fourdollar::scenario {

// `tls: {ca: FILE, insecure: true, server_name: NAME}`.
bool ReadTls(YamlReader& reader, const YAML::Node& node, TlsSettings* out);
// keep-alive | per-iteration | per-iteration-resumed.
bool ReadConnections(YamlReader& reader, const YAML::Node& node, std::string_view field,
                     Connections* out);
// A list of addresses or "FIRST-LAST" IPv4 ranges (or one such string), expanded in order;
// at most kMaxSourceAddresses in all.
bool ReadSourceAddresses(YamlReader& reader, const YAML::Node& node, std::vector<std::string>* out);
inline constexpr size_t kMaxSourceAddresses = 65536;

}  // namespace fourdollar::scenario
