// The LP relaxation of both networks (lp/network_lp.h) against exhaustive exact evaluation:
// every rigorous bound it gives contains every exact value, over whole boxes, under random
// branch-and-bound restrictions (DRA within them), and after LP tightening of hidden neurons.
#include <doctest/doctest.h>

#include <optional>
#include <random>

#include "bounds/bound_method.h"
#include "bounds/subproblem.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include "lp/lp_bounder.h"
#include "lp/network_lp.h"
#include "support/neuron_trace.h"
#include "support/random_network.h"
#include "support/trials.h"

using namespace qeb;

namespace {

bool inside(const dra::Interval& i, const Rational& v) {
  return rational_from_double(i.lo) <= v && v <= rational_from_double(i.hi);
}

// Does the point satisfy the restriction (exact neuron values)?
bool satisfies(const test::Trace& t, const bounds::Restriction& r) {
  if (r.target == bounds::Target::DNN_PRE) {
    const Rational& z = t.dnn_pre[r.layer][r.neuron];
    return (!std::isfinite(r.lo) || z >= rational_from_double(r.lo)) && (!std::isfinite(r.hi) || z <= rational_from_double(r.hi));
  }
  int64_t q = t.qnn_rounded[r.layer][r.neuron];
  return (!std::isfinite(r.lo) || q >= r.lo) && (!std::isfinite(r.hi) || q <= r.hi);
}

// Counts exact values outside the bounds (neurons, phases and output differences) over the points
// of the box that satisfy `restrictions`; `points` gets how many did.
int violations(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& b,
               const std::vector<bounds::Restriction>& restrictions, int* points) {
  int bad = 0;
  *points = 0;
  spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    test::Trace t = test::trace(pair, x);
    for (const bounds::Restriction& r : restrictions)
      if (!satisfies(t, r)) return;
    ++*points;
    for (std::size_t i = 0; i + 1 < b.layers.size(); ++i) {
      const dra::LayerReport& L = b.layers[i];
      for (std::size_t j = 0; j < L.dnn_pre.size(); ++j) {
        bad += !inside(L.dnn_pre[j], t.dnn_pre[i][j]);
        bad += t.qnn_rounded[i][j] < L.qnn_pre_lo[j] || t.qnn_rounded[i][j] > L.qnn_pre_hi[j];
        bad += !inside(L.delta[j], t.qnn_post[i][j] - t.dnn_post[i][j]);
      }
    }
    const std::size_t last = b.layers.size() - 1;
    for (std::size_t g = 0; g < b.layers.back().delta.size(); ++g)
      bad += !inside(b.layers.back().delta[g], t.qnn_post[last][g] - t.dnn_post[last][g]);
  });
  return bad;
}

std::vector<std::size_t> all_outputs(const quant::ModelPair& pair) {
  std::vector<std::size_t> v;
  for (std::size_t g = 0; g < pair.qnn.output_size(); ++g) v.push_back(g);
  return v;
}

const dra::DraOptions kSound{dra::DraMode::SYM, dra::Semantics::SOUND, true};

// Loads `b` and narrows its output differences by the LP; every point of the box must lie within
// them. Returns how many outputs came out narrower than in `reference`.
int check_output_bounds(const test::RandomCase& c, lp::LpBounder& bounder, dra::DraResult& b,
                        const dra::DraResult& reference) {
  bounder.load(c.box, b);
  bounder.bound_outputs(b, all_outputs(c.pair));
  int points = 0;
  CHECK(violations(c.pair, c.box, b, {}, &points) == 0);
  int tighter = 0;
  for (std::size_t g = 0; g < b.layers.back().delta.size(); ++g)
    tighter += b.layers.back().delta[g].width() < reference.layers.back().delta[g].width() - 1e-9;
  return tighter;
}

}  // namespace

