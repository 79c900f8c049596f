// Partitioned verification against the exhaustive oracle and against unpartitioned verification.
#include <doctest/doctest.h>

#include "bab/search.h"
#include "bounds/bound_method.h"
#include "dra/diff_analysis.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "partition/part.h"
#include "partition/part_queue.h"
#include "partition/partitioned_verifier.h"
#include "partition/split.h"
#include "support/neuron_trace.h"
#include "support/random_network.h"
#include "support/tr_example.h"

using namespace qeb;
using verify::Verdict;

namespace {

// Splitting and solving only (no enumeration), so the parts really go through DRA and the solver.
partition::PartitionOptions splitting(unsigned jobs) {
  partition::PartitionOptions p;
  p.jobs = jobs;
  p.enumerate_limit = 0;
  p.solver_depth = 1;
  p.part_timeout = 0.5;  // short: undecided parts are split
  p.max_depth = 20;
  return p;
}

// Returns the number of parts the run used.
std::size_t check(const quant::ModelPair& pair, const spec::Box& box, std::size_t k, const Rational& eps,
                  Verdict expected, const std::string& backend, const partition::PartitionOptions& p) {
  verify::VerifyOptions o;
  o.eps = eps;
  o.outputs = {k};
  o.backend = backend;
  o.attack_samples = 0;
  partition::PartitionResult r = partition::verify_partitioned(pair, box, o, p);
  CAPTURE(r.reason);
  CHECK(r.verdict == expected);
  if (r.counterexample) {
    CHECK(box.contains(r.counterexample->input));
    eval::PairOutput exact = eval::evaluate_pair(pair, r.counterexample->input);
    CHECK(exact.diff[r.counterexample->output] == r.counterexample->diff);
    CHECK((r.counterexample->diff > eps || r.counterexample->diff < -eps));
  }
  if (r.verdict == Verdict::VERIFIED) CHECK(r.parts.size() >= 1);
  return r.parts.size();
}

}  // namespace

TEST_CASE("bisection halves a box exactly and the chosen split is a free coordinate") {
  spec::Box box{{0, 5, 2}, {9, 5, 3}};
  auto [low, high] = partition::bisect(box, {0, 4});
  CHECK(low.lo == std::vector<int64_t>{0, 5, 2});
  CHECK(low.hi == std::vector<int64_t>{4, 5, 3});
  CHECK(high.lo == std::vector<int64_t>{5, 5, 2});
  CHECK(high.hi == box.hi);
  CHECK(low.point_count() + high.point_count() == box.point_count());
  quant::ModelPair pair = test::tr_pair();
  spec::Box tr = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  auto split = partition::choose_split(pair, tr, {0}, Rational(1, 10));
  REQUIRE(split);
  CHECK(tr.lo[split->dimension] <= split->mid);
  CHECK(split->mid < tr.hi[split->dimension]);
  auto [tr_low, tr_high] = partition::bisect(tr, *split);
  CHECK(split->low_gap == partition::dra_gap(pair, tr_low, {0}, Rational(1, 10)));
  CHECK(split->high_gap == partition::dra_gap(pair, tr_high, {0}, Rational(1, 10)));
  CHECK_FALSE(partition::choose_split(pair, spec::Box{{9, 6}, {9, 6}}, {0}, Rational(1, 10)));
}

TEST_CASE("the part queue hands out the widest DRA gap first, equal gaps in the order they came") {
  partition::PartQueue queue;
  const double gaps[] = {0.5, 2.0, 0.5, 0.0, 2.0, 1.0};
  for (std::size_t i = 0; i < std::size(gaps); ++i) queue.push(partition::Part::of_box(spec::Box{{int64_t(i)}, {int64_t(i)}}, 0, {}, gaps[i]));
  std::vector<int64_t> order;
  while (!queue.empty()) order.push_back(queue.pop().box.lo[0]);
  CHECK(order == std::vector<int64_t>{1, 4, 5, 0, 2, 3});
}

