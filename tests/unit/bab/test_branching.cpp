// Where branch and bound splits (bab/branching.h): integer splits of a QNN rounding are offered only
// where the rounded value's clamped range in the node is narrow enough, and the limit changes
// nothing else but the fallback: with nothing else to split, the best wide rounding.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <random>

#include "bab/branching.h"
#include "bounds/bound_method.h"
#include "lp/lp_bounder.h"
#include "support/random_network.h"
#include "support/trials.h"

using namespace qeb;

namespace {

// The range of hidden neuron (i, j)'s rounded value after the clamp, as DRA bounds it.
int64_t clamped_range(const quant::ModelPair& pair, const dra::DraResult& bounds, std::size_t i, std::size_t j) {
  const dra::LayerReport& L = bounds.layers[i];
  return std::min(L.qnn_pre_hi[j], pair.qnn.clamp_hi(i)) - std::max(L.qnn_pre_lo[j], pair.qnn.clamp_lo(i));
}

std::vector<bab::Branching> of_kind(const std::vector<bab::Branching>& all, const std::string& kind, bool wanted) {
  std::vector<bab::Branching> out;
  for (const bab::Branching& b : all)
    if ((b.kind == kind) == wanted) out.push_back(b);
  return out;
}

bool same_split(const bab::Branching& a, const bab::Branching& b) {
  if (a.kind != b.kind || a.children.size() != b.children.size()) return false;
  for (std::size_t c = 0; c < a.children.size(); ++c) {
    const bounds::Restriction &x = a.children[c], &y = b.children[c];
    if (x.target != y.target || x.layer != y.layer || x.neuron != y.neuron || x.lo != y.lo || x.hi != y.hi) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("integer splits only where the rounded value's clamped range is narrow; other candidates unchanged") {
  std::mt19937_64 rng(71);
  int dropped = 0, kept = 0, fallbacks = 0;
  const int n = test::trials(60);
  for (int trial = 0; trial < n; ++trial) {
    CAPTURE(trial);
    // A third of the cases affine (ONNX-style): other rounding rules and clamp tops.
    test::RandomCase c = trial % 3 == 2 ? test::random_affine_case(rng, 4, {6}, 2, 20000)
                                        : test::random_case(rng, 4, {6}, 2, 20000);
    dra::DraResult root = bounds::bound(c.pair, bounds::Subproblem::root(c.box), bounds::Method::DRA_SYM);
    if (!lp::unsupported_reason(c.pair.qnn)) {
      lp::LpBounder bounder(c.pair, root, true);
      bounder.load(c.box, root);
      for (std::size_t g = 0; g < c.pair.qnn.output_size(); ++g) {
        lp::LpBound s = bounder.optimise(bounder.network().output_difference(g), trial % 2 == 0);
        if (s.point.empty()) continue;
        bab::BranchingOptions unlimited;
        unlimited.input_split_dimension = 0;  // neurons, not inputs
        unlimited.integer_split_range = 0;
        bab::BranchingOptions narrow = unlimited;
        narrow.integer_split_range = 2;
        auto all = bab::branching_candidates(c.pair, bounder.network(), c.box, root, s, unlimited, 1000);
        auto some = bab::branching_candidates(c.pair, bounder.network(), c.box, root, s, narrow, 1000);
        // Integer splits: those kept are exactly the unlimited ones over a narrow range.
        std::vector<bab::Branching> expected;
        for (const bab::Branching& b : of_kind(all, "qnn-integer", true)) {
          const bounds::Restriction& r = b.children.front();
          if (clamped_range(c.pair, root, r.layer, r.neuron) <= 2) expected.push_back(b);
          else ++dropped;
        }
        auto integer = of_kind(some, "qnn-integer", true);
        std::vector<bab::Branching> dropped_here;
        for (const bab::Branching& b : of_kind(all, "qnn-integer", true))
          if (clamped_range(c.pair, root, b.children.front().layer, b.children.front().neuron) > 2) dropped_here.push_back(b);
        if (expected.empty() && some.size() == 1 && some.front().kind == "qnn-integer") {
          // Nothing else to split (no scored split of another kind, so none in `all` either): the
          // fallback is the best-scored wide rounding, not an input.
          REQUIRE(!dropped_here.empty());
          CHECK(same_split(some.front(), dropped_here.front()));
          CHECK(of_kind(all, "qnn-integer", false).empty());
          ++fallbacks;
          continue;
        }
        REQUIRE(integer.size() == expected.size());
        for (std::size_t k = 0; k < integer.size(); ++k) CHECK(same_split(integer[k], expected[k]));
        kept += int(integer.size());
        // The scored splits of other kinds are the same, in the same order. (Where an integer split
        // was scored, `all` holds only scored splits; without any, the fallback may differ.)
        auto other_all = of_kind(all, "qnn-integer", false), other_some = of_kind(some, "qnn-integer", false);
        if (!of_kind(all, "qnn-integer", true).empty() && !other_all.empty()) {
          REQUIRE(other_all.size() == other_some.size());
          for (std::size_t k = 0; k < other_all.size(); ++k) CHECK(same_split(other_all[k], other_some[k]));
        }
      }
    }
  }
  // Both outcomes happened, so the limit was exercised either way.
  CHECK(dropped > 0);
  CHECK(kept > 0);
  CHECK(fallbacks > 0);  // and so was the fallback (at 16 nodes with this seed)
}

TEST_CASE("clamp-kink splits: exactly the clamped neurons whose multipliers point at them, split at their clamp's kinks") {
  std::mt19937_64 rng(72);
  int kinks = 0;
  const int n = test::trials(60);
  for (int trial = 0; trial < n; ++trial) {
    CAPTURE(trial);
    test::RandomCase c = trial % 2 == 1 ? test::random_affine_case(rng, 4, {6}, 2, 20000)
                                        : test::random_case(rng, 4, {6}, 2, 20000);
    if (lp::unsupported_reason(c.pair.qnn)) continue;
    dra::DraResult root = bounds::bound(c.pair, bounds::Subproblem::root(c.box), bounds::Method::DRA_SYM);
    lp::LpBounder bounder(c.pair, root, true);
    bounder.load(c.box, root);
    const lp::NetworkLp& net = bounder.network();
    for (std::size_t g = 0; g < c.pair.qnn.output_size(); ++g) {
      lp::LpBound s = bounder.optimise(net.output_difference(g), trial % 4 < 2);
      if (s.point.empty()) continue;
      bab::BranchingOptions options;
      options.input_split_dimension = 0;
      options.integer_split_range = 0;
      auto all = bab::branching_candidates(c.pair, net, c.box, root, s, options, 1000);
      // Expected independently: every neuron whose range straddles a kink of its own clamp and whose
      // envelope rows carry a multiplier, split just below and above that kink.
      auto dual = [&](int row) { return row >= 0 ? std::fabs(s.row_dual[std::size_t(row)]) : 0.0; };
      std::vector<std::tuple<std::size_t, std::size_t, double, double>> expected, found;
      for (std::size_t i = 0; i < net.hidden_layers(); ++i) {
        const int64_t clo = c.pair.qnn.clamp_lo(i), chi = c.pair.qnn.clamp_hi(i);
        for (std::size_t j = 0; j < root.layers[i].qnn_pre_lo.size(); ++j) {
          if (!net.qnn_pre(i, j).is_column()) continue;
          const int64_t lo = root.layers[i].qnn_pre_lo[j], hi = root.layers[i].qnn_pre_hi[j];
          if (dual(net.qnn_lower_row(i, j)) + dual(net.qnn_upper_row(i, j)) <= 0) continue;
          if (lo < clo && hi > clo) expected.emplace_back(i, j, double(clo), double(clo + 1));
          if (lo < chi && hi > chi) expected.emplace_back(i, j, double(chi - 1), double(chi));
        }
      }
      for (const bab::Branching& b : of_kind(all, "qnn-kink", true)) {
        REQUIRE(b.children.size() == 2);
        const bounds::Restriction &below = b.children[0], &above = b.children[1];
        CHECK(below.layer == above.layer);
        CHECK(below.neuron == above.neuron);
        CHECK(above.lo == below.hi + 1);
        // Wherever it came from (scored, or the widest relaxation when no multiplier points
        // anywhere), the split is at a kink of this neuron's own clamp that its range straddles.
        const int64_t clo = c.pair.qnn.clamp_lo(below.layer), chi = c.pair.qnn.clamp_hi(below.layer);
        const int64_t lo = root.layers[below.layer].qnn_pre_lo[below.neuron], hi = root.layers[below.layer].qnn_pre_hi[below.neuron];
        CHECK(((below.hi == double(clo) && lo < clo && hi > clo) || (below.hi == double(chi - 1) && lo < chi && hi > chi)));
        found.emplace_back(below.layer, below.neuron, below.hi, above.lo);
        ++kinks;
      }
      std::sort(expected.begin(), expected.end());
      std::sort(found.begin(), found.end());
      if (!expected.empty()) CHECK(found == expected);  // scored: exactly the expected kinks
    }
  }
  CHECK(kinks > 0);
}

TEST_CASE("the input split cuts the LP optimum off at its most fractional coordinate; an integral one bisects the widest") {
  std::mt19937_64 rng(73);
  const int n = test::trials(40);
  int fractional = 0, integral = 0;
  for (int trial = 0; trial < n; ++trial) {
    CAPTURE(trial);
    test::RandomCase c = test::random_case(rng, 4, {6}, 2, 20000);
    dra::DraResult root = bounds::bound(c.pair, bounds::Subproblem::root(c.box), bounds::Method::DRA_SYM);
    lp::LpBounder bounder(c.pair, root, true);
    bounder.load(c.box, root);
    lp::LpBound s = bounder.optimise(bounder.network().output_difference(0), trial % 2 == 0);
    if (s.point.empty()) continue;
    // The LP's own optimum (often a box vertex, so integral); in a quarter of the trials random
    // points within the box, fractional; in half the inputs put on the grid: the split must bisect.
    if (trial % 4 == 1) {
      std::uniform_real_distribution<double> u(0, 1);
      for (std::size_t k = 0; k < c.box.lo.size(); ++k)
        s.point[k] = double(c.box.lo[k]) + u(rng) * double(c.box.hi[k] - c.box.lo[k]);
    }
    if (trial % 4 >= 2)
      for (std::size_t k = 0; k < c.box.lo.size(); ++k) s.point[k] = std::round(s.point[k]);
    std::vector<std::size_t> free = c.box.free_dimensions();
    auto split = bab::input_split(c.box, s, bounder.network());
    if (free.empty()) {
      CHECK(!split);
      continue;
    }
    REQUIRE(split);
    REQUIRE(split->children.size() == 2);
    const bounds::Restriction &below = split->children[0], &above = split->children[1];
    CHECK(below.target == bounds::Target::INPUT);
    CHECK(below.neuron == above.neuron);
    CHECK(above.lo == below.hi + 1);
    const std::size_t k = below.neuron;
    CHECK(double(c.box.lo[k]) <= below.hi);
    CHECK(above.lo <= double(c.box.hi[k]));
    // Expected independently: the largest distance of a free input to the grid.
    double most = 0;
    for (std::size_t j : free) most = std::max(most, std::fabs(s.point[j] - std::round(s.point[j])));
    if (most > 1e-6) {
      // The optimum lies strictly between the children, at a coordinate no less fractional than any.
      CHECK(s.point[k] > below.hi);
      CHECK(s.point[k] < above.lo);
      CHECK(std::fabs(s.point[k] - std::round(s.point[k])) == doctest::Approx(most));
      ++fractional;
    } else {
      int64_t widest = 0;
      for (std::size_t j : free) widest = std::max(widest, c.box.hi[j] - c.box.lo[j]);
      CHECK(c.box.hi[k] - c.box.lo[k] == widest);
      CHECK(below.hi == double(c.box.lo[k] + (c.box.hi[k] - c.box.lo[k]) / 2));
      ++integral;
    }
  }
  CHECK(fractional > 0);
  CHECK(integral > 0);
}

TEST_CASE("activation-link multipliers score the pair's splits; with no multiplier at all the widest relaxations come ranked") {
  std::mt19937_64 rng(73);
  int link_scored = 0, ranked = 0;
  const int n = test::trials(40);
  for (int trial = 0; trial < n; ++trial) {
    CAPTURE(trial);
    // Two hidden layers: the LP has activation links only then.
    test::RandomCase c = test::random_case(rng, 4, {6, 5}, 2, 20000);
    dra::DraResult root = bounds::bound(c.pair, bounds::Subproblem::root(c.box), bounds::Method::DRA_SYM);
    if (lp::unsupported_reason(c.pair.qnn)) continue;
    lp::LpBounder bounder(c.pair, root, true);
    bounder.load(c.box, root);
    const lp::NetworkLp& net = bounder.network();
    lp::LpBound s = bounder.optimise(net.output_difference(0), trial % 2 == 0);
    if (s.point.empty()) continue;
    bab::BranchingOptions o;
    o.input_split_dimension = 0;  // neurons, not inputs

    // Multipliers on the link rows only (set here: what matters is how the score reads them): a
    // DNN split is scored exactly by its neuron's link multipliers times its chord's gap.
    lp::LpBound links = s;
    std::fill(links.row_dual.begin(), links.row_dual.end(), 0.0);
    bool any_link = false;
    for (std::size_t j = 0; j < root.layers[0].dnn_pre.size(); ++j)
      for (int row : {net.link_upper_row(0, j), net.link_lower_row(0, j)})
        if (row >= 0) links.row_dual[row] = 0.5 + double(j % 3), any_link = true;
    auto dual = [&](int row) { return row >= 0 ? links.row_dual[row] : 0.0; };
    // (With no link rows at all, the fallback's widest relaxations come instead: below.)
    for (const bab::Branching& b : any_link ? bab::branching_candidates(c.pair, net, c.box, root, links, o, 1000)
                                            : std::vector<bab::Branching>{}) {
      if (b.kind != "dnn") continue;
      const std::size_t j = b.children.front().neuron;
      const dra::Interval& z = root.layers[0].dnn_pre[j];
      const double link = dual(net.link_upper_row(0, j)) + dual(net.link_lower_row(0, j));
      REQUIRE(link > 0);
      CHECK(b.score == doctest::Approx(link * (-z.hi * z.lo / (z.hi - z.lo))));
      ++link_scored;
    }

    // No multiplier anywhere: the `limit` widest relaxations (chords and clamp kinks), widest first.
    lp::LpBound none = s;
    std::fill(none.row_dual.begin(), none.row_dual.end(), 0.0);
    std::vector<double> gaps;
    for (std::size_t j = 0; j < root.layers[0].dnn_pre.size(); ++j) {
      const dra::Interval& z = root.layers[0].dnn_pre[j];
      if (z.lo < 0 && z.hi > 0 && net.dnn_chord_row(0, j) >= 0) gaps.push_back(-z.hi * z.lo / (z.hi - z.lo));
    }
    auto widest = bab::branching_candidates(c.pair, net, c.box, root, none, o, 3);
    if (gaps.empty() || widest.empty() || widest.front().kind == "qnn-integer") continue;
    REQUIRE(widest.size() <= 3);
    for (std::size_t k = 1; k < widest.size(); ++k) CHECK(widest[k - 1].score >= widest[k].score);
    for (const bab::Branching& b : widest) CHECK((b.kind == "dnn" || b.kind == "qnn-kink"));
    // Every chord is a candidate, so the first is at least as wide as the widest chord.
    CHECK(widest.front().score >= *std::max_element(gaps.begin(), gaps.end()));
    ranked += widest.size() > 1;
  }
  CHECK(link_scored > 0);
  CHECK(ranked > 0);
}
