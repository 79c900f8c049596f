// Soundness of every DRA bound against exhaustive exact evaluation of every neuron, on random
// small networks and quantizations (sound semantics: all modes; published: Sym, which the spec
// shows sound).
#include <doctest/doctest.h>

#include "dra/diff_analysis.h"
#include "eval/eval_qnn.h"
#include "support/neuron_trace.h"
#include "support/random_network.h"
#include "support/trials.h"

using namespace qeb;
using namespace qeb::dra;
using qeb::test::Trace;
using qeb::test::trace;

namespace {

bool inside(const Interval& i, const Rational& v) { return rational_from_double(i.lo) <= v && v <= rational_from_double(i.hi); }

// Checks every bound of `r` at every point of the box; returns the number of violations.
int violations(const quant::ModelPair& pair, const spec::Box& box, const DraResult& r, bool check_delta_in) {
  int bad = 0;
  spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    Trace t = trace(pair, x);
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      const LayerReport& layer = r.layers[i];
      for (std::size_t j = 0; j < layer.delta.size(); ++j) {
        bad += !inside(layer.dnn_pre[j], t.dnn_pre[i][j]);
        bad += !inside(layer.dnn_post[j], t.dnn_post[i][j]);
        bad += !inside(layer.qnn_pre[j], t.qnn_pre[i][j]);
        bad += !inside(layer.delta[j], t.qnn_post[i][j] - t.dnn_post[i][j]);
        if (check_delta_in) bad += !inside(layer.delta_in[j], t.qnn_pre[i][j] - t.dnn_pre[i][j]);
        if (i + 1 < r.layers.size()) {
          // A phase claimed stable must hold at every point.
          bool dnn_active = t.dnn_pre[i][j] >= 0;
          if (layer.dnn_phase[j] == DnnPhase::ACTIVE) bad += !dnn_active;
          if (layer.dnn_phase[j] == DnnPhase::INACTIVE) bad += t.dnn_pre[i][j] > 0;
        }
      }
    }
  });
  return bad;
}

}  // namespace

TEST_CASE("sound DRA bounds contain every exact value on random networks (all modes)") {
  std::mt19937_64 rng(8);
  int cases = 0;
  const int n = test::trials(300);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 60);
    for (DraMode mode : {DraMode::BASE, DraMode::CON, DraMode::SYM}) {
      CAPTURE(trial);
      CAPTURE(to_string(mode));
      CAPTURE(c.config.to_string());
      DraResult r = run_dra(c.pair, c.box, {mode, Semantics::SOUND, true});
      CHECK(violations(c.pair, c.box, r, mode != DraMode::BASE) == 0);
      ++cases;
    }
  }
  CHECK(cases == 3 * n);
}

TEST_CASE("sound DRA holds on deeper and wider random networks") {
  std::mt19937_64 rng(81);
  for (int trial = 0, n = test::trials(40); trial < n; ++trial) {
    test::RandomCase c = test::random_case(rng, 3, {5, 6, 4}, 3, 120);
    for (DraMode mode : {DraMode::CON, DraMode::SYM}) {
      CAPTURE(trial);
      DraResult r = run_dra(c.pair, c.box, {mode, Semantics::SOUND, true});
      CHECK(violations(c.pair, c.box, r, true) == 0);
    }
    DraResult plain = run_dra(c.pair, c.box, {DraMode::SYM, Semantics::SOUND, false});
    CHECK(violations(c.pair, c.box, plain, true) == 0);
  }
}

TEST_CASE("published Sym is sound too (P1 integerises integer-valued nodes only; P2/P3 only loosen)") {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 60);
    CAPTURE(trial);
    DraResult r = run_dra(c.pair, c.box, {DraMode::SYM, Semantics::PUBLISHED, true});
    CHECK(violations(c.pair, c.box, r, true) == 0);
  }
}

// The affine (ONNX) scheme: half a step of an arbitrary scale as the rounding error, zero points,
// biases off the accumulator grid, quantized outputs with a clamp on both sides.
TEST_CASE("sound DRA bounds contain every exact value on random affine networks (all modes)") {
  std::mt19937_64 rng(15);
  int checked = 0;
  const int n = test::trials(150);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = test::random_small_affine_case(rng, 60);
    for (DraMode mode : {DraMode::BASE, DraMode::CON, DraMode::SYM}) {
      CAPTURE(trial);
      CAPTURE(to_string(mode));
      DraResult r = run_dra(c.pair, c.box, {mode, Semantics::SOUND, true});
      CHECK(violations(c.pair, c.box, r, mode != DraMode::BASE) == 0);
      // The QNN's post-clamp bounds and the integer bounds of every rounded hidden value.
      int bad = 0;
      spec::for_each_point(c.box, [&](const std::vector<int64_t>& x) {
        Trace t = trace(c.pair, x);
        for (std::size_t i = 0; i < r.layers.size(); ++i)
          for (std::size_t j = 0; j < r.layers[i].qnn_post.size(); ++j) {
            bad += !inside(r.layers[i].qnn_post[j], t.qnn_post[i][j]);
            if (i + 1 < r.layers.size())
              bad += t.qnn_rounded[i][j] < r.layers[i].qnn_pre_lo[j] || t.qnn_rounded[i][j] > r.layers[i].qnn_pre_hi[j];
          }
      });
      CHECK(bad == 0);
      ++checked;
    }
  }
  CHECK(checked == 3 * n);
}

TEST_CASE("the published semantics are refused for an affine QNN") {
  std::mt19937_64 rng(16);
  test::RandomCase c = test::random_small_affine_case(rng, 10);
  CHECK_THROWS_AS(run_dra(c.pair, c.box, {DraMode::SYM, Semantics::PUBLISHED, true}), UnsupportedError);
}