TEST_CASE("partitioned verdicts agree with the oracle on random small networks, 1 and 2 workers") {
  std::mt19937_64 rng(17);
  std::size_t split_runs = 0;
  for (int trial = 0; trial < 24; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 200);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, oracle.outputs.size() - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    CAPTURE(trial);
    std::string backend = trial % 2 ? "cvc5" : "z3";
    unsigned jobs = 1 + trial % 2;
    split_runs += check(c.pair, c.box, k, worst, Verdict::VERIFIED, backend, splitting(jobs)) > 1;
    if (worst > 0) check(c.pair, c.box, k, worst * Rational(1023, 1024), Verdict::FALSIFIED, backend, splitting(jobs));
    // Enumeration of the whole (small) box decides the same.
    partition::PartitionOptions enumerate;
    check(c.pair, c.box, k, worst, Verdict::VERIFIED, backend, enumerate);
    if (worst > 0) check(c.pair, c.box, k, worst * Rational(1023, 1024), Verdict::FALSIFIED, backend, enumerate);
  }
  CHECK(split_runs >= 12);  // the root gets no solver (solver_depth 1): DRA-hard cases must split
}

TEST_CASE("neuron-split parts (branch-and-bound nodes) give the oracle's verdicts, 1 and 2 workers") {
  std::mt19937_64 rng(18);
  std::size_t handed_on = 0;
  for (int trial = 0; trial < 16; ++trial) {
    test::RandomCase c = test::random_case(rng, 3, {5, 4}, 2, 300);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    std::size_t k = trial % oracle.outputs.size();
    Rational worst = oracle.outputs[k].max_abs();
    CAPTURE(trial);
    partition::PartitionOptions p = splitting(1 + trial % 2);
    p.split_neurons = true;
    p.part_nodes = 1 + trial % 3;  // tiny parts: nodes are handed on with their bounds and bases
    std::size_t parts = check(c.pair, c.box, k, worst, Verdict::VERIFIED, "z3", p);
    handed_on += parts > 2;
    if (worst > 0) check(c.pair, c.box, k, worst * Rational(1023, 1024), Verdict::FALSIFIED, "z3", p);
  }
  CHECK(handed_on >= 4);
}

TEST_CASE("a neuron-split part hands on every violation: each lies in one of its children, also after a replay") {
  std::mt19937_64 rng(20);
  std::size_t violations_followed = 0, replayed = 0;
  for (int trial = 0; trial < 30; ++trial) {
    // Boxes big enough that the root's primal heuristics (a few thousand evaluations) may miss the
    // few violating inputs, so the parts must hand them on.
    test::RandomCase c = test::random_case(rng, 3, {6, 5}, 2, 20000);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    const std::size_t k = trial % 2;
    const bool above = trial % 4 < 2;
    Rational extreme = above ? oracle.outputs[k].max.diff : Rational(-oracle.outputs[k].min.diff);
    if (extreme <= 0) continue;
    verify::VerifyOptions o;
    o.eps = extreme * Rational(999, 1000);  // a few inputs violate
    o.anneal = false;
    o.input_split_dimension = 0;
    partition::PartitionOptions p = splitting(1);
    p.split_neurons = true;
    p.part_nodes = 1 + trial % 2;
    partition::Part part = partition::Part::of_box(c.box, 1);
    part.goal = verify::Query{k, above ? verify::Direction::ABOVE : verify::Direction::BELOW};
    auto violates = [&](const std::vector<int64_t>& x) {
      Rational d = eval::evaluate_pair(c.pair, x).diff[k];
      return above ? d > o.eps : d < -o.eps;
    };
    auto in_region = [&](const partition::Part& q, const std::vector<int64_t>& x) {
      return bounds::narrowed(q.box, q.restrictions).contains(x) && test::satisfies(test::trace(c.pair, x), q.restrictions);
    };
    // Twice: the part, then its first child without its bounds (as after MPI: rebuilt by replay).
    for (int level = 0; level < 2; ++level) {
      partition::PartOutcome out = partition::solve_part(c.pair, part, o, p, {k}, 60, nullptr);
      if (out.counterexample) {
        CHECK(violates(out.counterexample->input));
        break;
      }
      if (out.children.empty()) break;
      for (const std::vector<int64_t>& x : test::box_points(c.box)) {
        if (!in_region(part, x) || !violates(x)) continue;
        bool covered = false;
        for (const partition::Part& child : out.children) covered |= in_region(child, x);
        CHECK(covered);
        ++violations_followed;
      }
      part = out.children.front();
      part.within.reset();
      replayed += level == 0;
    }
  }
  CHECK(violations_followed >= 10);
  CHECK(replayed >= 5);
}