TEST_CASE("LP output bounds contain the exact range on random networks, and tighten DRA's") {
  std::mt19937_64 rng(21);
  int tighter = 0;
  const int n = test::trials(150);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 3 ? test::random_small_case(rng, 200) : test::random_case(rng, 3, {5, 4}, 2, 150);
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    dra::DraResult dra = dra::run_dra(c.pair, c.box, kSound);
    dra::DraResult b = dra;
    lp::LpBounder bounder(c.pair, dra, trial % 2 == 0);
    tighter += check_output_bounds(c, bounder, b, dra);
  }
  CHECK(tighter > n * 2 / 15);  // 20 of the full run's 150
}

TEST_CASE("DRA within branch-and-bound restrictions, then the LP, bound every point that satisfies them") {
  std::mt19937_64 rng(22);
  int infeasible = 0, restricted = 0;
  const int n = test::trials(200);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 2 ? test::random_small_case(rng, 150) : test::random_case(rng, 2, {4, 3}, 2, 150);
    CAPTURE(trial);
    dra::DraResult root = dra::run_dra(c.pair, c.box, kSound);
    bounds::Subproblem sub = bounds::Subproblem::root(c.box);
    auto parent = std::make_shared<const dra::DraResult>(root);
    // Up to three random restrictions, each applied to the bounds of the previous subproblem.
    for (int depth = 0; depth < 3; ++depth) {
      std::size_t i = rng() % (c.pair.qnn.layers.size() - 1);
      std::size_t j = rng() % c.pair.qnn.layers[i].outputs;
      bounds::Restriction r;
      r.layer = i, r.neuron = j;
      const double inf = std::numeric_limits<double>::infinity();
      if (rng() % 2) {
        r.target = bounds::Target::DNN_PRE;
        if (rng() % 2) r.lo = 0, r.hi = inf;
        else r.lo = -inf, r.hi = 0;
      } else {
        r.target = bounds::Target::QNN_PRE;
        int64_t lo = parent->layers[i].qnn_pre_lo[j], hi = parent->layers[i].qnn_pre_hi[j];
        int64_t m = lo + int64_t(rng() % uint64_t(std::max<int64_t>(1, hi - lo + 1)));
        if (rng() % 2) r.lo = -inf, r.hi = double(m);
        else r.lo = double(m), r.hi = inf;
      }
      sub = bounds::restrict(sub, parent, r);
      dra::DraResult b = dra::run_dra(c.pair, sub.box(), kSound, sub.within().get());
      int points = 0;
      if (b.infeasible) {
        ++infeasible;
        violations(c.pair, c.box, b, sub.restrictions, &points);
        CHECK(points == 0);  // empty means empty
        break;
      }
      lp::LpBounder bounder(c.pair, root, true);
      bounder.load(sub.box(), b);
      std::vector<lp::LpBound> found = bounder.bound_outputs(b, all_outputs(c.pair));
      CHECK(violations(c.pair, c.box, b, sub.restrictions, &points) == 0);
      if (b.infeasible) CHECK(points == 0);
      restricted += points > 0;
      parent = std::make_shared<const dra::DraResult>(b);
    }
  }
  CHECK(restricted > n / 2);    // 100 of the full run's 200
  CHECK(infeasible > n / 40);   // 5
}

