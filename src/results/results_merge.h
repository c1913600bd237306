// Merges the results of generators that ran segments of one test.
#pragma once

#include <vector>

#include "base/result.h"
#include "results/results.h"

namespace fourdollar::results {

// Merges segments of one test (run by several generators) into one: request names matched by
// text, seconds aligned by wall-clock time (a segment's second s lands at merged second
// floor((its start_unix_ms + 1000 s - earliest start_unix_ms) / 1000)), histograms merged
// exactly, counts, VUs and rates summed, the server and generator samples the largest of the
// segments', thresholds of the first segment evaluated again on the merged figures, and the
// segments' start_at_unix_ms when they all have the same one (else 0). Errors:
// no segments, or segments of different format versions or execution models.
Result<Results> MergeResults(const std::vector<Results>& segments);

}  // namespace fourdollar::results
