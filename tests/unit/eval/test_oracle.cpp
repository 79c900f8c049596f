// The oracle against plain exact enumeration, which shares none of its shortcuts.
#include <doctest/doctest.h>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "quant/quantize.h"
#include "support/mnist_boxes.h"
#include "support/random_network.h"
#include "support/tr_example.h"

using namespace qeb;
using namespace qeb::eval;

namespace {

struct NaiveRange {
  std::vector<Rational> min, max;
};

// Every point of the box, every output, in exact rational arithmetic.
NaiveRange enumerate_exactly(const quant::ModelPair& pair, const spec::Box& box) {
  NaiveRange r;
  bool first = true;
  spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    PairOutput out = evaluate_pair(pair, x);
    if (first) {
      r.min = r.max = out.diff;
      first = false;
    }
    for (std::size_t j = 0; j < out.diff.size(); ++j) {
      if (out.diff[j] < r.min[j]) r.min[j] = out.diff[j];
      if (out.diff[j] > r.max[j]) r.max[j] = out.diff[j];
    }
  });
  return r;
}

void check_witnesses(const quant::ModelPair& pair, const spec::Box& box, const OracleResult& result) {
  for (const OutputRange& r : result.outputs) {
    CHECK(box.contains(r.max.input));
    CHECK(box.contains(r.min.input));
    CHECK(evaluate_pair(pair, r.max.input).diff[r.output] == r.max.diff);
    CHECK(evaluate_pair(pair, r.min.input).diff[r.output] == r.min.diff);
  }
}

}  // namespace

TEST_CASE("exhaustive oracle = exact enumeration on random small networks") {
  std::mt19937_64 rng(2023);
  for (int trial = 0; trial < 200; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 150);
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    OracleResult result = run_oracle(c.pair, c.box);
    REQUIRE(result.exhaustive);
    CHECK(result.points_evaluated == c.box.point_count());
    NaiveRange naive = enumerate_exactly(c.pair, c.box);
    REQUIRE(result.outputs.size() == naive.max.size());
    for (const OutputRange& r : result.outputs) {
      CHECK(r.max.diff == naive.max[r.output]);
      CHECK(r.min.diff == naive.min[r.output]);
    }
    check_witnesses(c.pair, c.box, result);
  }
}

TEST_CASE("sampled oracle reports attained values inside the exact range") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 60; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 300);
    OracleOptions options;
    options.exhaustive_limit = 0;
    options.random_samples = 30;
    options.climb_evaluations = 40;
    options.seed = uint64_t(trial);
    OracleResult result = run_oracle(c.pair, c.box, options);
    CHECK(!result.exhaustive);
    NaiveRange naive = enumerate_exactly(c.pair, c.box);
    for (const OutputRange& r : result.outputs) {
      CHECK(r.max.diff <= naive.max[r.output]);
      CHECK(r.min.diff >= naive.min[r.output]);
    }
    check_witnesses(c.pair, c.box, result);
  }
}

TEST_CASE("the technical report's region has the spec's exact error range (spec 6)") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  OracleResult result = run_oracle(pair, box);
  REQUIRE(result.outputs.size() == 1);
  CHECK(to_double(result.outputs[0].min.diff) == doctest::Approx(-0.1521667).epsilon(1e-6));
  CHECK(to_double(result.outputs[0].max.diff) == doctest::Approx(0.0020).epsilon(1e-6));
}

TEST_CASE("oracle on the QEBVerif 784-100-10 network with a few free pixels") {
  quant::ModelPair pair = test::qebverif_pair("1blk_100", 4);
  // Two bright pixels free by +-3: a handful of points, enumerable exactly.
  spec::Box box = test::few_free_pixels(3236, 2, 100, 250, 3);
  REQUIRE(box.point_count() == 49);
  OracleOptions options;
  options.outputs = {0, 7};
  OracleResult result = run_oracle(pair, box, options);
  NaiveRange naive = enumerate_exactly(pair, box);
  for (const OutputRange& r : result.outputs) {
    CHECK(r.max.diff == naive.max[r.output]);
    CHECK(r.min.diff == naive.min[r.output]);
  }
}
