#include "bab/search.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "core/deadline.h"
#include "bounds/subproblem.h"
#include "dra/diff_analysis.h"
#include "bab/anneal_pacing.h"
#include "bab/pseudo_costs.h"
#include "eval/annealing.h"
#include "eval/tabu_search.h"
#include "eval/difference.h"
#include "eval/incremental_evaluator.h"
#include "eval/oracle.h"
#include "eval/violation_search.h"
#include "eval/point_evaluator.h"
#include "lp/linear_program.h"
#include "lp/lp_bounder.h"
#include "verify/falsifier.h"

namespace qeb::bab {

namespace {

using Clock = std::chrono::steady_clock;
using lp::kInfinity;

// Strong branching stops after this many candidates in a row that do not beat the best so far
// (SCIP's lookahead): the ranking by score is good enough that the best is rarely further down.
constexpr std::size_t kStrongLookahead = 8;

// BranchingOptions::strong_depth's default: strong branching down to this many levels per hidden layer.
constexpr std::size_t kStrongLevelsPerHiddenLayer = 8;

struct Node {
  bounds::Subproblem sub;
  lp::Basis basis;   ///< the parent's LP basis (warm start)
  double priority;   ///< the parent's proven lower bound of the oriented objective (lowest first)
  unsigned depth = 0;
  uint64_t order = 0;
  /// The split that made this node, which of its children it is and the parent's bound: the gain
  /// its processing measures goes to the pseudo-costs (with reliability branching).
  std::optional<PseudoCosts::Key> split;
  std::size_t side = 0;
  double parent_bound = -kInfinity;
};

struct LaterFirst {  // max-heap on "should come later": a higher bound, then a later node
  bool operator()(const Node& a, const Node& b) const {
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.order > b.order;
  }
};

// The outcome of processing one node.
struct Processed {
  std::vector<Node> children;
  std::optional<std::vector<int64_t>> counterexample;
  /// Optimisation only: a point that does not violate the goal but may beat the best offered so
  /// far (evaluated exactly, then offered to BabOptions::improved if it does).
  std::optional<std::vector<int64_t>> incumbent;
  bool undecidable = false;  ///< nothing left to split and nothing decided it
  int preferred = -1;        ///< the child holding the node's LP optimum (to plunge into)
  double bound = kInfinity;       ///< the node's proven lower bound (for the global bound)
  std::vector<OpenNode> closed;   ///< BabOptions::keep_closed: the node or children closed here, with their bounds
};

// What the threads share.
class SharedSearch {
 public:
  SharedSearch(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root, const Goal& goal,
               const BabOptions& options)
      : pair(pair), box(box), root(std::make_shared<dra::DraResult>(root)), goal(goal), options(options),
        start(Clock::now()), eps(options.eps) {}

  const quant::ModelPair& pair;
  const spec::Box& box;
  std::shared_ptr<const dra::DraResult> root;
  const eval::PairEvaluator exact{pair};  ///< exact evaluation of candidate points
  const Goal& goal;
  const BabOptions& options;
  const Clock::time_point start;

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Node> heap;
  std::vector<OpenNode> closed;  ///< BabOptions::keep_closed: every node closed so far, with its bound
  std::map<uint64_t, double> in_flight;  ///< order -> priority of the nodes being processed
  unsigned active = 0;
  uint64_t next_order = 0;
  bool stop = false;
  std::string stop_reason;
  std::optional<std::vector<int64_t>> counterexample;
  bool undecidable = false;
  BabStats stats;
  Rational eps;  ///< the current eps (moves only in optimisation mode; guarded by the mutex)
  double anneal_best = kInfinity;  ///< the annealing thread's best s * (QNN_g - DNN_g) so far (progress only)
  /// Optimisation: the least exact s * (QNN_g - DNN_g) offered to options.improved so far (written
  /// under the mutex; workers read it without, to skip points that cannot beat it).
  std::atomic<double> best_offered{kInfinity};
  std::vector<int64_t> anneal_start;  ///< where annealing started (set by its thread before it anneals)
  /// Reliability branching's measurements (BranchingOptions::reliability).
  std::shared_ptr<PseudoCosts> pseudo_costs = options.pseudo_costs ? options.pseudo_costs : std::make_shared<PseudoCosts>();

  Rational current_eps() {
    std::lock_guard lock(mutex);
    return eps;
  }

  double remaining() const {
    if (options.seconds <= 0) return kInfinity;
    return options.seconds - seconds_since(start);
  }
  bool out_of_time() const { return remaining() <= 0; }
  bool cancelled() const { return options.cancel && options.cancel->load(); }
};

// One worker's own machinery: an LP, a point evaluator, a leaf solver.
class Worker {
 public:
  Worker(SharedSearch& s)
      : d_s(s), d_lp(s.pair, *s.root, s.options.difference_cuts), d_evaluator(s.pair, s.box),
        d_objective(d_lp.network().output_difference(s.goal.output)),
        d_strong_depth(s.options.branching.strong_depth > 0 ? s.options.branching.strong_depth
                                                            : kStrongLevelsPerHiddenLayer * (s.pair.qnn.layers.size() - 1)) {}