// Strong branching's child LPs (NetworkLp::instantiate with lines off): the parent's relaxation
// lines with the child's bounds. They must bound every point of the child; after a ReLU phase split
// they are as tight as lines redrawn for the child (the phase is exact either way), after a QNN
// split never tighter. Every third network is affine (ONNX), whose clamps and quantized output
// take the same switched rows.
TEST_CASE("bounds-only child LPs over the parent's lines bound every point of the child") {
  std::mt19937_64 rng(26);
  int children = 0, dnn_equal = 0, qnn_looser = 0, affine = 0;
  const int n = test::trials(150);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 3 == 2 ? test::random_small_affine_case(rng, 150)
                         : trial % 3    ? test::random_small_case(rng, 150)
                                        : test::random_case(rng, 2, {4, 3}, 2, 150);
    CAPTURE(trial);
    if (lp::unsupported_reason(c.pair.qnn)) continue;  // an affine rule beyond 2^53 (rare)
    dra::DraResult parent = dra::run_dra(c.pair, c.box, kSound);
    // A neuron the parent leaves open in one network, split as branch and bound does
    // (bounds::split_bounds: the parent's bounds, that neuron narrowed and classified again).
    std::vector<std::pair<std::size_t, std::size_t>> open_dnn, open_qnn;
    for (std::size_t i = 0; i + 1 < parent.layers.size(); ++i)
      for (std::size_t j = 0; j < parent.layers[i].dnn_phase.size(); ++j) {
        if (parent.layers[i].dnn_phase[j] == dra::DnnPhase::UNSTABLE) open_dnn.push_back({i, j});
        if (parent.layers[i].qnn_pre_lo[j] < parent.layers[i].qnn_pre_hi[j]) open_qnn.push_back({i, j});
      }
    const bool dnn = !open_dnn.empty() && (open_qnn.empty() || rng() % 2);
    if (open_dnn.empty() && open_qnn.empty()) continue;
    const auto [i, j] = dnn ? open_dnn[rng() % open_dnn.size()] : open_qnn[rng() % open_qnn.size()];
    const bool low = rng() % 2;
    const double inf = std::numeric_limits<double>::infinity();
    bounds::Restriction r;
    r.layer = i, r.neuron = j;
    if (dnn) {
      r.target = bounds::Target::DNN_PRE;
      if (low) r.lo = -inf, r.hi = 0;
      else r.lo = 0, r.hi = inf;
    } else {
      r.target = bounds::Target::QNN_PRE;
      const int64_t lo = parent.layers[i].qnn_pre_lo[j], hi = parent.layers[i].qnn_pre_hi[j];
      const int64_t m = lo + int64_t(rng() % uint64_t(hi - lo));  // lo <= m < hi
      if (low) r.lo = -inf, r.hi = double(m);
      else r.lo = double(m + 1), r.hi = inf;
    }
    auto parent_bounds = std::make_shared<const dra::DraResult>(parent);
    const dra::DraResult child =
        *bounds::split_bounds(c.pair.qnn, bounds::restrict(bounds::Subproblem::root(c.box), parent_bounds, r));
    lp::LpBounder bounder(c.pair, parent, true);
    bounder.load(c.box, parent);  // the parent's lines
    bounder.load(c.box, child, false);
    dra::DraResult kept = child;
    bounder.bound_outputs(kept, all_outputs(c.pair));
    int points = 0;
    CHECK(violations(c.pair, c.box, kept, {r}, &points) == 0);
    if (kept.infeasible) CHECK(points == 0);
    children += points > 0;
    affine += c.pair.qnn.affine() && points > 0;
    // The same child with its own lines.
    bounder.load(c.box, child);
    dra::DraResult redrawn = child;
    bounder.bound_outputs(redrawn, all_outputs(c.pair));
    if (kept.infeasible || redrawn.infeasible) continue;
    bool equal = true, looser = false;
    for (std::size_t g = 0; g < kept.output_delta().size(); ++g) {
      const dra::Interval &k = kept.output_delta()[g], &d = redrawn.output_delta()[g];
      equal &= std::abs(k.lo - d.lo) <= 1e-7 && std::abs(k.hi - d.hi) <= 1e-7;
      looser |= k.lo < d.lo - 1e-7 || k.hi > d.hi + 1e-7;
      if (!dnn) CHECK(k.lo <= d.lo + 1e-7);  // never tighter than its own lines (up to float noise)
      if (!dnn) CHECK(k.hi >= d.hi - 1e-7);
    }
    if (dnn) CHECK(equal);
    dnn_equal += dnn && equal;
    qnn_looser += !dnn && looser;
  }
  CHECK(children > n / 2);     // the split leaves points in the child
  CHECK(dnn_equal > n / 10);   // ReLU splits were tried
  CHECK(affine > n / 10);      // and affine networks
  MESSAGE("QNN splits where the parent's lines were looser: " << qnn_looser);
}

