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

/** An input where |QNN_k - DNN_k| > eps, recomputed by the exact evaluators. */
struct Counterexample {
  std::size_t output = 0;
  std::vector<int64_t> input;
  Rational qnn, dnn, diff;  ///< diff = qnn - dnn
};

struct OutputResult {
  std::size_t output = 0;
  Verdict verdict = Verdict::UNKNOWN;
  bool by_dra = false;          ///< DRA alone proved it
  bool by_attack = false;       ///< the counterexample came from the attack, not a solver
  std::optional<Counterexample> counterexample;
  std::string reason;           ///< for UNKNOWN: why (timeout, solver unknown, not checked)
  int solver_calls = 0;
  double seconds = 0;
};

struct VerifyResult {
  Verdict verdict = Verdict::UNKNOWN;
  std::vector<OutputResult> outputs;
  dra::DraResult dra;
  std::string encoding, backend, logic;
  std::size_t terms = 0, assertions = 0, case_splits = 0;
  int solver_calls = 0;
  double dra_seconds = 0, attack_seconds = 0, encode_seconds = 0, solve_seconds = 0, total_seconds = 0;
};

}  // namespace qeb::verify
