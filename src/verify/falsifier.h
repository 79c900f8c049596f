// A cheap attack before any solver runs: sampling and hill-climbing on the concrete networks
// (the oracle's search). Whatever it finds is exact; it never proves anything.
#pragma once

#include <optional>
#include <vector>

#include "quant/qnetwork.h"
#include "spec/region.h"
#include "verify/verify_result.h"

namespace qeb::verify {

/**
 * Looks for an input of the box where |QNN_k - DNN_k| > eps for one of `outputs`, with about
 * `samples` random points plus as many hill-climbing steps per output and direction, visiting
 * `starts` first (the climbs begin at the best point found), for at most `seconds` (0: no limit).
 * The result, if any, is recomputed exactly.
 */
std::optional<Counterexample> attack(const quant::ModelPair& pair, const spec::Box& box,
                                     const std::vector<std::size_t>& outputs, const Rational& eps, uint64_t samples,
                                     uint64_t seed = 1, const std::vector<std::vector<int64_t>>& starts = {},
                                     double seconds = 0);

}  // namespace qeb::verify
