// Hand-computed forward passes of small QNNs (spec 1.5) and the exactness of the DNN evaluators.
#include <doctest/doctest.h>

#include <cmath>
#include <thread>

#include "core/error.h"
#include "eval/difference.h"
#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"
#include "eval/point_evaluator.h"
#include "quant/quantize.h"
#include "support/random_network.h"
#include "support/tr_example.h"

using namespace qeb;
using namespace qeb::eval;

namespace {

//   x1 --0.75--> h1 (bias 0.5)  --1.0--->  y (bias 0.5)
//   x2 --(-0.5)/                 /
//   x1 --1.5---> h2 (bias -1.0) --(-0.25)
//   x2 --1.25--/
// in=u4.2, w=s4.2, b=s4.1, h=u3.1, scale 4: the DNN sees exactly the QNN's real input.
quant::ModelPair hand_pair() {
  model::Network n;
  n.source = "hand";
  n.layers.push_back({2, 2, {0.75, -0.5, 1.5, 1.25}, {0.5, -1.0}, true});
  n.layers.push_back({2, 1, {1.0, -0.25}, {0.5}, false});
  return quant::make_pair(n, quant::parse_quant_config("in=u4.2,w=s4.2,b=s4.1,h=u3.1,scale=4"));
}

}  // namespace

TEST_CASE("activations round half up by arithmetic shift, then clamp (spec 1.5)") {
  CHECK(round_half_up_shift(20, 3) == 3);    // 2.5 -> 3
  CHECK(round_half_up_shift(-4, 3) == 0);    // -0.5 -> 0 (toward +inf, not away from zero)
  CHECK(round_half_up_shift(-12, 3) == -1);  // -1.5 -> -1
  CHECK(round_half_up_shift(-13, 3) == -2);  // -1.625 -> -2
  CHECK(round_half_up_shift(35, 3) == 4);    // 4.375 -> 4
  CHECK(round_half_up_shift(-7, 0) == -7);   // no shift, no rounding
  FixedPointFormat h{false, 3, 1};
  CHECK(quantized_activation(149, 3, h) == 7);  // 18.625 -> 19, saturates at 7
  CHECK(quantized_activation(-12, 3, h) == 0);  // ReLU side of the clamp
}

TEST_CASE("the hand-computed network gives the expected integers") {
  quant::ModelPair pair = hand_pair();
  CHECK(pair.qnn.layers[0].weights == std::vector<int64_t>{3, -2, 6, 5});
  CHECK(pair.qnn.layers[0].bias == std::vector<int64_t>{1, -2});
  CHECK(pair.qnn.layers[1].weights == std::vector<int64_t>{4, -1});
  CHECK(pair.qnn.layers[1].bias == std::vector<int64_t>{1});

  SUBCASE("a positive tie in the first hidden neuron") {
    QnnTrace trace;
    QnnOutput out = eval_qnn(pair.qnn, {6, 3}, &trace);
    CHECK(trace.acc[0] == std::vector<i128>{20, 35});
    CHECK(trace.activations[0] == std::vector<int64_t>{3, 4});
    CHECK(out.acc[0] == 12);
    CHECK(out.frac_bits == 3);
    PairOutput p = evaluate_pair(pair, {6, 3});
    CHECK(p.qnn[0] == Rational(3, 2));
    CHECK(p.dnn[0] == Rational(77, 64));  // 1.203125
    CHECK(p.diff[0] == Rational(19, 64));
  }
  SUBCASE("saturation of the second hidden neuron") {
    QnnTrace trace;
    QnnOutput out = eval_qnn(pair.qnn, {15, 15}, &trace);
    CHECK(trace.acc[0] == std::vector<i128>{23, 149});
    CHECK(trace.activations[0] == std::vector<int64_t>{3, 7});
    CHECK(out.value(0) == Rational(9, 8));
  }
  SUBCASE("a negative tie rounds up to zero") {
    QnnTrace trace;
    eval_qnn(pair.qnn, {0, 6}, &trace);
    CHECK(trace.acc[0] == std::vector<i128>{-4, 14});
    CHECK(trace.activations[0] == std::vector<int64_t>{0, 2});
  }
  CHECK_THROWS_WITH_AS(eval_qnn(pair.qnn, {16, 0}), doctest::Contains("outside the input format"), OptionError);
  CHECK_THROWS_WITH_AS(eval_qnn(pair.qnn, {1}), doctest::Contains("2 inputs"), OptionError);
}

