// The exact evaluators on affine (ONNX) QNNs: the fixtures' outputs against the reference semantics
// make_fixtures.py computes in Python fractions straight from the ONNX operator definitions, the
// fast point evaluator's error bound, and the oracle against brute force.
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/difference.h"
#include "eval/eval_qnn.h"
#include "eval/oracle.h"
#include "eval/point_evaluator.h"
#include "quant/affine.h"
#include "support/paths.h"
#include "support/random_network.h"

using namespace qeb;

namespace {
using qeb::test::fixture;
}  // namespace

TEST_CASE("affine fixtures evaluate exactly as the ONNX reference semantics (Python fractions)") {
  std::ifstream in(fixture("expected.json"));
  REQUIRE(in.good());
  nlohmann::json expected = nlohmann::json::parse(in)["affine"];
  REQUIRE(expected.size() >= 8);
  for (auto& [name, cases] : expected.items()) {
    CAPTURE(name);
    quant::QNetwork qnn = quant::load_affine_qnn(fixture(name));
    for (std::size_t n = 0; n < cases["inputs"].size(); ++n) {
      std::vector<int64_t> x = cases["inputs"][n].get<std::vector<int64_t>>();
      eval::QnnOutput out = eval::eval_qnn(qnn, x);
      for (std::size_t j = 0; j < out.acc.size(); ++j) {
        CAPTURE(j);
        CHECK(out.value(j) == parse_rational(cases["outputs"][n][j].get<std::string>()));
      }
    }
  }
}

TEST_CASE("the point evaluator's error bound holds on affine networks") {
  std::mt19937_64 rng(1519);
  int points = 0;
  for (int trial = 0; trial < 60; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, 50);
    eval::PointEvaluator fast(c.pair, c.box);
    spec::for_each_point(c.box, [&](const std::vector<int64_t>& x) {
      fast.evaluate(x);
      eval::PairOutput exact = eval::evaluate_pair(c.pair, x);
      for (std::size_t j = 0; j < exact.diff.size(); ++j) {
        Rational gap = rational_from_double(fast.approx()[j]) - exact.diff[j];
        CHECK(abs(gap) <= rational_from_double(fast.error()[j]));
      }
      ++points;
    });
  }
  CHECK(points > 500);
}

TEST_CASE("the oracle's range on affine networks is the brute-force exact range") {
  std::mt19937_64 rng(1520);
  for (int trial = 0; trial < 40; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, 200);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    REQUIRE(oracle.exhaustive);
    std::vector<Rational> lo(oracle.outputs.size()), hi(oracle.outputs.size());
    bool first = true;
    spec::for_each_point(c.box, [&](const std::vector<int64_t>& x) {
      eval::PairOutput exact = eval::evaluate_pair(c.pair, x);
      for (std::size_t j = 0; j < exact.diff.size(); ++j) {
        if (first || exact.diff[j] < lo[j]) lo[j] = exact.diff[j];
        if (first || exact.diff[j] > hi[j]) hi[j] = exact.diff[j];
      }
      first = false;
    });
    for (std::size_t j = 0; j < lo.size(); ++j) {
      CAPTURE(trial);
      CHECK(oracle.outputs[j].min.diff == lo[j]);
      CHECK(oracle.outputs[j].max.diff == hi[j]);
    }
  }
}

TEST_CASE("rounding half to even of exact quotients") {
  CHECK(round_quotient(5, 2, Rounding::HALF_EVEN) == 2);
  CHECK(round_quotient(7, 2, Rounding::HALF_EVEN) == 4);
  CHECK(round_quotient(-5, 2, Rounding::HALF_EVEN) == -2);
  CHECK(round_quotient(-7, 2, Rounding::HALF_EVEN) == -4);
  CHECK(round_quotient(-5, 2, Rounding::HALF_UP) == -2);
  CHECK(round_quotient(5, 2, Rounding::HALF_UP) == 3);
  CHECK(round_quotient(9, 6, Rounding::HALF_EVEN) == 2);    // 1.5
  CHECK(round_quotient(15, 6, Rounding::HALF_EVEN) == 2);   // 2.5
  CHECK(round_quotient(16, 6, Rounding::HALF_EVEN) == 3);   // 2.67
  CHECK(round_quotient(-16, 6, Rounding::HALF_EVEN) == -3);
  CHECK(round_quotient(-14, 6, Rounding::HALF_EVEN) == -2);
  CHECK(round_quotient(-15, 6, Rounding::HALF_EVEN) == -2);  // -2.5
  CHECK(round_quotient(-21, 6, Rounding::HALF_EVEN) == -4);  // -3.5
  CHECK(round_quotient(0, 7, Rounding::HALF_EVEN) == 0);
  // Half up agrees with the arithmetic shift it generalises.
  for (int64_t a = -40; a <= 40; ++a)
    for (int e = 0; e < 4; ++e) CHECK(round_quotient(a, i128(1) << e, Rounding::HALF_UP) == round_half_up_shift(a, e));
}
