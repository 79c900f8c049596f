// The verification pipeline (spec: QEBVerif made SMT-native): DRA, then the residual problem
// encoded once and solved incrementally per output and direction, every sat model replayed.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "quant/qnetwork.h"
#include "smt/backend.h"
#include "spec/region.h"
#include "verify/verify_result.h"

namespace qeb::verify {

/** How the open output directions are put to the solver. */
enum class SolveStrategy {
  DISJUNCTIVE,  ///< one solver; "some open direction is violated" per check, refuted ones dropped (default)
  PER_QUERY,    ///< one solver; one check per output direction, selected by an assumption literal
  FRESH,        ///< a new solver per output direction (for comparison)
};
const char* to_string(SolveStrategy s);
/** Parses "disjunctive", "per-query" or "fresh"; throws OptionError otherwise. */
SolveStrategy parse_solve_strategy(const std::string& name);

/**
 * Which stages run (issue 14), each after the previous ones:
 *   DRA:  DRA (and the attack) only;
 *   LP:   + the LP relaxation of the residual, rigorous bounds from its dual;
 *   BAB:  + branch and bound over neuron phases / integer ranges / inputs (DRA and LP per node);
 *   SMT:  DRA, attack, then the whole residual to Z3/cvc5 (the pre-LP pipeline, for comparison);
 *   AUTO: DRA, exact enumeration of small regions, attack, LP, then branch and bound whose small
 *         leaves go to the incremental SMT solver under assumptions.
 */
enum class Engine { AUTO, DRA, LP, BAB, SMT };
const char* to_string(Engine e);
/** Parses "auto", "dra", "lp", "bab" or "smt"; throws OptionError otherwise. */
Engine parse_engine(const std::string& name);

/**
 * Whether the LP and branch-and-bound stages apply to `qnn`: the LP must state every coefficient
 * exactly (lp::unsupported_reason; only an affine rule beyond 2^53 fails). Where they do not, AUTO
 * skips them (DRA, enumeration, attack, then the SMT engine); `check_engine` rejects LP and BAB.
 */
bool lp_applies(const quant::QNetwork& qnn);
/** Throws UnsupportedError when `engine` (LP or BAB) does not apply to `pair` (see lp_applies). */
void check_engine(const quant::ModelPair& pair, Engine engine);

struct VerifyOptions {
  Engine engine = Engine::AUTO;
  /// AUTO: regions with at most this many integer points are decided by exact enumeration (0: never).
  uint64_t enumerate_limit = 100'000;
  /// LP stage: seconds for optimisation-based tightening of hidden neurons before the output LPs
  /// (0: none; measured to pay little on the MNIST networks, see bench/results/engines.md).
  double tighten_seconds = 0;
  unsigned threads = 1;            ///< branch-and-bound worker threads
  /// Branch and bound splits input coordinates when at most this many are free (else neurons).
  std::size_t input_split_dimension = 16;
  /// Branch and bound: strong branching over this many candidates (0: the score alone chooses;
  /// the default is bab::BranchingOptions's).
  std::size_t strong_candidates = 32;
  std::size_t strong_depth = 0;  ///< strong branching at nodes at most this deep (0: 8 per hidden layer)
  /// Strong branching scores a split by its pseudo-costs once each child has been measured this
  /// many times (0: always solves; the default is bab::BranchingOptions's).
  uint64_t reliability = 4;
  /// Branch and bound: nodes with at most this many unstable neurons try the SMT solver first
  /// (AUTO only; 0: never), for at most leaf_seconds each.
  std::size_t leaf_case_splits = 8;
  double leaf_seconds = 2;
  /// Branch and bound: one more thread anneals on the exact networks for counterexamples.
  bool anneal = true;
  /// Branch and bound: that thread first runs tabu search from its start (BabOptions::tabu_steps).
  bool tabu = true;
  Rational eps = 1;                  ///< the bound: verified means |QNN_k - DNN_k| <= eps on every checked k
  std::vector<std::size_t> outputs;  ///< outputs to check (empty: all)
  std::string backend = "z3";
  std::string encoding = "lira";  ///< measured fastest with both backends (bench/results/encodings.md)
  double timeout_seconds = 0;        ///< for the whole task (0: none)
  SolveStrategy strategy = SolveStrategy::DISJUNCTIVE;
  bool prune = true;                 ///< drop the case splits of neurons DRA found stable
  bool stop_at_counterexample = true;
  bool difference_cuts = true;       ///< assert DRA's hidden difference bounds in the encoding ("+Diff")
  int fact_bits = 0;                 ///< round redundant bound facts outward to 2^-fact_bits (0: exact doubles)
  bool use_solver = true;            ///< false: DRA and the attack only (open outputs stay unknown)
  uint64_t attack_samples = 2000;    ///< sampling/hill-climbing attack before solving (0: off)
  smt::BackendOptions backend_options;
  std::function<void(const std::string&)> progress;  ///< one line per step (may be empty)
  /// Called after each stage with the result so far: outputs settled as far as they are, each
  /// undecided one with the reason "stopped during <the stage that runs next>". What a run ended
  /// from outside (the watchdog, a signal) reports, so that it still names every output and its
  /// proven bounds. May be empty.
  std::function<void(const VerifyResult&)> snapshot;
  /// Set by another thread to stop early (e.g. a counterexample elsewhere): the task then ends as
  /// unknown ("cancelled") at the next step; a running solver check still runs to its time limit.
  const std::atomic<bool>* cancel = nullptr;
};

/**
 * Why `backend` should not run `encoding`, or nullopt if the pair is fine. (cvc5 1.0's bv2nat
 * reasoning grows exponentially with the width: tiny networks with bv-lra-nat time out.)
 */
std::optional<std::string> incompatibility(const std::string& backend, const std::string& encoding);

/** Input x of the pair as a counterexample on `output`: both outputs and their difference, exactly. */
Counterexample counterexample_of(const quant::ModelPair& pair, std::size_t output, const std::vector<int64_t>& x);

/**
 * Decides the task. Throws ReplayError if a solver model fails to replay (a bug), and
 * OptionError for an unknown backend or encoding.
 */
VerifyResult verify(const quant::ModelPair& pair, const spec::Box& box, const VerifyOptions& options);

}  // namespace qeb::verify
