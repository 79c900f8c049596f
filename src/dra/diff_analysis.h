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
 */
DraResult run_dra(const quant::ModelPair& pair, const spec::Box& box, const DraOptions& options = {});

}  // namespace qeb::dra
