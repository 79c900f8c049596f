#include "bounds/bound_method.h"

#include <chrono>

#include "core/deadline.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include "lp/lp_bounder.h"

namespace qeb::bounds {

const char* to_string(Method m) {
  switch (m) {
    case Method::DRA_BASE: return "dra-base";
    case Method::DRA_CON: return "dra-con";
    case Method::DRA_SYM: return "dra-sym";
    case Method::LP: return "lp";
  }
  return "?";
}

Method parse_method(const std::string& name) {
  for (Method m : {Method::DRA_BASE, Method::DRA_CON, Method::DRA_SYM, Method::LP})
    if (name == to_string(m)) return m;
  throw OptionError("unknown bound method '" + name + "'; choose dra-base, dra-con, dra-sym or lp");
}

dra::DraResult bound(const quant::ModelPair& pair, const Subproblem& sub, Method method, const BoundOptions& options) {
  dra::DraMode mode = method == Method::DRA_BASE ? dra::DraMode::BASE
                    : method == Method::DRA_CON  ? dra::DraMode::CON
                                                 : dra::DraMode::SYM;
  dra::DraResult result = dra::run_dra(pair, sub.box(), {mode, dra::Semantics::SOUND, true}, sub.within().get());
  if (method != Method::LP || result.infeasible || pair.qnn.layers.size() < 2) return result;
  // The LP's structure comes from these bounds: the subproblem is its own root.
  lp::LpBounder bounder(pair, result, options.difference_cuts);
  if (options.tighten_seconds > 0) {
    result = bounder.tighten(sub.box(), result, deadline_after(options.tighten_seconds));
    if (result.infeasible) return result;
  } else {
    bounder.load(sub.box(), result);
  }
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t g = 0; g < pair.qnn.output_size(); ++g) outputs.push_back(g);
  bounder.bound_outputs(result, outputs);
  return result;
}

}  // namespace qeb::bounds
