// A cheap search for a counterexample to an output property before any solver runs: random points,
// then hill-climbing on how far each disjunct of the violation is from holding. The networks are
// evaluated concretely (the QNN exactly, the DNN in double); `accept` decides exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "quant/qnetwork.h"
#include "spec/output_property.h"
#include "spec/region.h"

namespace qeb::property {

/**
 * Looks in `box` for an input that satisfies a disjunct of `violation`: the box's midpoint and
 * corners and `samples` random points, then up to `samples` hill-climbing evaluations spread over
 * the disjuncts. Candidates (a disjunct holds in double arithmetic, or nearly) go to `accept`; the
 * first it accepts is returned. Never proves anything.
 */
std::optional<std::vector<int64_t>> attack(const quant::ModelPair& pair, const spec::Box& box,
                                           const spec::OutputProperty& violation, spec::OutputsOf which,
                                           uint64_t samples, uint64_t seed,
                                           const std::function<bool(const std::vector<int64_t>&)>& accept);

}  // namespace qeb::property
