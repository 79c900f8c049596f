#include "partition/part.h"

#include <chrono>

#include "bab/search.h"
#include "bounds/bound_method.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "partition/split.h"

namespace qeb::partition {

namespace {

using Clock = std::chrono::steady_clock;

// Exact enumeration of a small part: verified, or falsified with the worst point as counterexample.
void enumerate(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
               const Rational& eps, uint64_t limit, PartOutcome& out) {
  eval::OracleOptions oo;
  oo.exhaustive_limit = limit;
  oo.outputs = outputs;
  eval::OracleResult range = eval::run_oracle(pair, box, oo);
  out.record.how = "enumeration";
  out.record.verdict = verify::Verdict::VERIFIED;
  for (const eval::OutputRange& o : range.outputs)
    for (const eval::Witness* w : {&o.max, &o.min}) {
      if (-eps <= w->diff && w->diff <= eps) continue;
      out.record.verdict = verify::Verdict::FALSIFIED;
      out.counterexample = verify::counterexample_of(pair, o.output, w->input);
      return;
    }
}

// The box's DRA, once per box and thread: every part of a direction shares the box (and with it
// the LP's structure, so the bases the parts carry fit).
const dra::DraResult& box_bounds(const quant::ModelPair& pair, const spec::Box& box) {
  struct Cached {
    const quant::ModelPair* pair;
    spec::Box box;
    dra::DraResult bounds;
  };
  thread_local std::optional<Cached> cache;
  if (!cache || cache->pair != &pair || cache->box.lo != box.lo || cache->box.hi != box.hi)
    cache = Cached{&pair, box, bounds::bound(pair, bounds::Subproblem::root(box), bounds::Method::DRA_SYM)};
  return cache->bounds;
}

// A neuron-split part: branch and bound on its goal within its restrictions; the nodes it leaves open
// become its children.
void solve_goal_part(const quant::ModelPair& pair, const Part& part, const verify::VerifyOptions& options,
                     const PartitionOptions& partition, double time_left, const std::atomic<bool>* cancel,
                     PartOutcome& out) {
  const verify::Query goal = *part.goal;
  const dra::DraResult& root = box_bounds(pair, part.box);
  bab::BabOptions bo;
  bo.eps = options.eps;
  bo.seconds = std::max(0.001, std::min(time_left, partition.part_timeout));
  bo.threads = 1;  // the parts are the parallelism
  // The first part of a direction splits after part_nodes nodes, so every worker soon has work; later
  // parts run until part_timeout: most close by then, and handing a node on costs more than an LP.
  bo.max_nodes = part.restrictions.empty() ? partition.part_nodes : 0;
  bo.enumerate_limit = partition.enumerate_limit;
  bo.branching.input_split_dimension = options.input_split_dimension;
  bo.branching.strong_candidates = options.strong_candidates;
  bo.branching.strong_depth = options.strong_depth;
  bo.branching.reliability = options.reliability;
  bo.anneal = options.anneal && part.restrictions.empty();  // once per direction, not per node
  if (!options.tabu) bo.tabu_steps = 0;
  bo.cancel = cancel;
  bab::OpenNode start{{}, -std::numeric_limits<double>::infinity(), part.basis};
  if (part.within) start.sub = bounds::Subproblem::with_bounds(bounds::narrowed(part.box, part.restrictions), part.within, part.restrictions);
  else start.sub = bounds::replay(pair, part.box, root, part.restrictions);
  bab::BabResult r = bab::branch_and_bound(pair, part.box, root, {goal.output, goal.direction == verify::Direction::ABOVE},
                                           bo, {start});
  out.record.how = "branch and bound";
  if (r.status == bab::BabStatus::PROVED) {
    out.record.verdict = verify::Verdict::VERIFIED;
    return;
  }
  if (r.status == bab::BabStatus::FALSIFIED) {
    out.record.verdict = verify::Verdict::FALSIFIED;
    out.counterexample = verify::counterexample_of(pair, goal.output, *r.counterexample);
    return;
  }
  if (cancel && cancel->load()) {
    out.record.how = "cancelled";
    return;
  }
  if (part.depth >= partition.max_depth || r.open.empty()) {
    out.record.how = part.depth >= partition.max_depth ? "depth limit" : "single point undecided";
    out.undecided_leaf = true;
    return;
  }
  out.record.how = "split";
  const double eps = to_double(options.eps);
  for (std::size_t i = 0; i < r.open.size(); ++i) {
    Part child = Part::of_box(part.box, part.depth + 1, part.path, std::max(0.0, -r.open[i].bound - eps));
    child.within = r.open[i].sub.within();
    child.restrictions = std::move(r.open[i].sub.restrictions);
    child.basis = std::move(r.open[i].basis);
    child.goal = goal;
    out.children.push_back(std::move(child));
  }
}

}  // namespace

std::vector<std::size_t> checked_outputs(const quant::ModelPair& pair, const verify::VerifyOptions& options) {
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);
  return outputs;
}

