// Every verdict of every backend x encoding against the oracle's exact maximum error.
#include <doctest/doctest.h>

#include "encodings/encoding.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "quant/quantize.h"
#include "smt/backend.h"
#include "support/mnist_boxes.h"
#include "support/random_network.h"
#include "support/solver_combinations.h"
#include "support/tr_example.h"
#include "support/trials.h"
#include "verify/verifier.h"

using namespace qeb;
using test::Combination;
using test::solver_combinations;
using verify::Verdict;

namespace {

void check_counterexample(const quant::ModelPair& pair, const spec::Box& box, const verify::VerifyResult& r,
                          const Rational& eps) {
  for (const verify::OutputResult& o : r.outputs) {
    if (!o.counterexample) continue;
    const verify::Counterexample& c = *o.counterexample;
    CHECK(box.contains(c.input));
    eval::PairOutput exact = eval::evaluate_pair(pair, c.input);
    CHECK(exact.diff[c.output] == c.diff);
    CHECK((c.diff > eps || c.diff < -eps));
  }
}

// Runs each combination (and, with `variants`, fresh-solver, per-query and unpruned runs) at eps and checks
// the verdict is `expected` and every counterexample replays.
void check_combinations(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
                        const Rational& eps, Verdict expected, const std::vector<Combination>& combinations,
                        bool variants) {
  for (const Combination& c : combinations)
    for (int variant = 0; variant < (variants ? 4 : 1); ++variant) {
      verify::VerifyOptions o;
      o.engine = verify::Engine::SMT;  // the encodings (auto would enumerate these small boxes first)
      o.attack_samples = 0;  // exercise the solver, not the attack
      o.eps = eps;
      o.outputs = outputs;
      o.backend = c.backend;
      o.encoding = c.encoding;
      // 0: default (disjunctive); 1: fresh solver per query; 2: unpruned; 3: per-query assumptions.
      o.strategy = variant == 1 ? verify::SolveStrategy::FRESH
                   : variant == 3 ? verify::SolveStrategy::PER_QUERY
                                  : verify::SolveStrategy::DISJUNCTIVE;
      o.prune = variant != 2;
      CAPTURE(c.backend);
      CAPTURE(c.encoding);
      CAPTURE(variant);
      CAPTURE(to_string(eps));
      verify::VerifyResult r = verify::verify(pair, box, o);
      CHECK(r.verdict == expected);
      check_counterexample(pair, box, r, eps);
    }
}

void check_all(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
               const Rational& eps, Verdict expected, bool variants, bool with_bv = false) {
  check_combinations(pair, box, outputs, eps, expected, solver_combinations(with_bv), variants);
}

}  // namespace

TEST_CASE("verdicts agree with the oracle on random small networks, either side of the true bound") {
  // 120 networks; each runs one Z3 and one cvc5 combination (rotating over the encodings, so
  // both solvers decide every case and every combination sees dozens of networks), and every
  // tenth runs all combinations with fresh-solver and unpruned variants.
  std::mt19937_64 rng(3);
  std::vector<Combination> all = solver_combinations();
  std::vector<Combination> z3, cvc5;
  for (const Combination& c : all) (c.backend == "z3" ? z3 : cvc5).push_back(c);
  for (int trial = 0; trial < 120; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 80);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, oracle.outputs.size() - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    bool full = trial % 10 == 0;
    std::vector<Combination> chosen = full ? all : std::vector<Combination>{z3[trial % z3.size()], cvc5[trial % cvc5.size()]};
    // At the true maximum the bound holds (|diff| <= eps); just below it does not.
    check_combinations(c.pair, c.box, {k}, worst, Verdict::VERIFIED, chosen, full);
    if (worst > 0) check_combinations(c.pair, c.box, {k}, worst * Rational(1023, 1024), Verdict::FALSIFIED, chosen, full);
  }
}