  // Best-first with plunging: a worker takes the least-bound node from the queue, then goes on
  // down the child that holds its LP optimum (queueing the other) until that line closes or the
  // plunge is long enough. Proofs must close every node anyway, so the order costs nothing there;
  // plunging reaches deep nodes, whose LP optima are nearly integral, quickly: that is where the
  // counterexamples are.
  void run() {
    std::optional<Node> next;  // the child to plunge into, counted as active
    unsigned plunged = 0;
    for (;;) {
      Node node;
      {
        std::unique_lock lock(d_s.mutex);
        if (!next) d_s.changed.wait(lock, [&] { return d_s.stop || !d_s.heap.empty() || d_s.active == 0; });
        bool limit = d_s.cancelled() || d_s.out_of_time() ||
                     (d_s.options.max_nodes && d_s.stats.nodes >= d_s.options.max_nodes);
        if (d_s.stop || limit || (!next && d_s.heap.empty())) {
          if (limit && !d_s.stop) {
            d_s.stop = true;
            d_s.stop_reason = d_s.cancelled() ? "cancelled" : d_s.out_of_time() ? "timeout" : "node limit";
          }
          if (next) {  // back to the queue, so the final bound counts it
            push(std::move(*next));
            d_s.in_flight.erase(next->order);
            --d_s.active;
          }
          d_s.changed.notify_all();
          break;
        }
        if (next) {
          node = std::move(*next);
          next.reset();
        } else {
          std::pop_heap(d_s.heap.begin(), d_s.heap.end(), LaterFirst{});
          node = std::move(d_s.heap.back());
          d_s.heap.pop_back();
          d_s.in_flight[node.order] = node.priority;
          ++d_s.active;
          plunged = 0;
        }
        ++d_s.stats.nodes;
      }
      Processed p = process(node);
      // Optimisation: the exact values of the points to offer, computed outside the lock.
      std::vector<std::pair<const std::vector<int64_t>*, Rational>> offers;
      if (d_s.options.improved)
        for (const auto* x : {&p.counterexample, &p.incumbent})
          if (*x) offers.emplace_back(&**x, d_s.exact(**x).diff[d_s.goal.output]);
      {
        std::lock_guard lock(d_s.mutex);
        d_s.in_flight.erase(node.order);
        --d_s.active;
        if (d_s.options.improved) {
          // Optimisation: a violating input, or one that may beat the incumbent, is offered to the
          // caller, which may move eps; the node itself is split as usual.
          for (const auto& [x, diff] : offers) offer(*x, diff);
        } else if (p.counterexample && !d_s.counterexample) {
          d_s.counterexample = p.counterexample;
          d_s.stop = true;
        }
        if (p.undecidable) {
          push(node);  // still open: the frontier (BabResult::open) must cover it
          d_s.undecidable = true;
          d_s.stop = true;
          d_s.stop_reason = "a node could not be split further";
        }
        const bool plunge = p.preferred >= 0 && plunged < d_s.options.plunge_depth && !d_s.stop;
        for (std::size_t c = 0; c < p.children.size(); ++c) {
          p.children[c].order = d_s.next_order++;
          if (plunge && int(c) == p.preferred) continue;
          push(std::move(p.children[c]));
        }
        if (plunge) {
          next = std::move(p.children[p.preferred]);
          d_s.in_flight[next->order] = next->priority;
          ++d_s.active;
          ++plunged;
        }
        for (OpenNode& c : p.closed) d_s.closed.push_back(std::move(c));
        d_s.stats.max_depth = std::max(d_s.stats.max_depth, node.depth);
        d_s.changed.notify_all();
      }
    }
    // The leaf solver goes with the thread that made it: cvc5 1.0 keeps its terms in a
    // thread_local NodeManager, which the thread's exit destroys (a solver destroyed afterwards, by
    // the caller, freed into it: heap corruption that surfaced as cvc5 errors in other tasks).
    d_leaf.reset();
  }

  BabStats stats;  ///< this worker's share (merged at the end)

 private:
  // Optimisation: passes x, with its exact QNN_g - DNN_g, to options.improved if it is a violation or
  // beats the best offered so far; improved returns the new eps. Caller holds the mutex.
  void offer(const std::vector<int64_t>& x, const Rational& diff) {
    const double value = to_double(oriented(diff));
    if (!(oriented(diff) < -d_s.eps) && value >= d_s.best_offered.load()) return;
    d_s.best_offered = std::min(d_s.best_offered.load(), value);
    d_s.eps = d_s.options.improved(x, diff);
  }

  void push(Node n) {  // caller holds the mutex
    d_s.heap.push_back(std::move(n));
    std::push_heap(d_s.heap.begin(), d_s.heap.end(), LaterFirst{});
  }

  // Does the LP optimum satisfy the restriction (the child that holds it)?
  bool holds_at(const bounds::Restriction& r, const std::vector<double>& point) const {
    lp::LpTerm t = r.target == bounds::Target::INPUT ? d_lp.network().input(r.neuron)
                 : r.target == bounds::Target::DNN_PRE ? d_lp.network().dnn_pre(r.layer, r.neuron)
                                                        : d_lp.network().qnn_pre(r.layer, r.neuron);
    double v = t.is_column() && std::size_t(t.column) < point.size() ? point[t.column] : t.constant;
    return v >= r.lo - 1e-9 && v <= r.hi + 1e-9;
  }

  double orient(const dra::Interval& d) const { return d_s.goal.above ? -d.hi : d.lo; }
  Rational oriented(const Rational& diff) const { return d_s.goal.above ? Rational(-diff) : diff; }

  // An input of the root box violating the goal, exactly, or nullopt.
  std::optional<std::vector<int64_t>> violates(const std::vector<int64_t>& x) {
    d_evaluator.evaluate(x);
    const std::size_t g = d_s.goal.output;
    double value = d_s.goal.above ? -d_evaluator.approx()[g] : d_evaluator.approx()[g];
    // |approx - exact| <= error: skip the exact evaluation when the point surely satisfies the goal.
    if (rational_from_double(dra::down(value - d_evaluator.error()[g])) >= -d_eps) return std::nullopt;
    Rational diff = d_s.exact(x).diff[g];
    if (oriented(diff) < -d_eps) return x;
    return std::nullopt;
  }

