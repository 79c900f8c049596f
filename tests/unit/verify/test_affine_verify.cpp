// Affine (ONNX) QNNs through the SMT pipeline and max-error, against exhaustive enumeration: every
// backend and encoding (QNN rounding half to even as linear or bit-vector constraints), verdicts
// either side of the true maximum, replayed counterexamples, hand-made ties.
#include <doctest/doctest.h>

#include "core/error.h"
#include "encodings/encoding.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "quant/affine.h"
#include "smt/backend.h"
#include "support/random_network.h"
#include "support/solver_combinations.h"
#include "support/trials.h"
#include "verify/max_error.h"
#include "verify/verifier.h"

using namespace qeb;
using test::Combination;
using test::solver_combinations;
using verify::Verdict;

namespace {

verify::VerifyResult run(const test::RandomCase& c, const Combination& how, const std::vector<std::size_t>& outputs,
                         const Rational& eps, bool prune) {
  verify::VerifyOptions o;
  o.engine = verify::Engine::SMT;  // the encodings, not enumeration
  o.attack_samples = 0;
  o.eps = eps;
  o.outputs = outputs;
  o.backend = how.backend;
  o.encoding = how.encoding;
  o.prune = prune;
  verify::VerifyResult r = verify::verify(c.pair, c.box, o);
  for (const verify::OutputResult& out : r.outputs)
    if (out.counterexample) {
      const verify::Counterexample& x = *out.counterexample;
      CHECK(c.box.contains(x.input));
      CHECK(eval::evaluate_pair(c.pair, x.input).diff[x.output] == x.diff);
      CHECK((x.diff > eps || x.diff < -eps));
    }
  return r;
}

// Output k at eps = its exact maximum error is verified; just below it, falsified (run replays).
void check_either_side(const test::RandomCase& c, const Combination& how, std::size_t k, const Rational& worst,
                       bool prune) {
  CAPTURE(how.backend);
  CAPTURE(how.encoding);
  CAPTURE(prune);
  CAPTURE(to_string(worst));
  CHECK(run(c, how, {k}, worst, prune).verdict == Verdict::VERIFIED);
  if (worst > 0) CHECK(run(c, how, {k}, worst * Rational(1023, 1024), prune).verdict == Verdict::FALSIFIED);
}

// A 1-1-1 network on a per-tensor uint8 input: weights 1, scales 1 (input, weights), hidden scale
// `hidden_scale` and bias `bias` (in accumulator units), output real. The hidden value is
// round_half_even((x - z + bias) / hidden_scale); the box is x in [0, top].
test::RandomCase tie_case(double hidden_scale, int64_t bias, int64_t top) {
  model::QuantizedNetwork net;
  net.source = "ties";
  net.input.scale = {1.0};
  net.input.zero_point = {0};
  model::QuantizedDense hidden;
  hidden.inputs = hidden.outputs = 1;
  hidden.weights = {2};
  hidden.weight_zero_point = {1};
  hidden.acc_bias = {bias};
  hidden.acc_scale = {Rational(1)};
  hidden.bias = {Rational(0)};
  hidden.output = model::QuantParams{{hidden_scale}, {0}, false, 8};
  model::QuantizedDense out = hidden;
  out.acc_bias = {0};
  out.output.reset();
  // The hidden scale times 2^-10 (a float32 product, as ONNX's input scale times weight scale is):
  // the QNN output is 2^-10 hidden_scale h.
  out.acc_scale = {rational_from_double(hidden_scale) / Rational(BigInt(1) << 10)};
  net.layers = {hidden, out};
  model::Network dnn;
  dnn.source = "ties dnn";
  dnn.layers = {{1, 1, {0.0}, {0.0}, true}, {1, 1, {0.0}, {0.0}, false}};
  test::RandomCase c;
  c.pair = quant::make_affine_pair(std::move(dnn), quant::affine_qnn(net));
  c.box = {{0}, {top}};
  return c;
}

}  // namespace

