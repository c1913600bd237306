// Reads samples out of the Prometheus text exposition format that GET /metrics returns.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fourdollar::e2e {

// The value of the sample named `name` whose labels include every label in `labels` (other
// labels may be present too; label order does not matter). When several samples match, their
// values are summed; nullopt when none does.
std::optional<double> FindSample(std::string_view text, std::string_view name,
                                 const std::map<std::string, std::string>& labels = {});

}  // namespace fourdollar::e2e