  // Coordinate descent on s * (QNN_g - DNN_g) from x within the root box (each coordinate tries
  // its ends and its neighbours), at most `budget` evaluations, incremental in the first layer;
  // the best point is checked exactly. An input violating the goal, or nullopt.
  // *reached (if given) gets the approximate s * (QNN_g - DNN_g) at the point it ends on.
  std::optional<std::vector<int64_t>> descend(const std::vector<int64_t>& start, uint64_t budget,
                                              double* reached = nullptr) {
    const spec::Box& box = d_s.box;
    const std::size_t g = d_s.goal.output;
    const double sign = d_s.goal.above ? -1.0 : 1.0;
    std::vector<std::size_t> free = box.free_dimensions();
    d_incremental.reset(start);
    if (reached) *reached = sign * d_incremental.difference(g);
    if (free.empty()) return violates(start);
    double best = sign * d_incremental.difference(g);
    // Random single-coordinate moves (to an end or a neighbour), kept when they improve.
    for (uint64_t step = 0; step < budget; ++step) {
      std::size_t k = free[d_rng() % free.size()];
      const int64_t old = d_incremental.point()[k];
      const int64_t v = std::array<int64_t, 4>{box.lo[k], box.hi[k], old - 1, old + 1}[d_rng() % 4];
      if (v < box.lo[k] || v > box.hi[k] || v == old) continue;
      d_incremental.set(k, v);
      double f = sign * d_incremental.difference(g);
      if (f < best) best = f;
      else d_incremental.set(k, old);
    }
    if (reached) *reached = best;
    return violates(d_incremental.point());
  }

  std::vector<int64_t> rounded_input(const std::vector<double>& point, const spec::Box& box) const {
    std::vector<int64_t> x(box.dimension());
    for (std::size_t k = 0; k < x.size(); ++k)
      x[k] = std::clamp<int64_t>(std::llround(point[k]), box.lo[k], box.hi[k]);
    return x;
  }

