#include "bab/branching.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "lp/linear_program.h"

namespace qeb::bab {

namespace {

using bounds::Restriction;
using bounds::Target;
using lp::kInfinity;

double value_at(const lp::LpBound& s, lp::LpTerm t) {
  if (!t.is_column()) return t.constant;
  return std::size_t(t.column) < s.point.size() ? s.point[t.column] : std::nan("");
}
double dual_of(const lp::LpBound& s, int row) { return row >= 0 && std::size_t(row) < s.row_dual.size() ? std::fabs(s.row_dual[row]) : 0; }

// Envelope gaps of clamp(r, clamp_lo, clamp_hi) over the integers [lo, hi] at its kinks: how far
// the concave (upper) envelope strays above the function at clamp_lo, and the convex (lower) one
// below it at clamp_hi. Hidden layers clamp at 0 below (the ReLU; QNetwork checks it, affine
// layers included).
struct KinkGap {
  double at_low = 0, at_high = 0;
};
KinkGap clamp_gaps(int64_t lo, int64_t hi, int64_t clamp_lo, int64_t clamp_hi) {
  const double cl = double(clamp_lo), ch = double(clamp_hi);
  auto f = [&](double r) { return std::clamp(r, cl, ch); };
  auto line = [&](double a, double b, double r) { return a >= b ? f(a) : f(a) + (f(b) - f(a)) * (r - a) / (b - a); };
  KinkGap g;
  const double l = double(lo), h = double(hi);
  if (l < cl && h > cl) g.at_low = line(l, std::min(h, ch), cl) - f(cl);    // the upper line above the kink at clamp_lo
  if (l < ch && h > ch) g.at_high = f(ch) - line(std::max(l, cl), h, ch);  // the lower line below the kink at clamp_hi
  return g;
}

// The floor of `v` when v lies strictly between two integers of [lo, hi] (an integer split at
// it cuts v off), with v's distance to the nearer integer; nullopt when v is on the grid.
struct Fractional {
  double floor, distance;
};
std::optional<Fractional> fractional_in(double v, double lo, double hi) {
  if (!std::isfinite(v)) return std::nullopt;
  const double f = std::floor(v + 1e-9), frac = v - f;
  if (frac <= 1e-6 || frac >= 1 - 1e-6 || f < lo || f >= hi) return std::nullopt;
  return Fractional{f, std::min(frac, 1 - frac)};
}

// Input coordinate k split after `last_below`: x_k <= last_below or x_k >= last_below + 1.
Branching input_halves(std::size_t k, double last_below, double score) {
  return Branching{{Restriction{Target::INPUT, 0, k, -kInfinity, last_below}, Restriction{Target::INPUT, 0, k, last_below + 1, kInfinity}},
                   score, "input"};
}

}  // namespace

std::vector<Branching> branching_candidates(const quant::ModelPair& pair, const lp::NetworkLp& network,
                                            const spec::Box& box, const dra::DraResult& bounds,
                                            const lp::LpBound& solution, const BranchingOptions& options,
                                            std::size_t limit) {
  std::vector<std::size_t> free = box.free_dimensions();
  if (!free.empty() && free.size() <= options.input_split_dimension) {
    // Low-dimensional input: bisect the coordinate with the largest width x first-layer weight
    // mass over neurons not yet stable (ReluDiff's smear, with weights as the gradient bound).
    const dra::LayerReport& first = bounds.layers.front();
    std::size_t best = free.front();
    double best_score = -1;
    for (std::size_t k : free) {
      double mass = 0;
      for (std::size_t j = 0; j < pair.dnn.layers[0].outputs; ++j) {
        bool stable = bounds.layers.size() == 1 ||
                      dra::is_stable(first.dnn_phase[j], first.qnn_phase[j]);
        mass += (stable ? 0.1 : 1.0) * std::fabs(pair.dnn.layers[0].weight(j, k));
      }
      double score = mass * double(box.hi[k] - box.lo[k]);
      if (score > best_score) best_score = score, best = k;
    }
    return {input_halves(best, double(box.lo[best] + (box.hi[best] - box.lo[best]) / 2), best_score)};
  }

  std::vector<Branching> scored;  // every candidate with a positive score
  auto offer = [&](double score, const char* kind, Restriction a, Restriction b) {
    if (score > 0) scored.push_back(Branching{{a, b}, score, kind});
  };
  // Fallback when no multiplier points anywhere: the widest relaxations (BaBSR's intercept alone),
  // widest first, so that strong branching still compares the LP gains of several. That is most
  // nodes on some tasks: on 784-100-10 Q=8 (sample 3236, output 6, eps 0.1815) 98% of them, whose
  // optima lean on rows no score reads (there are no links in one hidden layer; probably the +Diff
  // rows); when only the widest was returned, they got no strong branching at all.
  std::vector<Branching> widest;
  // Fallback before bisecting an input: a fractional rounding over a range too wide for a scored
  // split (integer_split_range). Bisecting one of 784 pixels moves nothing and costs a DRA.
  std::optional<Branching> wide_rounding;
  auto offer_widest = [&](double gap, const char* kind, Restriction a, Restriction b) {
    if (gap > 0) widest.push_back(Branching{{a, b}, gap, kind});
  };

  for (std::size_t i = 0; i < network.hidden_layers(); ++i) {
    const dra::LayerReport& layer = bounds.layers[i];
    const int64_t clamp_lo = pair.qnn.clamp_lo(i), clamp_hi = pair.qnn.clamp_hi(i);
    const double step = pair.qnn.step(i).convert_to<double>();
    for (std::size_t j = 0; j < layer.dnn_pre.size(); ++j) {
      // The activation links of the pair (lp/activation_link.h; networks with two or more hidden
      // layers) relax both phases at once: where they bind, the optimum leans on them instead of
      // the chord or the envelopes, whose multipliers are then 0.
      const double link = dual_of(solution, network.link_upper_row(i, j)) + dual_of(solution, network.link_lower_row(i, j));
      const dra::Interval& z = layer.dnn_pre[j];
      if (z.lo < 0 && z.hi > 0 && network.dnn_chord_row(i, j) >= 0) {
        double gap = -z.hi * z.lo / (z.hi - z.lo);
        Restriction active{Target::DNN_PRE, i, j, 0, kInfinity}, inactive{Target::DNN_PRE, i, j, -kInfinity, 0};
        offer((dual_of(solution, network.dnn_chord_row(i, j)) + link) * gap, "dnn", active, inactive);
        offer_widest(gap, "dnn", active, inactive);
      }
      lp::LpTerm r = network.qnn_pre(i, j);
      if (!r.is_column()) continue;
      int64_t lo = layer.qnn_pre_lo[j], hi = layer.qnn_pre_hi[j];
      if (lo >= hi) continue;
      KinkGap g = clamp_gaps(lo, hi, clamp_lo, clamp_hi);
      // Envelope rows are in integer units, link rows in real ones: one step is `step` of those.
      double y = dual_of(solution, network.qnn_lower_row(i, j)) + dual_of(solution, network.qnn_upper_row(i, j)) + link * step;
      if (g.at_low > 0) {
        Restriction low{Target::QNN_PRE, i, j, -kInfinity, double(clamp_lo)}, up{Target::QNN_PRE, i, j, double(clamp_lo + 1), kInfinity};
        offer(y * g.at_low, "qnn-kink", low, up);
        offer_widest(g.at_low, "qnn-kink", low, up);
      }
      if (g.at_high > 0) {
        Restriction low{Target::QNN_PRE, i, j, -kInfinity, double(clamp_hi - 1)}, up{Target::QNN_PRE, i, j, double(clamp_hi), kInfinity};
        offer(y * g.at_high, "qnn-kink", low, up);
        offer_widest(g.at_high, "qnn-kink", low, up);
      }
      // A fractional rounding: r <= floor(r*) or r >= floor(r*) + 1.
      const bool narrow = options.integer_split_range <= 0 ||
                          std::min(hi, clamp_hi) - std::max(lo, clamp_lo) <= options.integer_split_range;
      if (auto fr = fractional_in(value_at(solution, r), double(lo), double(hi))) {
        double score = dual_of(solution, network.qnn_rounding_row(i, j)) * network.rounding_scale(i, j) * fr->distance;
        Restriction below{Target::QNN_PRE, i, j, -kInfinity, fr->floor}, above{Target::QNN_PRE, i, j, fr->floor + 1, kInfinity};
        if (narrow) offer(score, "qnn-integer", below, above);
        else if (score > 0 && (!wide_rounding || score > wide_rounding->score))
          wide_rounding = Branching{{below, above}, score, "qnn-integer"};
      }
    }
  }
  // Highest score first; stable, so a tie goes to the earlier neuron.
  auto best_first = [&](std::vector<Branching>& v) {
    std::stable_sort(v.begin(), v.end(), [](const Branching& a, const Branching& b) { return a.score > b.score; });
    v.resize(std::min(v.size(), std::max<std::size_t>(limit, 1)));
    return v;
  };
  if (!scored.empty()) return best_first(scored);
  if (!widest.empty()) return best_first(widest);
  if (wide_rounding) return {*wide_rounding};
  // Nothing relaxed is left but the inputs' integrality.
  std::optional<Branching> split = input_split(box, solution, network);
  if (!split) return {};
  return {*split};
}

std::optional<Branching> input_split(const spec::Box& box, const lp::LpBound& solution, const lp::NetworkLp& network) {
  std::vector<std::size_t> free = box.free_dimensions();
  if (free.empty()) return std::nullopt;
  // The most fractional coordinate of the LP optimum, split at its floor: both children exclude
  // the optimum, as a MILP solver branches on an integer variable.
  std::optional<std::size_t> best;
  Fractional most{0, 0};
  for (std::size_t k : free)
    if (auto fr = fractional_in(value_at(solution, network.input(k)), double(box.lo[k]), double(box.hi[k])))
      if (fr->distance > most.distance) best = k, most = *fr;
  if (best) return input_halves(*best, most.floor, 0);
  // An integral optimum (or none): bisect the widest coordinate.
  std::size_t k = *std::max_element(free.begin(), free.end(), [&](std::size_t a, std::size_t b) {
    return box.hi[a] - box.lo[a] < box.hi[b] - box.lo[b];
  });
  return input_halves(k, double(box.lo[k] + (box.hi[k] - box.lo[k]) / 2), 0);
}

}  // namespace qeb::bab