TEST_CASE("the technical report's example at its centre (spec 6)") {
  quant::ModelPair pair = test::tr_pair();
  QnnTrace trace;
  QnnOutput out = eval_qnn(pair.qnn, {9, 6}, &trace);
  CHECK(trace.acc[0] == std::vector<i128>{39, -9});  // 39/16 = 2.4375 -> 2; -9/16 -> 0
  CHECK(trace.activations[0] == std::vector<int64_t>{2, 0});
  CHECK(out.value(0) == Rational(1, 8));
  std::vector<Rational> dnn = eval_dnn_exact(pair.dnn, {9, 6}, pair.input_scale);
  CHECK(std::fabs(to_double(dnn[0]) - 0.192) < 1e-12);
}

TEST_CASE("the fast point evaluator's error bound holds on random networks") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 150; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 60);
    PointEvaluator fast(c.pair, c.box);
    std::vector<int64_t> x = c.box.lo;
    for (int point = 0; point < 5; ++point) {
      for (std::size_t k = 0; k < x.size(); ++k)
        x[k] = std::uniform_int_distribution<int64_t>(c.box.lo[k], c.box.hi[k])(rng);
      fast.evaluate(x);
      PairOutput exact = evaluate_pair(c.pair, x);
      for (std::size_t j = 0; j < exact.diff.size(); ++j) {
        double gap = std::fabs(to_double(exact.diff[j] - rational_from_double(fast.approx()[j])));
        CHECK(gap <= fast.error()[j]);
        CHECK(fast.error()[j] < 1e-9);  // and the bound is tight enough to be useful
      }
    }
  }
}

TEST_CASE("the double DNN evaluator agrees with the exact one") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 10);
    std::vector<double> real;
    for (int64_t v : c.box.lo) real.push_back(to_double(Rational(v) / c.pair.input_scale));
    std::vector<double> approx = eval_dnn_double(c.pair.dnn, real);
    std::vector<Rational> exact = eval_dnn_exact(c.pair.dnn, c.box.lo, c.pair.input_scale);
    for (std::size_t j = 0; j < exact.size(); ++j) CHECK(std::fabs(approx[j] - to_double(exact[j])) < 1e-12);
  }
}

TEST_CASE("a pair evaluator made once gives the exact outputs at every point, from several threads at once") {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 30; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 60);
    const PairEvaluator evaluate(c.pair);
    std::vector<std::vector<int64_t>> points;
    for (int point = 0; point < 20; ++point) {
      std::vector<int64_t> x(c.box.dimension());
      for (std::size_t k = 0; k < x.size(); ++k)
        x[k] = std::uniform_int_distribution<int64_t>(c.box.lo[k], c.box.hi[k])(rng);
      points.push_back(x);
    }
    // Each thread evaluates every point; the results are compared afterwards (doctest's checks
    // are not for worker threads).
    std::vector<std::vector<PairOutput>> got(2, std::vector<PairOutput>(points.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
      threads.emplace_back([&, t] {
        for (std::size_t i = 0; i < points.size(); ++i) got[t][i] = evaluate(points[i]);
      });
    for (std::thread& t : threads) t.join();
    for (std::size_t i = 0; i < points.size(); ++i) {
      // The oracle: rational arithmetic on the DNN, the QNN's own integer evaluation.
      const std::vector<Rational> dnn = eval_dnn_exact(c.pair.dnn, points[i], c.pair.input_scale);
      const QnnOutput qnn = eval_qnn(c.pair.qnn, points[i]);
      for (const auto& per_thread : got) {
        REQUIRE(per_thread[i].diff.size() == dnn.size());
        for (std::size_t j = 0; j < dnn.size(); ++j) {
          CHECK(per_thread[i].dnn[j] == dnn[j]);
          CHECK(per_thread[i].qnn[j] == qnn.value(j));
          CHECK(per_thread[i].diff[j] == qnn.value(j) - dnn[j]);
        }
      }
    }
  }
}