TEST_CASE("affine: verdicts of every backend and encoding (bv: below) agree with enumeration, either side of the true bound") {
  // Each network runs one Z3 and one cvc5 combination in turn (every tenth: all of them, also unpruned).
  std::mt19937_64 rng(1515);
  std::vector<Combination> all = solver_combinations(), z3, cvc5;
  for (const Combination& c : all) (c.backend == "z3" ? z3 : cvc5).push_back(c);
  for (int trial = 0; trial < 50; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, trial % 10 == 0 ? 30 : 80);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, oracle.outputs.size() - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    bool full = trial % 10 == 0;
    std::vector<Combination> chosen = full ? all : std::vector<Combination>{z3[trial % z3.size()], cvc5[trial % cvc5.size()]};
    for (const Combination& how : chosen)
      for (bool prune : {true, false}) {
        if (!prune && !full) continue;
        CAPTURE(trial);
        check_either_side(c, how, k, worst, prune);
      }
  }
}

TEST_CASE("affine: the exact bit-vector encoding (bv, QF_BV) agrees with enumeration, either side of the true bound") {
  // One hidden layer of 1-3 neurons keeps the scaled DNN constants near 60-90 bits (cvc5: 0.1-2 s a
  // query); both backends, unpruned too on every third network.
  std::mt19937_64 rng(1616);
  std::vector<Combination> bv;
  for (const Combination& c : solver_combinations(true))
    if (c.encoding == "bv") bv.push_back(c);
  REQUIRE(bv.size() == smt::available_backends().size());
  for (int trial = 0, n = test::trials(10); trial < n; ++trial) {
    std::size_t inputs = std::uniform_int_distribution<std::size_t>(1, 2)(rng);
    std::size_t hidden = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
    std::size_t outputs = std::uniform_int_distribution<std::size_t>(1, 2)(rng);
    test::RandomCase c = test::random_affine_case(rng, inputs, {hidden}, outputs, 50);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, outputs - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    for (const Combination& how : bv)
      for (bool prune : {true, false}) {
        if (!prune && trial % 3 != 0) continue;
        CAPTURE(trial);
        check_either_side(c, how, k, worst, prune);
      }
  }
}

TEST_CASE("affine: exact ties round to even in the evaluators and in every encoding") {
  // acc = 2 (x - 0) - 1 * x + bias = x + bias; v = round_half_even((x + bias) / 2): x + bias odd is a tie.
  test::RandomCase c = tie_case(2.0, 1, 4);
  const quant::QNetwork& q = c.pair.qnn;
  CHECK(q.rounded(0, 0, 1) == 0);   // 0.5 -> 0
  CHECK(q.rounded(0, 0, 3) == 2);   // 1.5 -> 2
  CHECK(q.rounded(0, 0, 5) == 2);   // 2.5 -> 2
  CHECK(q.rounded(0, 0, 7) == 4);   // 3.5 -> 4
  CHECK(q.rounded(0, 0, -1) == 0);  // -0.5 -> 0
  CHECK(q.rounded(0, 0, -3) == -2); // -1.5 -> -2
  // A divisor that is not a power of two: scale 6, ties at 3 (mod 6).
  test::RandomCase six = tie_case(6.0, 0, 15);
  CHECK(six.pair.qnn.rounded(0, 0, 3) == 0);   // 0.5 -> 0
  CHECK(six.pair.qnn.rounded(0, 0, 9) == 2);   // 1.5 -> 2
  CHECK(six.pair.qnn.rounded(0, 0, 15) == 2);  // 2.5 -> 2
  CHECK(six.pair.qnn.rounded(0, 0, 21) == 4);  // 3.5 -> 4
  // The QNN output is 2^-10 s h (s the hidden scale; the DNN is 0). Over the boxes the largest h is
  // 2, reached at ties (2.5 -> 2) that half up would round to 3: every encoding must prove 2^-9 s
  // and refute just below.
  for (auto [t, s] : {std::pair{&c, 2}, std::pair{&six, 6}}) {
    eval::OracleResult oracle = eval::run_oracle(t->pair, t->box);
    Rational worst = oracle.outputs[0].max_abs();
    CHECK(worst == Rational(2 * s, 1024));
    for (const Combination& how : solver_combinations(true)) {
      CAPTURE(how.backend);
      CAPTURE(how.encoding);
      CHECK(run(*t, how, {0}, worst, true).verdict == Verdict::VERIFIED);
      CHECK(run(*t, how, {0}, worst - Rational(1, 4096), true).verdict == Verdict::FALSIFIED);
    }
  }
}