  Processed process(const Node& node) {
    Processed out;
    const auto node_start = Clock::now();
    const spec::Box& box = node.sub.box();
    d_eps = d_s.current_eps();
    const Rational& eps = d_eps;
    // 1. Bounds: DRA within the parent's (the root's are given).
    // Optimising: an incumbent found since the node was queued may have moved eps below the
    // parent's bound, which then closes the node with no work.
    if (std::isfinite(node.priority) && rational_from_double(node.priority) >= -eps) {
      ++stats.closed_by_lp;
      keep(out, node.sub, node.priority, node.basis);
      return out;
    }
    std::shared_ptr<const dra::DraResult> bounds = d_s.root;
    if (node.sub.has_bounds() && last_layer_split(node.sub)) {
      // A split in the last hidden layer changes no other neuron's bounds: only its own phase.
      bounds = bounds::split_bounds(d_s.pair.qnn, node.sub);
    } else if (node.sub.has_bounds()) {
      auto t = Clock::now();
      bounds = std::make_shared<dra::DraResult>(dra::run_dra(
          d_s.pair, box, {dra::DraMode::SYM, dra::Semantics::SOUND, true}, node.sub.within().get()));
      stats.dra_seconds += seconds_since(t);
    }
    if (bounds->infeasible) {
      ++stats.closed_infeasible;
      learn(node, kInfinity);
      return out;
    }
    double dra_bound = orient(bounds->layers.back().delta[d_s.goal.output]);
    if (rational_from_double(dra_bound) >= -eps) {
      ++stats.closed_by_dra;
      learn(node, kInfinity);
      keep(out, node.sub, std::max(dra_bound, node.priority), node.basis);
      return out;
    }
    // 2. Small boxes: exact enumeration (over the whole box: a superset of the node's region, so
    // its verdict covers the node, and any violating point is a counterexample of the task).
    if (box.point_count() <= std::max<uint64_t>(d_s.options.enumerate_limit, 1) && !d_s.options.improved) {
      // Is any point of the box on the wrong side of the goal? (exhaustive, exact where it matters)
      auto v = eval::find_violation(d_s.pair, box, {d_s.goal.output}, eps, 1, d_s.goal.above ? +1 : -1);
      if (v) {
        out.counterexample = v->input;
      } else {
        ++stats.closed_by_enumeration;
        keep(out, node.sub, std::max(node.priority, dra::down(to_double(Rational(-eps)))), node.basis);
      }
      return out;
    }
    if (box.point_count() <= std::max<uint64_t>(d_s.options.enumerate_limit, 1) && d_s.options.improved) {
      eval::OracleOptions o;
      o.exhaustive_limit = box.point_count();
      o.outputs = {d_s.goal.output};
      eval::OracleResult r = eval::run_oracle(d_s.pair, box, o);
      const eval::Witness& w = d_s.goal.above ? r.outputs[0].max : r.outputs[0].min;
      if (oriented(w.diff) < -eps) out.counterexample = w.input;  // offered: eps moves up to it
      else ++stats.closed_by_enumeration;
      // Closed either way, at the exact least value over the whole box (which holds the node's region).
      keep(out, node.sub, std::max(node.priority, dra::down(to_double(oriented(w.diff)))), node.basis);
      return out;
    }
    // 3. The LP relaxation, warm-started from the parent.
    auto t = Clock::now();
    d_lp.load(box, *bounds);
    const double left = d_s.remaining();
    lp::LpBound lp = d_lp.optimise(d_objective, d_s.goal.above, node.basis.empty() ? nullptr : &node.basis,
                                   std::isfinite(left) ? std::max(0.001, left) : 0);
    stats.lp_seconds += seconds_since(t);
    ++stats.lp_solves;
    stats.lp_iterations += lp.iterations;
    if (lp.infeasible) {
      ++stats.closed_infeasible;
      learn(node, kInfinity);
      return out;
    }
    // The parent's bound holds here too (a sub-region): an LP stopped early or a weaker dual
    // solution must not lower the children's priority below it.
    double bound = std::max(dra_bound, node.priority);
    if (lp.bound) {
      Rational b = d_s.goal.above ? Rational(-*lp.bound) : *lp.bound;
      if (b >= -eps) {
        ++stats.closed_by_lp;
        learn(node, kInfinity);
        keep(out, node.sub, std::max(bound, dra::down(to_double(b))), lp.basis);
        return out;
      }
      bound = std::max(bound, dra::down(to_double(b)));
    }
    out.bound = bound;
    learn(node, bound);
    // 4. The LP optimum on the grid, then a short descent on the exact networks from there: the
    // nodes' LP optima differ as splits accumulate, so they seed many local searches.
    if (!lp.point.empty()) {
      std::vector<int64_t> x = rounded_input(lp.point, box);
      double reached = kInfinity;
      if (auto found = descend(x, node.depth == 0 ? 4000 : d_s.options.descent_evaluations, &reached)) {
        out.counterexample = found;
        if (!d_s.options.improved) return out;  // optimising: the node is still split below
      } else if (d_s.options.improved && reached < d_s.best_offered.load()) {
        // Not a violation, but it may still raise the caller's lower end (max-error).
        out.incumbent = d_incremental.point();
      }
      if (node.depth == 0 || (d_seen++ % 256) == 0) {
        // A short seeded attack from the LP optimum.
        const double left = d_s.remaining();
        if (auto c = verify::attack(d_s.pair, d_s.box, {d_s.goal.output}, eps, 300, node.order + 1, {x},
                                    std::isfinite(left) ? std::max(0.001, left) : 0)) {
          Rational diff = c->diff;
          if (oriented(diff) < -eps && !out.counterexample) {
            out.counterexample = c->input;
            if (!d_s.options.improved) return out;
          }
        }
      }
    }
    // 5. A small residual: the exact leaf solver, where it is likely to pay (leaf_pays).
    const std::size_t unstable = unstable_count(*bounds);
    d_node_seconds += seconds_since(node_start);
    ++d_nodes_timed;
    if (d_s.options.leaf_solver && d_s.options.leaf_case_splits > 0 && unstable <= d_s.options.leaf_case_splits &&
        unstable < d_leaf_below && leaf_pays(unstable)) {
      auto tl = Clock::now();
      if (!d_leaf) d_leaf = d_s.options.leaf_solver();  // encoded on first use
      ++stats.leaf_calls;
      std::vector<int64_t> input;
      std::optional<bool> decided =
          d_leaf->decide(box, node.sub.restrictions, std::min(d_s.options.leaf_seconds, d_s.remaining()), &input);
      const double leaf_seconds = seconds_since(tl);
      stats.leaf_seconds += leaf_seconds;
      d_leaf_seconds += leaf_seconds;
      ++d_leaf_calls;
      // A leaf that ran out of time: on this worker, later leaves must be smaller (fewer unstable
      // neurons), or every node would spend leaf_seconds on the solver again (affine QNNs' lira).
      if (!decided) d_leaf_below = unstable;
      if (decided && *decided) {
        ++stats.closed_by_leaf;
        keep(out, node.sub, std::max(bound, dra::down(to_double(Rational(-eps)))), lp.basis);
        return out;
      }
      if (decided && !*decided && !out.counterexample) {
        if (auto found = violates(input)) {
          out.counterexample = found;
          if (!d_s.options.improved) return out;
        }
      }
    }
    // 6. Split.
    const std::size_t strong = node.depth <= d_strong_depth ? d_s.options.branching.strong_candidates : 0;
    std::vector<Branching> candidates = branching_candidates(d_s.pair, d_lp.network(), box, *bounds, lp,
                                                             d_s.options.branching, std::max<std::size_t>(strong, 1));
    if (candidates.empty()) {
      out.undecidable = true;
      return out;
    }
    std::vector<StrongChild> tried;  // the chosen split's children, when strong branching solved them
    std::vector<StrongChild> fixed;  // the open child of each candidate whose other child closed
    std::vector<StrongChild> fixed_away;  // with keep_closed: those other children
    std::size_t chosen = 0;
    if (strong > 0 && candidates.size() > 1)
      chosen = strong_branch(node, bounds, lp, bound, candidates, &tried, &fixed, &fixed_away);
    const bool both_closed = tried.size() == 2 && tried[0].closed && tried[1].closed;  // the node is done
    if (!fixed.empty() && !both_closed) {
      for (StrongChild& k : fixed_away) keep(out, k.sub, std::max(bound, k.bound), k.basis);
      out.children.push_back(fixed_child(node, bounds, bound, std::move(fixed)));
      out.preferred = 0;
      return out;
    }
    const Branching& split = candidates[chosen];
    ++branch_count[split.kind];
    for (std::size_t c = 0; c < split.children.size(); ++c) {
      const bounds::Restriction& r = split.children[c];
      Node child;
      child.sub = tried.empty() ? bounds::restrict(node.sub, bounds, r) : std::move(tried[c].sub);
      const spec::Box& cb = child.sub.box();
      bool empty = false;
      for (std::size_t k = 0; k < cb.dimension(); ++k) empty |= cb.lo[k] > cb.hi[k];
      if (empty) continue;
      child.basis = lp.basis;
      child.priority = bound;
      if (!tried.empty()) {
        if (tried[c].closed) {
          ++stats.closed_by_lp;
          keep(out, child.sub, std::max(bound, tried[c].bound), tried[c].basis);
          continue;
        }
        child.basis = std::move(tried[c].basis);
        child.priority = std::max(bound, tried[c].bound);
      }
      child.depth = node.depth + 1;
      if (reliability() > 0 && two_sided_neuron_split(split)) {
        child.split = PseudoCosts::key_of(split);
        child.side = c;
        child.parent_bound = bound;
      }
      if (out.preferred < 0 && holds_at(r, lp.point)) out.preferred = int(out.children.size());
      out.children.push_back(std::move(child));
    }
    return out;
  }