TEST_CASE("all-outputs verification agrees with the oracle's infinity norm") {
  std::mt19937_64 rng(31);
  for (int trial = 0; trial < 8; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 60);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    Rational worst = 0;
    for (std::size_t k = 0; k < oracle.outputs.size(); ++k) worst = std::max(worst, oracle.outputs[k].max_abs());
    check_all(c.pair, c.box, {}, worst, Verdict::VERIFIED, false);
    if (worst > 0) check_all(c.pair, c.box, {}, worst * Rational(255, 256), Verdict::FALSIFIED, false);
  }
}

TEST_CASE("the technical report's example is decided either side of its true maximum error") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  Rational worst = eval::run_oracle(pair, box).outputs[0].max_abs();  // 0.15216...
  check_all(pair, box, {0}, worst, Verdict::VERIFIED, true, true);
  check_all(pair, box, {0}, Rational(15, 100), Verdict::FALSIFIED, true, true);
  check_all(pair, box, {0}, Rational(16, 100), Verdict::VERIFIED, false, true);
}

TEST_CASE("the exact bit-vector encoding (bv, QF_BV) agrees with the oracle on random small networks") {
  // One hidden layer keeps the scaled DNN constants near 60 bits; both backends, every variant
  // (fresh, unpruned, per-query) on every third network.
  std::mt19937_64 rng(8);
  std::vector<Combination> bv;
  for (const Combination& c : solver_combinations(true))
    if (c.encoding == "bv") bv.push_back(c);
  REQUIRE(bv.size() == smt::available_backends().size());
  for (int trial = 0, n = test::trials(10); trial < n; ++trial) {
    std::size_t inputs = std::uniform_int_distribution<std::size_t>(1, 2)(rng);
    std::size_t hidden = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
    std::size_t outputs = std::uniform_int_distribution<std::size_t>(1, 2)(rng);
    test::RandomCase c = test::random_case(rng, inputs, {hidden}, outputs, 50);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, outputs - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    check_combinations(c.pair, c.box, {k}, worst, Verdict::VERIFIED, bv, trial % 3 == 0);
    if (worst > 0) check_combinations(c.pair, c.box, {k}, worst * Rational(1023, 1024), Verdict::FALSIFIED, bv, trial % 3 == 0);
  }
}

TEST_CASE("the QEBVerif 784-100-10 network on an enumerable box (three free pixels)") {
  quant::ModelPair pair = test::qebverif_pair("1blk_100", 4);
  spec::Box box = test::few_free_pixels(5656, 3, 60, 200, 4);
  eval::OracleResult oracle = eval::run_oracle(pair, box);
  REQUIRE(oracle.exhaustive);
  for (std::size_t k : {std::size_t(0), std::size_t(8)}) {
    Rational worst = oracle.outputs[k].max_abs();
    check_all(pair, box, {k}, worst, Verdict::VERIFIED, false);
    check_all(pair, box, {k}, worst - Rational(1, 1000000), Verdict::FALSIFIED, false);
  }
}

TEST_CASE("incompatible backend/encoding pairs are rejected before any work") {
  quant::ModelPair pair;
  CHECK(verify::incompatibility("cvc5", "bv-lra-nat").has_value());
  CHECK(!verify::incompatibility("z3", "bv-lra-nat").has_value());
  CHECK(!verify::incompatibility("cvc5", "bv-lra").has_value());
}

TEST_CASE("the attack alone finds counterexamples below the true bound, and they replay") {
  std::mt19937_64 rng(12);
  int found = 0;
  for (int trial = 0; trial < 30; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 2000);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    Rational worst = oracle.outputs[0].max_abs();
    if (worst == 0) continue;
    verify::VerifyOptions o;
    o.eps = worst * Rational(99, 100);
    o.outputs = {0};
    o.attack_samples = 3000;
    o.engine = verify::Engine::SMT;  // no enumeration of the small box first
    verify::VerifyResult r = verify::verify(c.pair, c.box, o);
    CHECK(r.verdict == Verdict::FALSIFIED);
    check_counterexample(c.pair, c.box, r, o.eps);
    found += r.outputs[0].decided_by == verify::Stage::ATTACK;
  }
  CHECK(found > 10);
}
