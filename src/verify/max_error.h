// The tightest error bound: max |QNN_k - DNN_k| over a region, bracketed to a tolerance. DRA gives
// the upper end, exact witnesses the lower end, and bisection on one incremental solver closes it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/rational.h"
#include "quant/qnetwork.h"
#include "smt/backend.h"
#include "spec/region.h"
#include "verify/verifier.h"

namespace qeb::verify {

struct MaxErrorResult;

struct MaxErrorOptions {
  /// AUTO/BAB: DRA, the search, the LP relaxation's rigorous bounds and optima, then branch and bound
  /// in optimisation mode per output side; LP: no branch and bound; DRA: DRA and the search only;
  /// SMT: bisection on one incremental SMT solver (the pre-LP method).
  Engine engine = Engine::AUTO;
  unsigned threads = 1;  ///< branch-and-bound worker threads
  /// Branch and bound: plus an annealing thread raising the lower end. Off by default: on the ten
  /// 784-100-10 boxes of bench/max_error.py it took a core from the tree and found no better witness
  /// (bench/results/ab_anneal_max_error.md).
  bool anneal = false;
  bool tabu = true;      ///< AUTO/BAB: tabu search from each side's LP optimum before branch and bound
  Rational tolerance{1, 1000};       ///< stop when upper - lower <= tolerance (must be positive)
  std::vector<std::size_t> outputs;  ///< outputs to bound (empty: all)
  std::string backend = "z3";
  std::string encoding = "lira";
  double timeout_seconds = 0;        ///< for the whole task (0: none); at the limit the brackets stay open
  bool prune = true;
  bool difference_cuts = true;
  uint64_t search_samples = 2000;    ///< sampling + hill-climbing for the first lower bounds (0: the box midpoint only)
  uint64_t seed = 1;
  /// AUTO/BAB: nodes per branch-and-bound run (0: no limit). A run stopped by it, like one stopped by
  /// its time share, bounds its side by the worst bound of the nodes the side's runs closed or left
  /// open; the side's next run goes on from those.
  uint64_t bab_max_nodes = 0;
  smt::BackendOptions backend_options;
  std::function<void(const std::string&)> progress;  ///< one line per step (may be empty)
  /// Called after each step with the brackets so far (an open one with the reason "stopped during
  /// <the step that runs next>"): what a run ended from outside (the watchdog, a signal) reports.
  /// May be empty.
  std::function<void(const MaxErrorResult&)> snapshot;
};

/** An input with its exact outputs (the lower bound's witness). */
struct ErrorWitness {
  std::vector<int64_t> input;
  Rational qnn, dnn, diff;  ///< diff = qnn - dnn at `input`; |diff| is the lower bound
};

/** max |QNN_k - DNN_k| over the box lies in [lower, upper], both exact. */
struct OutputBracket {
  std::size_t output = 0;
  Rational lower, upper;
  Rational dra_upper;             ///< the upper end before any solver call
  /// Rigorous upper bounds of QNN - DNN and of DNN - QNN over the region, each at least its own
  /// side's exact maximum (and possibly negative); `upper` is the larger, or `lower` if that is
  /// higher. The solver's bisection bounds |QNN - DNN| only, so there both are at most `upper`.
  Rational qnn_minus_dnn_upper, dnn_minus_qnn_upper;
  ErrorWitness witness;           ///< attains `lower` exactly
  std::string lower_from;         ///< "search" (sampling/climbing), "lp" (an LP optimum), "tabu" (tabu search from one), "bab" or "solver" (a replayed model)
  std::string upper_from;         ///< "dra", "lp", "bab" or "solver"
  bool closed = false;            ///< upper - lower <= tolerance
  std::string reason;             ///< when not closed: why (timeout, solver unknown)
  int solver_calls = 0, sat = 0, unsat = 0;
  double seconds = 0;
};

struct MaxErrorResult {
  std::vector<OutputBracket> outputs;
  Rational lower, upper;          ///< over all outputs: max of the lowers, max of the uppers
  std::size_t worst_output = 0;   ///< the output whose witness attains `lower`
  bool closed = false;            ///< upper - lower <= tolerance (the maximum over the outputs)
  int solver_calls = 0;
  std::string logic;
  double dra_seconds = 0, search_seconds = 0, encode_seconds = 0, solve_seconds = 0, total_seconds = 0;
};

/**
 * Brackets max |QNN_k - DNN_k| per output. Throws OptionError for a non-positive tolerance, an unknown
 * backend/encoding or an incompatible pair, and ReplayError if a solver model fails to replay.
 */
MaxErrorResult max_error(const quant::ModelPair& pair, const spec::Box& box, const MaxErrorOptions& options);

}  // namespace qeb::verify
