// Branch and bound over subproblems (issue 14): proves that one output direction of QNN - DNN
// stays within eps over a region, or finds an input where it does not. Each node is re-bounded
// by DRA within its parent's bounds (so a fixed phase tightens everything after it), then by the
// LP relaxation warm-started from its parent's basis; the LP optimum, rounded to the grid, is
// tried as a counterexample; an undecided node is split (bab/branching.h). Nodes wait in one
// queue, lowest bound first, served by a pool of worker threads, each with its own LP.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bab/branching.h"
#include "bab/pseudo_costs.h"
#include "bounds/subproblem.h"
#include "core/rational.h"
#include "dra/dra_result.h"
#include "lp/clp_solver.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::bab {

/** The direction to prove: min of s * (QNN_g - DNN_g) >= -eps, with s = +1 (BELOW) or -1 (ABOVE). */
struct Goal {
  std::size_t output = 0;
  bool above = false;  ///< true: prove QNN - DNN <= eps; false: prove QNN - DNN >= -eps
};

/**
 * A solver for the leaves: given a node's restrictions, decide the node exactly (true: no
 * violation there; false: a violation, returned in *input; nullopt: undecided). Called from the
 * worker threads, each with its own instance (see LeafSolverFactory).
 */
class LeafSolver {
 public:
  virtual ~LeafSolver() = default;
  virtual std::optional<bool> decide(const spec::Box& box, const std::vector<bounds::Restriction>& restrictions,
                                     double seconds, std::vector<int64_t>* input) = 0;
};
using LeafSolverFactory = std::function<std::unique_ptr<LeafSolver>()>;

struct BabOptions {
  Rational eps = 1;
  double seconds = 0;       ///< time budget (0: none)
  unsigned threads = 1;
  bool difference_cuts = true;
  BranchingOptions branching;
  /// Nodes whose box holds at most this many integer points are decided by exact enumeration.
  uint64_t enumerate_limit = 0;
  uint64_t max_nodes = 0;   ///< 0: no limit
  /// Primal heuristic: exact-network coordinate descent from each node's LP optimum (evaluations).
  uint64_t descent_evaluations = 200;
  /// Primal heuristic beside the workers: one more thread anneals on the exact networks
  /// (eval/annealing.h) for the whole search, from the best point of a short sampling and
  /// climbing run; its best point after each epoch is checked exactly like an LP optimum.
  bool anneal = false;
  /// Where annealing starts; empty: at the best point of that sampling and climbing run, which
  /// BabResult::anneal_start returns, so that a search resumed or repeated on the same box and goal
  /// passes it back instead of paying for the run again (784-100-100-10 Q=4 sample 521, two
  /// directions searched twice each: the four runs took 22% of the CPU).
  std::vector<int64_t> anneal_start;
  /// Reliability branching's measurements (BranchingOptions::reliability); null: the search's own.
  /// A caller that searches the same box and goal again (a resumed search, another eps) passes
  /// the same table, so the next search scores splits from the start instead of measuring again.
  std::shared_ptr<PseudoCosts> pseudo_costs;
  /// With anneal, on a first search (no anneal_start given): that thread runs tabu search
  /// (eval/tabu_search.h) for at most this many steps from the start before it anneals from it
  /// (0: none). Measured: it finds the counterexample of 784-100x3-10 Q=4 eps=2 sample 3236
  /// (published by Gurobi at 1,246 s) in about 2,000 steps, which annealing did not find in 60 s.
  uint64_t tabu_steps = 3000;
  /// Plunging: after a node from the queue, go on down the child holding its LP optimum for at
  /// most this many levels (0: pure best-first).
  unsigned plunge_depth = 64;
  /// Leaves: nodes with at most this many neurons left unstable (both networks) go to the leaf
  /// solver first, for at most leaf_seconds; 0 or no factory: never.
  std::size_t leaf_case_splits = 0;
  double leaf_seconds = 1;
  LeafSolverFactory leaf_solver;
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const std::string&)> progress;  ///< a line now and then (may be empty)
  /// Optimisation (max-error): a violating input does not end the search; it is passed here, with
  /// its exact QNN_g - DNN_g, and the returned value becomes eps (so the search goes on proving
  /// that nothing exceeds the new incumbent by more than the tolerance the caller builds in). The
  /// annealing thread passes its best point after every epoch, violating or not.
  std::function<Rational(const std::vector<int64_t>&, const Rational&)> improved;
  /// Keep the nodes the search closes, each with the bound that closed it, in BabResult::closed:
  /// with the open nodes they cover the region (a complete frontier), so a later search at a lower
  /// eps goes on from those whose bound no longer proves it (max-error's bisection). Complete
  /// unless the result is FALSIFIED (a counterexample ends the search with nodes unrecorded).
  bool keep_closed = false;
};