PartOutcome solve_part(const quant::ModelPair& pair, const Part& part, const verify::VerifyOptions& options,
                       const PartitionOptions& partition, const std::vector<std::size_t>& outputs, double time_left,
                       const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  PartOutcome out;
  out.record.depth = part.depth;
  out.record.path = part.path;
  out.record.gap = part.gap;
  auto done = [&]() -> PartOutcome {
    out.record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return std::move(out);
  };
  if (part.goal) {
    solve_goal_part(pair, part, options, partition, time_left, cancel, out);
    return done();
  }
  if (part.box.point_count() <= partition.enumerate_limit) {
    enumerate(pair, part.box, outputs, options.eps, partition.enumerate_limit, out);
    return done();
  }
  verify::VerifyOptions o = options;
  o.outputs = outputs;
  o.timeout_seconds = std::min(time_left, partition.part_timeout);
  o.use_solver = part.depth >= partition.solver_depth;
  if (part.depth > 0) o.attack_samples = std::min(o.attack_samples, partition.part_attack_samples);
  o.cancel = cancel;
  o.progress = nullptr;
  o.snapshot = nullptr;  // a part's outputs are not the region's
  if (partition.split_neurons) o.engine = verify::Engine::LP;  // branch and bound runs in the goal parts
  verify::VerifyResult r = verify::verify(pair, part.box, o);
  out.record.verdict = r.verdict;
  if (r.verdict == verify::Verdict::FALSIFIED) {
    for (const verify::OutputResult& x : r.outputs)
      if (x.counterexample) {
        out.record.how = x.decided_by == verify::Stage::ATTACK ? "attack" : "solver";
        out.counterexample = x.counterexample;
        break;
      }
    return done();
  }
  if (r.verdict == verify::Verdict::VERIFIED) {
    bool by_dra = std::all_of(r.outputs.begin(), r.outputs.end(), [](const verify::OutputResult& x) { return x.decided_by == verify::Stage::DRA; });
    out.record.how = by_dra ? "DRA" : "solver";
    return done();
  }
  if (cancel && cancel->load()) {
    out.record.how = "cancelled";
    return done();
  }
  if (partition.split_neurons) {
    // One part per direction the bounds leave open, each to be split by branch and bound.
    out.record.how = "split";
    for (const verify::OutputResult& x : r.outputs)
      for (verify::Direction d : {verify::Direction::ABOVE, verify::Direction::BELOW}) {
        const bool proved = d == verify::Direction::ABOVE ? rational_from_double(x.bound_hi) <= options.eps
                                                          : rational_from_double(x.bound_lo) >= -options.eps;
        if (proved) continue;
        double gap = d == verify::Direction::ABOVE ? x.bound_hi : -x.bound_lo;
        Part child = Part::of_box(part.box, part.depth + 1, part.path, std::max(0.0, gap - to_double(options.eps)));
        child.goal = verify::Query{x.output, d};
        out.children.push_back(std::move(child));
      }
    return done();
  }
  std::optional<Split> split;
  if (part.depth < partition.max_depth)
    split = choose_split(pair, part.box, outputs, options.eps, partition.split_candidates);
  if (!split) {
    out.record.how = part.depth < partition.max_depth ? "single point undecided" : "depth limit";
    out.undecided_leaf = true;
    return done();
  }
  auto [low, high] = bisect(part.box, *split);
  out.record.how = "split";
  std::vector<std::size_t> path = part.path;
  path.push_back(split->dimension);
  out.children.push_back(Part::of_box(std::move(low), part.depth + 1, path, split->low_gap));
  out.children.push_back(Part::of_box(std::move(high), part.depth + 1, path, split->high_gap));
  return done();
}

}  // namespace qeb::partition
