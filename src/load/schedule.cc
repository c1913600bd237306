#include "load/schedule.h"

#include <algorithm>
#include <cmath>
#include <span>

namespace fourdollar::load {

namespace {

// The stages of an execution and the value before the first: constant forms become one flat
// stage. A view into the execution (or into `flat`), so the per-arrival arithmetic allocates
// nothing.
struct StagesView {
  double start = 0;
  std::span<const scenario::Stage> stages;
};

StagesView StagesOf(const scenario::Execution& e, scenario::Stage* flat) {
  switch (e.model) {
    case scenario::Execution::Model::kRampingVus:
      return {0, e.stages};
    case scenario::Execution::Model::kRampingRate:
      return {e.start_rate, e.stages};
    case scenario::Execution::Model::kConstantVus:
      *flat = scenario::Stage{e.duration_ms, static_cast<double>(e.vus)};
      return {flat->target, std::span<const scenario::Stage>(flat, 1)};
    case scenario::Execution::Model::kConstantRate:
      *flat = scenario::Stage{e.duration_ms, e.rate};
      return {e.rate, std::span<const scenario::Stage>(flat, 1)};
  }
  return {};
}

}  // namespace

double TargetAt(const scenario::Execution& execution, int64_t elapsed_ms) {
  scenario::Stage flat;
  const StagesView view = StagesOf(execution, &flat);
  double value = view.start;
  int64_t stage_start = 0;
  for (const scenario::Stage& s : view.stages) {
    if (elapsed_ms < stage_start + s.duration_ms) {
      double fraction =
          static_cast<double>(elapsed_ms - stage_start) / static_cast<double>(s.duration_ms);
      return value + (s.target - value) * fraction;
    }
    stage_start += s.duration_ms;
    value = s.target;
  }
  return 0;
}

VuStep VusAt(const scenario::Execution& execution, int64_t elapsed_us) {
  constexpr double kSlack = 1e-9;  // as the ramp's whole numbers are read where TargetAt is used
  scenario::Stage flat;
  const StagesView view = StagesOf(execution, &flat);
  double from = view.start;
  int64_t stage_start = 0;
  for (const scenario::Stage& s : view.stages) {
    const int64_t length = s.duration_ms * 1000;
    const int64_t stage_end = stage_start + length;
    if (elapsed_us < stage_end) {
      const double span = s.target - from;
      const double at =
          from + span * static_cast<double>(elapsed_us - stage_start) / static_cast<double>(length);
      VuStep step{static_cast<int64_t>(std::floor(at + kSlack)), stage_end};
      if (span != 0) {
        // Up: when the target reaches vus + 1; down: when it falls below vus.
        const double goal = static_cast<double>(span > 0 ? step.vus + 1 : step.vus) - kSlack;
        const double when =
            static_cast<double>(stage_start) + (goal - from) * static_cast<double>(length) / span;
        const int64_t next =
            span > 0 ? static_cast<int64_t>(std::ceil(when)) : static_cast<int64_t>(when) + 1;
        step.next_us = std::clamp<int64_t>(next, elapsed_us + 1, stage_end);
      }
      return step;
    }
    stage_start = stage_end;
    from = s.target;
  }
  return {};
}

int64_t VusInSegment(int64_t total, Segment segment) {
  int64_t first = segment.index - 1;
  if (total <= first) return 0;
  return (total - first + segment.count - 1) / segment.count;
}

int64_t GlobalVu(int64_t local, Segment segment) {
  return local * segment.count + (segment.index - 1);
}

ScenarioPicker::ScenarioPicker(const std::vector<double>& weights) {
  std::vector<int64_t> whole;
  double sum = 0;
  bool integral = true;
  for (double w : weights) {
    sum += w;
    integral = integral && w == std::floor(w);
  }
  for (double w : weights) {
    whole.push_back(integral && sum <= 100000
                        ? static_cast<int64_t>(w)
                        : std::max<int64_t>(1, std::llround(w / sum * 10000)));
  }
  int64_t total = 0;
  for (int64_t w : whole) total += w;
  // Smooth weighted round-robin: each step, every scenario earns its weight and the richest is
  // chosen and pays the total. Every prefix is then within one of its exact share.
  std::vector<int64_t> credit(whole.size(), 0);
  cycle_.reserve(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    size_t chosen = 0;
    for (size_t s = 0; s < whole.size(); ++s) {
      credit[s] += whole[s];
      if (credit[s] > credit[chosen]) chosen = s;
    }
    credit[chosen] -= total;
    cycle_.push_back(static_cast<uint32_t>(chosen));
  }
  if (cycle_.empty()) cycle_.push_back(0);
}

int64_t ArrivalTimeUs(const scenario::Execution& execution, int64_t m) {
  scenario::Stage flat;
  const StagesView view = StagesOf(execution, &flat);
  double rate = view.start;
  // Arrival m is due when the cumulative count of arrivals reaches m (the first at time 0 when
  // the rate starts above zero).
  double remaining = static_cast<double>(m);
  double stage_start_us = 0;
  for (const scenario::Stage& s : view.stages) {
    double seconds = static_cast<double>(s.duration_ms) / 1000.0;
    double r0 = rate;
    double r1 = s.target;
    double count = (r0 + r1) / 2 * seconds;
    if (remaining < count || (remaining == 0 && (r0 > 0 || r1 > 0))) {
      double slope = (r1 - r0) / seconds;  // per second squared
      double t = 0;
      if (std::fabs(slope) < 1e-12) {
        t = remaining / r0;
      } else {
        // r0 t + slope t^2 / 2 = remaining
        double disc = r0 * r0 + 2 * slope * remaining;
        t = (-r0 + std::sqrt(std::max(0.0, disc))) / slope;
      }
      return static_cast<int64_t>(stage_start_us + t * 1e6);
    }
    remaining -= count;
    stage_start_us += seconds * 1e6;
    rate = r1;
  }
  return -1;
}

}  // namespace fourdollar::load