struct BabStats {
  uint64_t nodes = 0;            ///< nodes processed
  uint64_t closed_infeasible = 0, closed_by_dra = 0, closed_by_lp = 0, closed_by_enumeration = 0, closed_by_leaf = 0;
  uint64_t leaf_calls = 0;
  uint64_t lp_solves = 0, lp_iterations = 0;
  uint64_t strong_solves = 0;    ///< of lp_solves, those strong branching made
  uint64_t strong_estimated = 0; ///< candidates strong branching scored by pseudo-costs instead (BranchingOptions::reliability)
  unsigned max_depth = 0;
  double dra_seconds = 0, lp_seconds = 0, leaf_seconds = 0;
  std::vector<std::pair<std::string, uint64_t>> branchings;  ///< per kind
  /// The annealing thread's pauses once it stalled (bab/anneal_pacing.h): how many, how long in all.
  uint64_t anneal_pauses = 0;
  double anneal_paused_seconds = 0;
};

enum class BabStatus { PROVED, FALSIFIED, UNKNOWN };

/** A node a search left open: enough to go on with it in another search (e.g. another process). */
struct OpenNode {
  bounds::Subproblem sub;
  double bound = -std::numeric_limits<double>::infinity();  ///< its proven lower bound (as proven_bound)
  lp::Basis basis;  ///< its parent's LP basis: a warm start over the same box's LP
};

struct BabResult {
  BabStatus status = BabStatus::UNKNOWN;
  std::optional<std::vector<int64_t>> counterexample;  ///< FALSIFIED: an input violating the goal (exactly)
  std::string reason;                                  ///< UNKNOWN: why
  /// A proven lower bound of min s * (QNN_g - DNN_g) over the region when the search stopped
  /// (the least bound of the nodes still open; -eps when proved); -inf if none is known.
  double proven_bound = -std::numeric_limits<double>::infinity();
  BabStats stats;
  double seconds = 0;
  Rational eps;  ///< the eps the search ended with (options.eps unless `improved` moved it)
  /// UNKNOWN: the nodes left open, weakest bound first. Every input of the region where the goal fails
  /// lies in one of them (the closed nodes are proved), so they are the problem that remains.
  std::vector<OpenNode> open;
  /// With BabOptions::keep_closed (PROVED or UNKNOWN): the nodes the search closed, each with a
  /// proven lower bound over its region (infeasible nodes, which hold no input, are left out).
  /// Every input of the region lies in one of them or in `open`.
  std::vector<OpenNode> closed;
  std::vector<int64_t> anneal_start;  ///< where the annealing thread started (empty: no annealing)
};

/**
 * Decides `goal` over `box`. `root_bounds` must be sound (SOUND DRA, possibly tightened) over the
 * box. Every counterexample is checked in exact arithmetic before it is returned.
 */
BabResult branch_and_bound(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                           const Goal& goal, const BabOptions& options);

/**
 * The same over subproblems of `box` (e.g. an earlier search's open nodes, to go on with it, or one
 * node from bounds::replay with a basis from a search over the same box, or none): the search
 * starts from `start` and proves the goal over their union only. The LP's structure, the primal
 * heuristics and counterexamples still range over `box`. `start` must not be empty; taken by value
 * so that a caller going on with its open nodes can move them in rather than hold them twice.
 */
BabResult branch_and_bound(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                           const Goal& goal, const BabOptions& options, std::vector<OpenNode> start);

}  // namespace qeb::bab
