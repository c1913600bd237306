#include "scenario/scenario.h"

namespace fourdollar::scenario {

int64_t Execution::TotalDurationMs() const {
  switch (model) {
    case Model::kRampingVus:
    case Model::kRampingRate: {
      int64_t total_ms = 0;
      for (const Stage& stage : stages) total_ms += stage.duration_ms;
      return total_ms;
    }
    case Model::kConstantVus:
    case Model::kConstantRate:
      return duration_ms;
  }
  return 0;
}

const char* ExecutionModelName(Execution::Model model) {
  switch (model) {
    case Execution::Model::kRampingVus:
      return "ramping-vus";
    case Execution::Model::kConstantVus:
      return "constant-vus";
    case Execution::Model::kConstantRate:
      return "constant-arrival-rate";
    case Execution::Model::kRampingRate:
      return "ramping-arrival-rate";
  }
  return "unknown";
}

const char* ConnectionsName(Connections connections) {
  switch (connections) {
    case Connections::kKeepAlive:
      return "keep-alive";
    case Connections::kPerIteration:
      return "per-iteration";
    case Connections::kPerIterationResumed:
      return "per-iteration-resumed";
  }
  return "keep-alive";
}

}  // namespace fourdollar::scenario