  // A child as strong branching saw it: its LP over the parent's bounds narrowed by the split.
  struct StrongChild {
    bounds::Subproblem sub;
    bool closed = false;  ///< infeasible, or its rigorous LP bound proves the goal
    double bound = -kInfinity;  ///< its rigorous LP bound (infinite when infeasible)
    lp::Basis basis;
  };

  // The node narrowed by every split strong branching found one side of closed (the other sides
  // are proved, so nothing is lost): one child, processed again like any node (CBC fixes
  // variables the same way). On 784-100-10 Q=8 sample 3236, output 6, eps 0.1815, strong branching
  // at every depth: proved in 100 s with 6,183 such fixes in 4,229 nodes (CBC, on the same
  // problem as a MILP, fixed 90 variables this way in 377 nodes).
  Node fixed_child(const Node& node, const std::shared_ptr<const dra::DraResult>& bounds, double bound,
                   std::vector<StrongChild> fixed) {
    // Splits in earlier layers last: the child's processing reruns DRA after a split that is not
    // in the last hidden layer, which then propagates every split before it.
    std::stable_partition(fixed.begin(), fixed.end(), [&](const StrongChild& k) { return last_layer_split(k.sub); });
    Node child;
    child.sub = node.sub;
    std::shared_ptr<const dra::DraResult> narrowed = bounds;
    child.priority = bound;
    for (std::size_t f = 0; f < fixed.size(); ++f) {
      if (f > 0) narrowed = bounds::split_bounds(d_s.pair.qnn, child.sub);
      child.sub = bounds::restrict(child.sub, narrowed, fixed[f].sub.restrictions.back());
      if (fixed[f].bound >= child.priority) child.priority = fixed[f].bound, child.basis = fixed[f].basis;
    }
    if (child.basis.empty()) child.basis = fixed.back().basis;
    child.depth = node.depth + 1;
    branch_count["strong-fixed"] += fixed.size();
    return child;
  }