TEST_CASE("LP tightening of hidden neurons keeps every bound sound") {
  std::mt19937_64 rng(23);
  int tightened = 0;
  const int n = test::trials(60);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = test::random_case(rng, 3, {5, 5}, 2, 150);
    CAPTURE(trial);
    dra::DraResult root = dra::run_dra(c.pair, c.box, kSound);
    lp::LpBounder bounder(c.pair, root, true);
    lp::TightenStats stats;
    dra::DraResult b = bounder.tighten(c.box, root, std::chrono::steady_clock::now() + std::chrono::seconds(5), &stats);
    tightened += stats.tightened > 0;
    REQUIRE_FALSE(b.infeasible);
    bounder.bound_outputs(b, all_outputs(c.pair));
    int points = 0;
    CHECK(violations(c.pair, c.box, b, {}, &points) == 0);
  }
  CHECK(tightened > n / 6);  // 10 of the full run's 60
}

TEST_CASE("the bound methods behind bounds::bound are sound, and LP is never looser than DRA") {
  std::mt19937_64 rng(24);
  for (int trial = 0, n = test::trials(60); trial < n; ++trial) {
    test::RandomCase c = test::random_case(rng, 3, {4, 4}, 2, 150);
    CAPTURE(trial);
    bounds::Subproblem root = bounds::Subproblem::root(c.box);
    dra::DraResult sym = bounds::bound(c.pair, root, bounds::Method::DRA_SYM);
    for (bounds::Method m : {bounds::Method::DRA_BASE, bounds::Method::DRA_CON, bounds::Method::DRA_SYM,
                             bounds::Method::LP}) {
      CAPTURE(bounds::to_string(m));
      bounds::BoundOptions o;
      o.tighten_seconds = trial % 3 == 0 ? 1 : 0;
      dra::DraResult b = bounds::bound(c.pair, root, m, o);
      int points = 0;
      CHECK(violations(c.pair, c.box, b, {}, &points) == 0);
      if (m == bounds::Method::LP)
        for (std::size_t g = 0; g < b.layers.back().delta.size(); ++g) {
          CHECK(b.layers.back().delta[g].lo >= sym.layers.back().delta[g].lo);
          CHECK(b.layers.back().delta[g].hi <= sym.layers.back().delta[g].hi);
        }
    }
  }
  CHECK(bounds::parse_method("lp") == bounds::Method::LP);
  CHECK_THROWS_AS(bounds::parse_method("milp"), OptionError);
}

// Affine (ONNX) QNNs: the accumulator columns, the half-to-even rounding rows with arbitrary
// multipliers and divisors, quantized or real outputs, zero points on the input.
TEST_CASE("affine QNNs: LP output bounds, under restrictions and after tightening, contain every exact value") {
  std::mt19937_64 rng(25);
  int restricted = 0, tighter = 0, cases = 0;
  const int n = test::trials(120);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 2 ? test::random_small_affine_case(rng, 150) : test::random_affine_case(rng, 2, {4, 3}, 2, 150);
    CAPTURE(trial);
    if (lp::unsupported_reason(c.pair.qnn)) continue;  // a rule beyond 2^53 (counted below: rare)
    ++cases;
    dra::DraResult root = dra::run_dra(c.pair, c.box, kSound);
    dra::DraResult b = root;
    lp::LpBounder bounder(c.pair, root, trial % 3 != 0);
    if (trial % 4 == 0) b = bounder.tighten(c.box, root, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    if (b.infeasible) continue;
    tighter += check_output_bounds(c, bounder, b, root);
    // One random restriction of a hidden QNN neuron's rounded value, DRA within it, then the LP.
    std::size_t i = rng() % (c.pair.qnn.layers.size() - 1), j = rng() % c.pair.qnn.layers[i].outputs;
    int64_t lo = root.layers[i].qnn_pre_lo[j], hi = root.layers[i].qnn_pre_hi[j];
    int64_t m = lo + int64_t(rng() % uint64_t(std::max<int64_t>(1, hi - lo + 1)));
    const double inf = std::numeric_limits<double>::infinity();
    bounds::Restriction r{bounds::Target::QNN_PRE, i, j, rng() % 2 ? -inf : double(m), 0};
    r.hi = std::isfinite(r.lo) ? inf : double(m);
    bounds::Subproblem sub = bounds::restrict(bounds::Subproblem::root(c.box), std::make_shared<const dra::DraResult>(root), r);
    dra::DraResult rb = dra::run_dra(c.pair, sub.box(), kSound, sub.within().get());
    if (rb.infeasible) continue;
    bounder.load(sub.box(), rb);
    bounder.bound_outputs(rb, all_outputs(c.pair));
    int points = 0;
    CHECK(violations(c.pair, c.box, rb, sub.restrictions, &points) == 0);
    if (rb.infeasible) CHECK(points == 0);
    restricted += points > 0;
  }
  CHECK(cases > n * 5 / 6);   // 100 of the full run's 120
  CHECK(restricted > n / 3);  // 40
  CHECK(tighter > n / 12);    // 10
}

