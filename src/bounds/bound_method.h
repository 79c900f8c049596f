// Bound methods behind one call (the seam of issue 14): sound bounds of every neuron of both
// networks and of every output difference over a subproblem (a box plus neuron restrictions).
// verify, max-error, partitioning, emit and the dra command bound through here; branch and bound
// calls DRA within a parent's bounds and keeps its own LP per worker (lp/lp_bounder.h), since it
// also needs the LP's basis and optimum.
#pragma once

#include <string>
#include <vector>

#include "bounds/subproblem.h"
#include "dra/dra_result.h"
#include "quant/qnetwork.h"

namespace qeb::bounds {

/** DRA in one of QEBVerif's modes (sound semantics), or DRA then the LP relaxation. */
enum class Method { DRA_BASE, DRA_CON, DRA_SYM, LP };
const char* to_string(Method m);  ///< "dra-base", "dra-con", "dra-sym", "lp"
/** Parses the names above; throws OptionError otherwise. */
Method parse_method(const std::string& name);

struct BoundOptions {
  bool difference_cuts = true;     ///< LP: QEBVerif's +Diff cuts
  double tighten_seconds = 0;      ///< LP: optimisation-based tightening of hidden neurons first (0: none)
  std::vector<std::size_t> outputs;  ///< LP: outputs whose difference is bounded by LP (empty: all)
};

/**
 * Sound bounds over the subproblem: run_dra within sub.within() (the sound semantics; Sym for LP),
 * then for LP the rigorous LP bounds of each output difference (and tightened hidden neurons)
 * intersected in. `infeasible` is set when the restrictions leave no point.
 */
dra::DraResult bound(const quant::ModelPair& pair, const Subproblem& sub, Method method,
                     const BoundOptions& options = {});

}  // namespace qeb::bounds