  // Strong branching: both children's LPs for each candidate, warm-started from the node's basis;
  // the candidate whose weaker child gains most over the node's `bound` wins (the product of the
  // two gains, SCIP's rule, breaks near-ties toward balanced splits). Returns its index, with its
  // children in *children. Measured (bench/results/rq2.md): on 784-100-100-10 tasks the
  // multiplier score alone gained ~0.007 per doubling of the nodes; solving up to 32 candidates'
  // children decides 7 of the 15 published-decided tasks it left open at 60 s, in 2-26 s. The
  // lookahead (stop after kStrongLookahead candidates that do not beat the best) gave back a
  // 784-100-10 proof the full 32 lost to slower nodes. With BranchingOptions::reliability,
  // candidates measured often enough are scored by their pseudo-costs; the winner is solved only
  // with BranchingOptions::solve_winner (max-error). (An early version, before fixing and the lookahead, let pseudo-costs choose the split
  // outright and left the deeper networks' bounds far weaker.) Tried and not kept: strong
  // branching only on nodes from the queue (plunges by the score alone) lost a 784-100-100-10 proof.
  std::size_t strong_branch(const Node& node, const std::shared_ptr<const dra::DraResult>& bounds,
                            const lp::LpBound& lp, double bound, const std::vector<Branching>& candidates,
                            std::vector<StrongChild>* children, std::vector<StrongChild>* fixed,
                            std::vector<StrongChild>* fixed_away) {
    const double need = std::max(-to_double(d_eps) - bound, 1e-9);  // the gain that closes a child
    double best_score = -1;  // of the solved candidates
    std::size_t best = 0, since_best = 0;
    bool settled = false;  // a solved split closes both children: nothing beats it
    // Solves candidate c's children; true if it is the best so far.
    auto solve = [&](std::size_t c) {
      const Branching& cand = candidates[c];
      const PseudoCosts::Key key = PseudoCosts::key_of(cand);
      std::array<double, 2> gain{0, 0};
      std::vector<StrongChild> kids;
      for (std::size_t k = 0; k < 2; ++k) {
        kids.push_back(solve_child(node, bounds, lp, cand.children[k]));
        gain[k] = kids[k].closed ? 2 * need : std::max(0.0, kids[k].bound - bound);
        if (reliability() > 0) d_s.pseudo_costs->record(key, k, std::min(gain[k], need));
      }
      if (kids[0].closed != kids[1].closed) {
        fixed->push_back(kids[kids[0].closed ? 1 : 0]);
        if (d_s.options.keep_closed) fixed_away->push_back(kids[kids[0].closed ? 0 : 1]);
      }
      settled |= gain[0] >= need && gain[1] >= need;
      const double score = std::max(gain[0], 1e-9) * std::max(gain[1], 1e-9);
      if (score <= best_score) return false;
      best_score = score, best = c;
      *children = std::move(kids);
      return true;
    };
    // Candidates measured often enough are scored by their pseudo-costs (reliability branching).
    std::vector<std::pair<double, std::size_t>> estimated;  // (score, candidate)
    double best_estimate = -1;
    for (std::size_t c = 0; c < candidates.size() && since_best < kStrongLookahead && !settled && !d_s.out_of_time(); ++c) {
      const Branching& cand = candidates[c];
      if (!two_sided_neuron_split(cand)) continue;
      if (auto gain = d_s.pseudo_costs->estimate(PseudoCosts::key_of(cand), reliability())) {
        ++stats.strong_estimated;
        const double score = std::max((*gain)[0], 1e-9) * std::max((*gain)[1], 1e-9);
        estimated.emplace_back(score, c);
        if (score > std::max(best_score, best_estimate)) since_best = 0;
        else ++since_best;
        best_estimate = std::max(best_estimate, score);
      } else {
        if (solve(c) && best_score >= best_estimate) since_best = 0;
        else ++since_best;
      }
    }
    std::stable_sort(estimated.begin(), estimated.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (settled || estimated.empty() || estimated.front().first <= best_score) return best;
    if (!d_s.options.branching.solve_winner) {  // the best estimate wins, its children unsolved
      children->clear();
      return estimated.front().second;
    }
    // The winner must be solved (BranchingOptions::solve_winner): the best estimates are solved in
    // turn until a solved candidate beats every estimate left (at most kStrongLookahead of them).
    std::size_t verified = 0;
    for (const auto& [score, c] : estimated) {
      if (settled || score <= best_score || verified == kStrongLookahead || d_s.out_of_time()) break;
      solve(c);
      ++verified;
    }
    return best;
  }

  StrongChild solve_child(const Node& node, const std::shared_ptr<const dra::DraResult>& bounds,
                          const lp::LpBound& lp, const bounds::Restriction& r) {
    StrongChild kid;
    kid.sub = bounds::restrict(node.sub, bounds, r);
    std::shared_ptr<const dra::DraResult> narrowed = bounds::split_bounds(d_s.pair.qnn, kid.sub);
    if (narrowed->infeasible) {
      kid.closed = true;
      kid.bound = kInfinity;
      return kid;
    }
    auto t = Clock::now();
    // Bounds only over the node's lines (loaded for the node's LP, which strong branching follows):
    // the node's basis stays dual feasible. Measured on 784-100-100-100-10 Q=4 eps=4 sample 3236:
    // with the lines redrawn for the child, 41% of the search's time went to CLP's primal clean-up.
    d_lp.load(node.sub.box(), *narrowed, false);
    const double left = d_s.remaining();
    lp::LpBound b = d_lp.optimise(d_objective, d_s.goal.above, &lp.basis, std::isfinite(left) ? std::max(0.001, left) : 0);
    stats.lp_seconds += seconds_since(t);
    ++stats.lp_solves;
    ++stats.strong_solves;
    stats.lp_iterations += b.iterations;
    kid.basis = b.basis;
    if (b.infeasible) {
      kid.closed = true;
      kid.bound = kInfinity;
    } else if (b.bound) {
      Rational v = d_s.goal.above ? Rational(-*b.bound) : *b.bound;
      kid.closed = v >= -d_eps;
      kid.bound = dra::down(to_double(v));
    }
    return kid;
  }

  uint64_t reliability() const { return d_s.options.branching.reliability; }

  // BabOptions::keep_closed: `sub` closed with `bound`, a proven lower bound over its region (an
  // infinite one: infeasible, no input there, nothing to keep).
  void keep(Processed& out, const bounds::Subproblem& sub, double bound, const lp::Basis& basis) const {
    if (d_s.options.keep_closed && bound < kInfinity) out.closed.push_back({sub, bound, basis});
  }

  // The splits strong branching compares and pseudo-costs measure: a neuron's, into two children.
  static bool two_sided_neuron_split(const Branching& b) { return b.kind != std::string("input") && b.children.size() == 2; }

  // Reliability branching: the gain the node's processing measured over its parent's bound
  // (`bound`; infinite when the node closed, which counts as the gain that closes it).
  void learn(const Node& node, double bound) {
    if (!node.split || !std::isfinite(node.parent_bound)) return;
    const double need = std::max(-to_double(d_eps) - node.parent_bound, 1e-9);
    d_s.pseudo_costs->record(*node.split, node.side, std::min(bound - node.parent_bound, need));
  }

  bool last_layer_split(const bounds::Subproblem& sub) const {
    if (sub.restrictions.empty()) return false;
    const bounds::Restriction& r = sub.restrictions.back();
    return r.target != bounds::Target::INPUT && r.layer + 2 == d_s.pair.qnn.layers.size();
  }

  // Is the leaf solver worth calling on a node with `unstable` unstable neurons? A leaf takes this
  // worker's mean leaf time (nothing known yet: it is tried); splitting the node instead costs
  // about 2^unstable nodes at the mean time of a node so far (up to its leaf step). Where nodes
  // take a millisecond and leaves a second (small networks: 0.26 s of branch and bound against
  // 29 s with leaves, measured on a test's random network) splitting wins. Leaves stay in use
  // while they have taken no more time than the nodes, so a solver that decides what splitting
  // cannot is never shut out.
  bool leaf_pays(std::size_t unstable) const {
    if (d_leaf_calls == 0 || d_leaf_seconds <= d_node_seconds) return true;
    const double mean_leaf = d_leaf_seconds / double(d_leaf_calls);
    const double mean_node = d_node_seconds / double(d_nodes_timed);
    return mean_leaf < std::ldexp(mean_node, int(std::min<std::size_t>(unstable, 1000)));
  }

  std::size_t unstable_count(const dra::DraResult& b) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < b.layers.size(); ++i)
      for (std::size_t j = 0; j < b.layers[i].dnn_phase.size(); ++j)
        n += (b.layers[i].dnn_phase[j] == dra::DnnPhase::UNSTABLE) +
             (b.layers[i].qnn_phase[j] != dra::QnnPhase::LINEAR && b.layers[i].qnn_phase[j] != dra::QnnPhase::CONSTANT);
    return n;
  }

