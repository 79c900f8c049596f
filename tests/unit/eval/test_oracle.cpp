// The oracle against plain exact enumeration, which shares none of its shortcuts.
#include <doctest/doctest.h>

#include "eval/difference.h"
#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"
#include "eval/scaled_dnn.h"
#include "eval/violation_search.h"
#include "eval/oracle.h"
#include "quant/quantize.h"
#include "support/mnist_boxes.h"
#include "support/random_network.h"
#include "support/tr_example.h"
#include "support/trials.h"

using namespace qeb;
using namespace qeb::eval;

namespace {

struct NaiveRange {
  std::vector<Rational> min, max;
};

// Every point of the box, every output, in exact rational arithmetic (the DNN in plain rationals,
// not the scaled integers the oracle uses).
NaiveRange enumerate_exactly(const quant::ModelPair& pair, const spec::Box& box) {
  NaiveRange r;
  bool first = true;
  spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    PairOutput out;
    QnnOutput q = eval_qnn(pair.qnn, x);
    std::vector<Rational> dnn = eval_dnn_exact(pair.dnn, x, pair.input_scale);
    for (std::size_t j = 0; j < dnn.size(); ++j) out.diff.push_back(q.value(j) - dnn[j]);
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

TEST_CASE("the climb ends where no single move improves (its screened moves miss nothing)") {
  // One output, maximised only, a budget the climb never exhausts: the witness is where the climb
  // stopped, so no move of one coordinate (to either end, or by one) may beat it, in exact terms.
  std::mt19937_64 rng(77);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    test::RandomCase c = test::random_case(rng, 4, {6, 5}, 2, 3000);
    if (c.box.free_dimensions().empty()) continue;
    OracleOptions options;
    options.exhaustive_limit = 0;
    options.random_samples = 3;
    options.climb_evaluations = 1'000'000;
    options.outputs = {1};
    options.search_min = false;
    options.seed = uint64_t(trial);
    const OracleResult result = run_oracle(c.pair, c.box, options);
    const Witness& best = result.outputs[0].max;
    for (std::size_t k : c.box.free_dimensions())
      for (int64_t v : {c.box.lo[k], c.box.hi[k], best.input[k] - 1, best.input[k] + 1}) {
        if (v < c.box.lo[k] || v > c.box.hi[k]) continue;
        std::vector<int64_t> y = best.input;
        y[k] = v;
        const Rational neighbour = evaluate_pair(c.pair, y).diff[1];
        CHECK(to_double(neighbour - best.diff) <= 1e-9);
      }
    ++checked;
  }
  CHECK(checked >= 30);
}

TEST_CASE("a cancelled sampled oracle stops at once, its witnesses still exact") {
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 20; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 300);
    OracleOptions options;
    options.exhaustive_limit = 0;
    options.random_samples = 5000;
    options.climb_evaluations = 5000;
    options.seed = uint64_t(trial);
    const OracleResult full = run_oracle(c.pair, c.box, options);
    std::atomic<bool> cancel{true};
    options.cancel = &cancel;
    const OracleResult cut = run_oracle(c.pair, c.box, options);
    CHECK(full.points_evaluated >= 5000);
    CHECK(cut.points_evaluated <= 70);  // the corners and the centre, then at most one check interval
    NaiveRange naive = enumerate_exactly(c.pair, c.box);
    for (const OutputRange& r : cut.outputs) {
      CHECK(r.max.diff <= naive.max[r.output]);
      CHECK(r.min.diff >= naive.min[r.output]);
    }
    check_witnesses(c.pair, c.box, cut);
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

TEST_CASE("the scaled-integer DNN equals rational evaluation, whatever the input scale") {
  std::mt19937_64 rng(41);
  for (int trial = 0, n = test::trials(200); trial < n; ++trial) {
    test::RandomCase c = trial % 2 ? test::random_small_case(rng, 50) : test::random_case(rng, 4, {6, 5, 4}, 3, 50);
    if (trial % 5 == 0) c.pair.input_scale = Rational(255, 4 + trial % 3);  // non-integer scales too
    ScaledDnn scaled(c.pair.dnn, c.pair.input_scale);
    spec::for_each_point(c.box, [&](const std::vector<int64_t>& x) {
      CHECK(scaled.evaluate(x) == eval_dnn_exact(c.pair.dnn, x, c.pair.input_scale));
    });
  }
}

// A box where every point ties (the first layer is dead in both networks, so both outputs are
// constant): every point is a candidate extreme, yet only one needs the whole networks exactly.
TEST_CASE("ties: points with the same first-layer state are evaluated exactly once") {
  std::mt19937_64 rng(42);
  test::RandomCase c = test::random_case(rng, 5, {8, 8}, 2, 20000);
  for (double& b : c.pair.dnn.layers[0].bias) b = -1e6;
  quant::QLayer& q0 = c.pair.qnn.layers[0];
  for (int64_t& b : q0.bias) b = q0.bias_format.min_int();
  for (int64_t& w : q0.weights) w = 0;  // the QNN's first layer: its (negative) bias alone
  // 7^5 points; 5^5 where trials are scaled down (the sanitizer pass, where the enumeration in
  // rationals below takes most of the time).
  const int64_t side = test::trial_scale() < 1 ? 5 : 7;
  const uint64_t points = side * side * side * side * side;
  c.box = spec::Box{std::vector<int64_t>(5, 0), std::vector<int64_t>(5, side - 1)};
  c.pair.qnn.input_format = FixedPointFormat{false, 8, 8};
  OracleResult r = run_oracle(c.pair, c.box, {});
  REQUIRE(r.exhaustive);
  CHECK(r.points_evaluated == points);
  CHECK(r.exact_evaluations > points / 16);  // every point was a candidate ...
  CHECK(r.full_evaluations == 1);     // ... and one whole evaluation served them all
  NaiveRange naive = enumerate_exactly(c.pair, c.box);
  for (const OutputRange& o : r.outputs) {
    CHECK(o.max.diff == naive.max[o.output]);
    CHECK(o.min.diff == naive.min[o.output]);
  }
}

TEST_CASE("find_violation agrees with exhaustive enumeration, on one side or both, on any number of threads") {
  std::mt19937_64 rng(43);
  int found = 0;
  const int n = test::trials(120);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 2 ? test::random_small_case(rng, 400) : test::random_case(rng, 3, {5, 4}, 2, 400);
    NaiveRange naive = enumerate_exactly(c.pair, c.box);
    std::size_t k = trial % c.pair.qnn.output_size();
    Rational top = std::max(naive.max[k], Rational(-naive.min[k]));
    unsigned threads = 1 + trial % 3;
    CAPTURE(trial);
    // At the exact maximum: nothing exceeds it.
    CHECK_FALSE(find_violation(c.pair, c.box, {k}, top, threads));
    // Just below it: a violation, exact and in the box.
    if (top > 0) {
      Rational eps = top - top / 1000;
      auto v = find_violation(c.pair, c.box, {k}, eps, threads);
      REQUIRE(v);
      ++found;
      CHECK(c.box.contains(v->input));
      CHECK(v->output == k);
      CHECK((v->diff > eps || v->diff < -eps));
      CHECK(evaluate_pair(c.pair, v->input).diff[k] == v->diff);
    }
    // One side: diff > eps only where the maximum exceeds eps.
    Rational eps = std::max(Rational(0), naive.max[k] - Rational(1, 100000));
    auto above = find_violation(c.pair, c.box, {k}, eps, threads, +1);
    CHECK(above.has_value() == (naive.max[k] > eps));
    if (above) CHECK(above->diff > eps);
  }
  CHECK(found > n * 2 / 3);  // 80 of 120
}