// The relaxation itself, row by row: at every integer point of the box, the exact values of the
// neurons (inputs, DNN z and a, QNN r and q in integer units) satisfy every column bound and
// every row of the LP as stated in doubles, the activation links included. A row that cut off a
// real point would fail here even where the LP's optimum happened not to use it.
TEST_CASE("every row and column bound of the LP holds at the exact values of every point of the box") {
  std::mt19937_64 rng(26);
  int links = 0;
  const int n = test::trials(80);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = trial % 2 ? test::random_small_case(rng, 150) : test::random_case(rng, 2, {4, 4}, 2, 100);
    CAPTURE(trial);
    dra::DraResult root = dra::run_dra(c.pair, c.box, kSound);
    lp::NetworkLp net(c.pair, root, true);
    const lp::LinearProgram& lp = net.instantiate(c.box, root);
    for (std::size_t i = 0; i < net.hidden_layers(); ++i)
      for (std::size_t j = 0; j < c.pair.qnn.layers[i].outputs; ++j) links += net.link_upper_row(i, j) >= 0;
    spec::for_each_point(c.box, [&](const std::vector<int64_t>& x) {
      test::Trace t = test::trace(c.pair, x);
      std::vector<std::optional<Rational>> v(lp.columns());
      for (std::size_t k = 0; k < x.size(); ++k) v[k] = Rational(x[k]);
      for (std::size_t i = 0; i < net.hidden_layers(); ++i) {
        const Rational step = c.pair.qnn.step(i);
        for (std::size_t j = 0; j < c.pair.qnn.layers[i].outputs; ++j) {
          if (net.dnn_pre(i, j).is_column()) v[net.dnn_pre(i, j).column] = t.dnn_pre[i][j];
          if (net.dnn_post(i, j).is_column()) v[net.dnn_post(i, j).column] = t.dnn_post[i][j];
          if (net.qnn_pre(i, j).is_column()) v[net.qnn_pre(i, j).column] = Rational(t.qnn_rounded[i][j]);
          if (net.qnn_post(i, j).is_column()) v[net.qnn_post(i, j).column] = t.qnn_post[i][j] / step;
        }
      }
      for (std::size_t k = 0; k < lp.columns(); ++k) {
        REQUIRE(v[k]);
        CHECK(*v[k] >= rational_from_double(lp.col_lo[k]));
        CHECK(*v[k] <= rational_from_double(lp.col_hi[k]));
      }
      for (std::size_t r = 0; r < lp.rows(); ++r) {
        Rational a = 0;
        for (std::size_t e = lp.row_start[r]; e < lp.row_start[r + 1]; ++e) a += rational_from_double(lp.value[e]) * *v[lp.index[e]];
        CAPTURE(r);
        if (std::isfinite(lp.row_lo[r])) CHECK(a >= rational_from_double(lp.row_lo[r]));
        if (std::isfinite(lp.row_hi[r])) CHECK(a <= rational_from_double(lp.row_hi[r]));
      }
    });
  }
  CHECK(links > n / 4);  // neurons with links, in the two-hidden-layer networks
}