  SharedSearch& d_s;
  lp::LpBounder d_lp;
  eval::PointEvaluator d_evaluator;
  lp::Objective d_objective;
  std::unique_ptr<LeafSolver> d_leaf;
  std::size_t d_strong_depth;  ///< strong branching at nodes at most this deep (BranchingOptions::strong_depth)
  std::size_t d_leaf_below = SIZE_MAX;  ///< leaves only for nodes with fewer unstable neurons than this
  double d_node_seconds = 0, d_leaf_seconds = 0;  ///< time in nodes up to the leaf step, and in leaves
  uint64_t d_nodes_timed = 0, d_leaf_calls = 0;
  uint64_t d_seen = 1;  ///< nodes seen; every 256th gets a seeded attack (the root always does)
  Rational d_eps;  ///< eps while processing the current node
  std::mt19937_64 d_rng{12345};
  eval::IncrementalEvaluator d_incremental{d_s.pair};

 public:
  std::map<std::string, uint64_t> branch_count;
};

void merge(BabStats& into, const BabStats& s) {
  into.closed_infeasible += s.closed_infeasible;
  into.closed_by_dra += s.closed_by_dra;
  into.closed_by_lp += s.closed_by_lp;
  into.closed_by_enumeration += s.closed_by_enumeration;
  into.closed_by_leaf += s.closed_by_leaf;
  into.leaf_calls += s.leaf_calls;
  into.lp_solves += s.lp_solves;
  into.strong_solves += s.strong_solves;
  into.strong_estimated += s.strong_estimated;
  into.lp_iterations += s.lp_iterations;
  into.dra_seconds += s.dra_seconds;
  into.lp_seconds += s.lp_seconds;
  into.leaf_seconds += s.leaf_seconds;
}

// The annealing thread (BabOptions::anneal): after each epoch its best point, if it violates the
// goal exactly, is a counterexample (or, when optimising, a new incumbent), as a worker's would be.
void anneal_beside(SharedSearch& s, const std::atomic<bool>& finished) {
  const std::size_t g = s.goal.output;
  // The start, unless given: the best point of a short sampling and hill-climbing search
  // (measured: annealing from there reaches further in the same time than from the box centre).
  const auto deadline = s.options.seconds > 0 ? deadline_after(s.options.seconds, s.start) : Clock::time_point::max();
  std::vector<int64_t> start = s.options.anneal_start;
  const bool first_search = !s.box.contains(start);
  if (first_search) {  // no start given (or not a point of this box)
    eval::OracleOptions o;
    o.exhaustive_limit = 0;
    o.random_samples = 2000;
    o.climb_evaluations = 5000;
    o.outputs = {g};
    o.search_max = s.goal.above;
    o.search_min = !s.goal.above;
    // A search that ends first (a quick proof) must not wait for this run: about 1 s on
    // 784-100-100-10, where a one-node proof took 1.9 s with it and 1.0 s without annealing.
    o.cancel = &finished;
    o.deadline = deadline;
    const eval::OracleResult searched = eval::run_oracle(s.pair, s.box, o);
    // Cut short: no start worth keeping (a later search on this box makes its own), and the search is over.
    if (finished.load() || Clock::now() >= deadline) return;
    start = s.goal.above ? searched.outputs[0].max.input : searched.outputs[0].min.input;
  }
  s.anneal_start = start;  // read after this thread is joined
  // A point found by the heuristics, checked exactly: false once the search is over (it violates
  // the goal, or the search stopped). Leaves `lock` (on s.mutex) held.
  auto offer = [&](const std::vector<int64_t>& x, std::unique_lock<std::mutex>& lock) {
    Rational diff = s.exact(x).diff[g];
    lock.lock();
    if (s.stop) return false;
    const Rational oriented = s.goal.above ? Rational(-diff) : diff;
    s.anneal_best = std::min(s.anneal_best, to_double(oriented));
    if (s.options.improved) {
      // Optimising: every epoch's best goes to the caller, violating or not, since it may still
      // raise the lower end (eps is the bisection's target, above the best witness).
      s.best_offered = std::min(s.best_offered.load(), to_double(oriented));
      s.eps = s.options.improved(x, diff);
    } else if (oriented < -s.eps) {
      s.counterexample = x;
      s.stop = true;
      s.changed.notify_all();
      return false;
    }
    return true;
  };
  // After an annealing epoch or a chunk of tabu steps that began at `began` and ended with the
  // oriented best `best` (lower is better): pauses as `pacing` says, in short sleeps the search's
  // end or deadline cuts short, and restarts `began`. False once the search is over.
  auto pace = [&](AnnealPacing& pacing, double best, Clock::time_point& began) {
    double pause;
    {
      std::lock_guard lock(s.mutex);
      if (s.stop) return false;
      pause = pacing.pause_after(best, -to_double(s.eps), seconds_since(began));
      if (pause > 0) ++s.stats.anneal_pauses;
    }
    const auto paused_from = Clock::now();
    const auto until = std::min(deadline_after(pause, paused_from), deadline);
    bool go_on = true;
    while (go_on && Clock::now() < until && !finished.load()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
      std::lock_guard lock(s.mutex);
      go_on = !s.stop;
    }
    if (pause > 0) {
      std::lock_guard lock(s.mutex);
      s.stats.anneal_paused_seconds += seconds_since(paused_from);
    }
    began = Clock::now();
    return go_on && !finished.load();
  };
  // Tabu search first, on the first search of a box and goal (BabOptions::tabu_steps): points
  // whose value in double comes near the goal's eps are checked exactly as they are found. Paced
  // like annealing, per chunk of steps: on a proof its cycles are lost to the tree (784-100-10
  // Q=4 eps=2 proofs took 1.2-1.3x as long with it running flat out).
  if (first_search && s.options.tabu_steps > 0) {
    eval::TabuOptions t;
    t.output = g;
    t.maximize = s.goal.above;
    t.seed = 7;
    t.max_steps = s.options.tabu_steps;
    t.cancel = &finished;
    t.deadline = deadline;
    double eps;
    {
      std::lock_guard lock(s.mutex);
      eps = to_double(s.eps);
    }
    bool go_on = true;
    t.on_best = [&](const std::vector<int64_t>& x, double value) {
      if ((s.goal.above ? value : -value) < eps * (1 - 1e-9)) return true;  // clearly short of eps
      std::unique_lock lock(s.mutex, std::defer_lock);
      go_on = offer(x, lock);
      eps = to_double(s.eps);
      return go_on;
    };
    AnnealPacing pacing;
    auto chunk_start = Clock::now();
    t.after_chunk = [&](double value) { return pace(pacing, s.goal.above ? -value : value, chunk_start); };
    const eval::TabuResult found = eval::tabu_search(s.pair, s.box, start, t);
    if (!go_on || finished.load()) return;
    std::unique_lock lock(s.mutex, std::defer_lock);
    if (!offer(found.best, lock)) return;
  }
  eval::AnnealOptions a;
  a.output = g;
  a.maximize = s.goal.above;
  a.seed = 7;
  a.cancel = &finished;
  a.deadline = deadline;
  AnnealPacing pacing;
  auto epoch_start = Clock::now();
  a.after_epoch = [&](const std::vector<int64_t>& x, double) {
    double best;
    {
      std::unique_lock lock(s.mutex, std::defer_lock);
      if (!offer(x, lock)) return false;
      best = s.anneal_best;
    }
    return pace(pacing, best, epoch_start);
  };
  eval::anneal(s.pair, s.box, start, a);
}

}  // namespace

