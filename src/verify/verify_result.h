// The outcome of `verify`: a verdict per checked output, with counterexamples that replay exactly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/rational.h"
#include "dra/dra_result.h"

namespace qeb::verify {

enum class Verdict { VERIFIED, FALSIFIED, UNKNOWN };
const char* to_string(Verdict v);

/** The stage of the pipeline that decided an output (NONE while it is undecided). */
enum class Stage { NONE, DRA, ATTACK, ENUMERATION, LP, BAB, SMT };
/** "dra", "attack", "enumeration", "lp", "bab", "smt" ("none" for NONE). */
const char* to_string(Stage s);

/** An input where |QNN_k - DNN_k| > eps, recomputed by the exact evaluators. */
struct Counterexample {
  std::size_t output = 0;
  std::vector<int64_t> input;
  Rational qnn, dnn, diff;  ///< diff = qnn - dnn
};

struct OutputResult {
  std::size_t output = 0;
  Verdict verdict = Verdict::UNKNOWN;
  Stage decided_by = Stage::NONE;  ///< which stage proved it or found its counterexample
  /// The proven interval of QNN_k - DNN_k over the region (DRA's, narrowed by the LP and branch and bound).
  double bound_lo = 0, bound_hi = 0;
  std::optional<Counterexample> counterexample;
  std::string reason;           ///< for UNKNOWN: why (timeout, solver unknown, not checked)
  int solver_calls = 0;
  double seconds = 0;
};

/** What the LP stage and branch and bound did (zeros when they did not run). */
struct EngineStats {
  std::size_t lp_solves = 0;
  std::size_t bab_nodes = 0, bab_leaf_calls = 0, bab_closed_by_leaf = 0;
  unsigned bab_max_depth = 0;
  double lp_seconds = 0, bab_seconds = 0, enumeration_seconds = 0;
};

struct VerifyResult {
  Verdict verdict = Verdict::UNKNOWN;
  std::vector<OutputResult> outputs;
  dra::DraResult dra;
  std::string engine;
  EngineStats engine_stats;
  std::string encoding, backend, logic;
  std::size_t terms = 0, assertions = 0, case_splits = 0;
  int solver_calls = 0;
  double dra_seconds = 0, attack_seconds = 0, encode_seconds = 0, solve_seconds = 0, total_seconds = 0;
};

}  // namespace qeb::verify