TEST_CASE("replayed restrictions give bounds that hold at every input of the node (what MPI parts rely on)") {
  std::mt19937_64 rng(19);
  std::size_t nodes_checked = 0, points_checked = 0;
  for (int trial = 0; trial < 12; ++trial) {
    test::RandomCase c = test::random_case(rng, 2, {4, 3}, 2, 200);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    dra::DraResult root = bounds::bound(c.pair, bounds::Subproblem::root(c.box), bounds::Method::DRA_SYM);
    bab::BabOptions o;
    o.eps = oracle.outputs[0].max_abs() * Rational(101, 100);  // true: the search tries to prove it
    o.max_nodes = 6;
    o.branching.input_split_dimension = trial % 3 == 0 ? 16 : 0;
    bab::BabResult r = bab::branch_and_bound(c.pair, c.box, root, {0, trial % 2 == 0}, o);
    for (const bab::OpenNode& node : r.open) {
      bounds::Subproblem again = bounds::replay(c.pair, c.box, root, node.sub.restrictions);
      CHECK(again.box().lo == node.sub.box().lo);
      CHECK(again.box().hi == node.sub.box().hi);
      // The node's region: the points of its box where every restriction holds.
      dra::DraResult b = dra::run_dra(c.pair, again.box(), {dra::DraMode::SYM, dra::Semantics::SOUND, true}, again.within().get());
      ++nodes_checked;
      for (const std::vector<int64_t>& x : test::box_points(again.box())) {
        test::Trace t = test::trace(c.pair, x);
        if (!test::satisfies(t, node.sub.restrictions)) continue;
        ++points_checked;
        CHECK(!b.infeasible);
        for (std::size_t i = 0; i + 1 < b.layers.size(); ++i)
          for (std::size_t j = 0; j < b.layers[i].dnn_pre.size(); ++j) {
            CHECK(rational_from_double(b.layers[i].dnn_pre[j].lo) <= t.dnn_pre[i][j]);
            CHECK(t.dnn_pre[i][j] <= rational_from_double(b.layers[i].dnn_pre[j].hi));
            CHECK(b.layers[i].qnn_pre_lo[j] <= t.qnn_rounded[i][j]);
            CHECK(t.qnn_rounded[i][j] <= b.layers[i].qnn_pre_hi[j]);
          }
      }
    }
  }
  CHECK(nodes_checked >= 20);
  CHECK(points_checked >= 100);
}

TEST_CASE("partitioned and unpartitioned verification agree on the technical report's example") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  for (const Rational& eps : {Rational(15, 100), Rational(153, 1000), Rational(1, 10)}) {
    verify::VerifyOptions o;
    o.eps = eps;
    o.outputs = {0};
    Verdict plain = verify::verify(pair, box, o).verdict;
    REQUIRE(plain != Verdict::UNKNOWN);
    CAPTURE(to_string(eps));
    check(pair, box, 0, eps, plain, "z3", splitting(2));
  }
}

TEST_CASE("a counterexample in one part cancels the others and ends the task") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  verify::VerifyOptions o;
  o.eps = Rational(1, 100);  // far below the true maximum: most parts hold counterexamples
  o.outputs = {0};
  o.attack_samples = 0;      // a part's solver must find it
  partition::PartitionResult r = partition::verify_partitioned(pair, box, o, splitting(2));
  CHECK(r.verdict == Verdict::FALSIFIED);
  REQUIRE(r.counterexample);
  CHECK(r.parts.size() <= 8);  // the root, perhaps its halves, and parts cancelled at once
}