BabResult branch_and_bound(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                           const Goal& goal, const BabOptions& options) {
  return branch_and_bound(pair, box, root_bounds, goal, options, {OpenNode{bounds::Subproblem::root(box), -kInfinity, {}}});
}

BabResult branch_and_bound(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                           const Goal& goal, const BabOptions& options, std::vector<OpenNode> start) {
  if (start.empty()) throw std::logic_error("branch_and_bound: no node to start from");
  SharedSearch s(pair, box, root_bounds, goal, options);
  // Depth = splits from the task's root (the primal heuristics spend more at depth 0 only).
  for (OpenNode& n : start) {
    const auto depth = unsigned(n.sub.restrictions.size());
    s.heap.push_back(Node{std::move(n.sub), std::move(n.basis), n.bound, depth, s.next_order++, std::nullopt, 0, -kInfinity});
  }
  start.clear();
  std::make_heap(s.heap.begin(), s.heap.end(), LaterFirst{});
  const unsigned threads = std::max(1u, options.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(s));
  // Progress now and then, from a watcher that also wakes the workers at the deadline.
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    auto last = Clock::now();
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard lock(s.mutex);
      if (s.out_of_time() || s.cancelled()) {
        if (!s.stop) s.stop = true, s.stop_reason = s.cancelled() ? "cancelled" : "timeout";
        s.changed.notify_all();
      }
      if (options.progress && seconds_since(last) >= 2) {
        last = Clock::now();
        double bound = kInfinity;
        for (const Node& n : s.heap) bound = std::min(bound, n.priority);
        for (const auto& [order, p] : s.in_flight) bound = std::min(bound, p);
        options.progress("branch and bound: " + std::to_string(s.stats.nodes) + " nodes, " +
                         std::to_string(s.heap.size()) + " open, bound " + std::to_string(bound) + " (goal >= " +
                         std::to_string(-to_double(s.eps)) + ")" +
                         (std::isfinite(s.anneal_best) ? ", annealing's best " + std::to_string(s.anneal_best) : "") +
                         (s.stats.anneal_pauses ? " (paused " + std::to_string(s.stats.anneal_paused_seconds) + " s)" : "") +
                         ", " + std::to_string(seconds_since(s.start)) + " s");
      }
    }
  });
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back([&, t] { workers[t]->run(); });
  std::thread annealer;
  if (options.anneal) annealer = std::thread([&] { anneal_beside(s, finished); });
  workers[0]->run();
  for (std::thread& t : pool) t.join();
  finished = true;
  if (annealer.joinable()) annealer.join();
  watcher.join();

  BabResult result;
  result.stats = s.stats;
  std::map<std::string, uint64_t> kinds;
  for (const auto& w : workers) {
    merge(result.stats, w->stats);
    for (const auto& [k, n] : w->branch_count) kinds[k] += n;
  }
  result.stats.branchings.assign(kinds.begin(), kinds.end());
  result.seconds = seconds_since(s.start);
  result.eps = s.eps;
  result.anneal_start = std::move(s.anneal_start);
  if (s.counterexample) {
    result.status = BabStatus::FALSIFIED;
    result.counterexample = s.counterexample;
    return result;
  }
  if (s.heap.empty() && s.in_flight.empty() && !s.undecidable) {
    result.status = BabStatus::PROVED;
    result.proven_bound = -to_double(s.eps);
    result.closed = std::move(s.closed);
    return result;
  }
  result.reason = s.stop_reason.empty() ? "stopped" : s.stop_reason;
  double bound = kInfinity;
  for (const Node& n : s.heap) bound = std::min(bound, n.priority);
  result.proven_bound = bound;
  std::sort(s.heap.begin(), s.heap.end(), [](const Node& a, const Node& b) { return LaterFirst{}(b, a); });
  for (Node& n : s.heap) result.open.push_back({std::move(n.sub), n.priority, std::move(n.basis)});
  result.closed = std::move(s.closed);
  return result;
}

}  // namespace qeb::bab
