// Partitioned verification against the exhaustive oracle and against unpartitioned verification.
#include <doctest/doctest.h>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "partition/part_queue.h"
#include "partition/partitioned_verifier.h"
#include "partition/split.h"
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
  for (std::size_t i = 0; i < std::size(gaps); ++i) queue.push({spec::Box{{int64_t(i)}, {int64_t(i)}}, 0, {}, gaps[i]});
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
