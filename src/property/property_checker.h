// Checks a VNN-LIB output property on one input box: is there an integer input whose outputs
// (the QNN's, the DNN's or their difference) satisfy a disjunct of the violation? DRA's sound
// output bounds refute disjuncts first, a sampling attack looks for a counterexample, and an SMT
// solver decides what is left on the network encoding verify uses. Every counterexample is
// recomputed by the exact evaluators before it is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "quant/qnetwork.h"
#include "smt/backend.h"
#include "spec/output_property.h"
#include "spec/region.h"
#include "verify/verify_result.h"

namespace qeb::property {

struct CheckOptions {
  spec::OutputsOf outputs_of = spec::OutputsOf::QNN;
  std::string backend = "z3";
  std::string encoding = "lira";   ///< an encoding with real-valued outputs (not the QF_BV "bv")
  uint64_t attack_samples = 2000;  ///< random points, then as many hill-climbing evaluations per open disjunct (0: no attack)
  uint64_t seed = 1;
  double timeout_seconds = 0;      ///< for the whole check (0: none)
  smt::BackendOptions backend_options;
  std::function<void(const std::string&)> progress;  ///< one line per step (may be empty)
};

/** An input whose exact outputs satisfy disjunct `disjunct` of the violation. */
struct Witness {
  std::vector<int64_t> input;
  std::vector<Rational> qnn, dnn;  ///< exact outputs of both networks
  std::size_t disjunct = 0;
};

struct CheckResult {
  verify::Verdict verdict = verify::Verdict::UNKNOWN;  ///< VERIFIED: no input violates; FALSIFIED: `counterexample`
  verify::Stage decided_by = verify::Stage::NONE;
  std::optional<Witness> counterexample;
  std::string reason;              ///< for UNKNOWN
  std::size_t disjuncts = 0;
  std::size_t refuted_by_dra = 0;  ///< disjuncts DRA's output bounds rule out
  int solver_calls = 0;
  double dra_seconds = 0, attack_seconds = 0, encode_seconds = 0, solve_seconds = 0, total_seconds = 0;
};

/**
 * Decides `violation` over `box`. An empty violation (no disjunct) is verified at once.
 * Throws OptionError for an encoding without real-valued outputs, ReplayError if a solver model
 * does not replay (a bug, never a verdict).
 */
CheckResult check_property(const quant::ModelPair& pair, const spec::Box& box, const spec::OutputProperty& violation,
                           const CheckOptions& options);

/** The values Y_j stand for at an input, from the exact outputs of both networks. */
std::vector<Rational> outputs_of(spec::OutputsOf which, const std::vector<Rational>& qnn, const std::vector<Rational>& dnn);

}  // namespace qeb::property