TEST_CASE("affine: max-error brackets the exact maximum, by the solver's bisection and by branch and bound") {
  std::mt19937_64 rng(1516);
  for (int trial = 0; trial < 8; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, 200);
    eval::OracleResult exact = eval::run_oracle(c.pair, c.box);
    verify::MaxErrorOptions o;
    o.backend = smt::available_backends()[std::size_t(trial) % smt::available_backends().size()];
    o.search_samples = trial % 4 < 2 ? 0 : 200;
    // The solver bisects each output to the tolerance; branch and bound (auto) closes the overall maximum.
    const bool per_output = trial % 2 == 0;
    o.engine = per_output ? verify::Engine::SMT : verify::Engine::AUTO;
    verify::MaxErrorResult r = verify::max_error(c.pair, c.box, o);
    CAPTURE(trial);
    CHECK(r.closed);
    for (const verify::OutputBracket& b : r.outputs) {
      Rational truth = exact.outputs[b.output].max_abs();
      CAPTURE(b.reason);
      if (per_output) CHECK(b.closed);
      CHECK(b.lower <= truth);
      CHECK(truth <= b.upper);
      CHECK(eval::evaluate_pair(c.pair, b.witness.input).diff[b.output] == b.witness.diff);
    }
  }
}

TEST_CASE("affine: a rounding rule the LP cannot state exactly: lp and bab refuse it, auto skips them") {
  std::mt19937_64 rng(1518);
  test::RandomCase c = test::random_small_affine_case(rng, 4000);
  CHECK(verify::lp_applies(c.pair.qnn));
  // A divisor beyond 2^53 (not a double): the LP would have to round its coefficient.
  c.pair.qnn.layers[0].affine->div[0] = (i128(1) << 60) + 1;
  CHECK_FALSE(verify::lp_applies(c.pair.qnn));
  verify::VerifyOptions o;
  o.eps = 0;
  o.attack_samples = 0;
  for (verify::Engine e : {verify::Engine::LP, verify::Engine::BAB}) {
    o.engine = e;
    CHECK_THROWS_WITH_AS(verify::verify(c.pair, c.box, o), doctest::Contains("beyond 2^53"), UnsupportedError);
  }
  o.engine = verify::Engine::AUTO;
  o.eps = 1000;
  verify::VerifyResult r = verify::verify(c.pair, c.box, o);
  CHECK(r.engine_stats.lp_solves == 0);
}

TEST_CASE("affine: --engine auto (DRA, attack, LP, branch and bound) agrees with enumeration") {
  // Enumeration off, so the verdict comes from DRA, the attack, the LP or branch and bound.
  std::mt19937_64 rng(1519);
  int lp_used = 0;
  for (int trial = 0; trial < 12; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, 120);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::size_t k = std::size_t(trial) % oracle.outputs.size();
    Rational worst = oracle.outputs[k].max_abs();
    verify::VerifyOptions o;
    o.engine = verify::Engine::AUTO;
    o.enumerate_limit = 0;
    o.attack_samples = trial % 2 ? 0 : 50;
    o.outputs = {k};
    o.backend = smt::available_backends()[std::size_t(trial) % smt::available_backends().size()];
    CAPTURE(trial);
    CAPTURE(to_string(worst));
    o.eps = worst;
    verify::VerifyResult proved = verify::verify(c.pair, c.box, o);
    CHECK(proved.verdict == Verdict::VERIFIED);
    lp_used += proved.engine_stats.lp_solves > 0;
    if (worst > 0) {
      o.eps = worst * Rational(1023, 1024);
      verify::VerifyResult refuted = verify::verify(c.pair, c.box, o);
      CHECK(refuted.verdict == Verdict::FALSIFIED);
      for (const verify::OutputResult& out : refuted.outputs)
        if (out.counterexample) CHECK(eval::evaluate_pair(c.pair, out.counterexample->input).diff[k] == out.counterexample->diff);
    }
  }
  CHECK(lp_used > 0);
}
