// Differential reachability analysis (QEBVerif, CAV 2023; spec section 3): bounds on
// QNN - DNN for every neuron of both networks over an integer input region.
#pragma once

#include "dra/dra_options.h"
#include "dra/dra_result.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::dra {

/**
 * Runs the analysis in `options.mode` under `options.semantics`. Under SOUND every interval
 * contains every value the quantity takes over the box (rounding included).
 *
 * `within` (SOUND only) restricts the region to the points of the box where every neuron lies in
 * within's bounds (DNN pre-activations, QNN integer pre-activations, hidden and output
 * differences): the bounds of a parent region, narrowed where a branch-and-bound split fixed a
 * phase or a range. Every bound computed is intersected with them before it is used further on,
 * so a fixed phase removes that neuron's relaxation downstream. If an intersection is empty the
 * result is `infeasible`.
 */
DraResult run_dra(const quant::ModelPair& pair, const spec::Box& box, const DraOptions& options = {},
                  const DraResult* within = nullptr);

}  // namespace qeb::dra
