#include "lp/network_lp.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/error.h"
#include "lp/activation_link.h"

namespace qeb::lp {

namespace {

using dra::down;
using dra::up;

// An integer as an exact double, or the outward-rounded end of a range when it is too large.
double integer_lower(i128 v) {
  double d = double(v);
  return i128(d) <= v ? d : down(d);
}
double integer_upper(i128 v) {
  double d = double(v);
  return i128(d) >= v ? d : up(d);
}

// The exact product a * m as a double, or a logic error: the LP statement must stay exact.
double exact_product(double a, double m) {
  double p = a * m;
  if (std::fma(a, m, -p) != 0) throw std::logic_error("NetworkLp: inexact coefficient product");
  return p;
}

// A rational's outward double: the largest double <= v, the smallest >= v.
double rational_lower(const Rational& v) {
  double d = to_double(v);
  return rational_from_double(d) <= v ? d : down(d);
}
double rational_upper(const Rational& v) {
  double d = to_double(v);
  return rational_from_double(d) >= v ? d : up(d);
}

// An integer or rational the LP must state exactly: its double, or nullopt.
std::optional<double> exact_double(const Rational& v) {
  double d = to_double(v);
  if (!std::isfinite(d) || rational_from_double(d) != v) return std::nullopt;
  return d;
}

double exact_or_throw(const Rational& v) {
  if (auto d = exact_double(v)) return *d;
  throw std::logic_error("NetworkLp: a coefficient unsupported_reason let through is not a double");
}

}  // namespace

std::optional<std::string> unsupported_reason(const quant::QNetwork& qnn) {
  if (!qnn.affine()) return std::nullopt;
  // Affine: the rounding rules' integers, the steps and the output scales become LP coefficients.
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::AffineLayer& a = *qnn.layers[i].affine;
    const std::string where = "layer " + std::to_string(i + 1);
    if (a.quantized) {
      if (!exact_double(a.out_scale)) return where + "'s output scale is not a double";
      for (std::size_t j = 0; j < a.mult.size(); ++j)
        if (!exact_double(Rational(big_int(a.mult[j]))) || !exact_double(Rational(big_int(a.div[j]))))
          return where + ": a rounding rule's multiplier " + qeb::to_string(a.mult[j]) + " or divisor " + qeb::to_string(a.div[j]) +
                 " is beyond 2^53";
    } else {
      for (const Rational& s : a.acc_scale)
        if (!exact_double(s)) return where + ": an accumulator scale is not a double";
    }
  }
  return std::nullopt;
}

NetworkLp::NetworkLp(const quant::ModelPair& pair, const dra::DraResult& root, bool difference_cuts)
    : d_pair(pair), d_difference_cuts(difference_cuts) {
  if (auto why = unsupported_reason(pair.qnn))
    throw UnsupportedError(pair.qnn.source, "the LP relaxation (the LP stage, branch and bound, verify --partition "
                                            "--split neurons, emit --subproblems, dra --lp/--tighten) cannot state "
                                            "this QNN exactly: " + *why);
  const std::size_t inputs = pair.qnn.input_size();
  for (std::size_t k = 0; k < inputs; ++k) d_lp.add_column(0, 0);  // bounds set per instantiation
  const std::size_t hidden = pair.qnn.layers.size() - 1;
  d_layers.resize(hidden);
  for (std::size_t i = 0; i < hidden; ++i) {
    build_dnn_layer(i, root.layers[i]);
    build_qnn_layer(i, root.layers[i]);
    build_difference_cuts(i);
    build_activation_links(i);
  }
  if (pair.qnn.affine()) build_affine_output();
}

// z-definition rows and ReLU rows of DNN layer i.
void NetworkLp::build_dnn_layer(std::size_t i, const dra::LayerReport& root) {
  const model::DenseLayer& layer = d_pair.dnn.layers[i];
  Layer& L = d_layers[i];
  // The first layer sees x / D with D = p / q: p z = q W x + p b keeps every coefficient exact.
  const Rational& scale = d_pair.input_scale;
  const double p = i == 0 ? to_double(boost::multiprecision::numerator(scale)) : 1.0;
  const double q = i == 0 ? to_double(boost::multiprecision::denominator(scale)) : 1.0;
  if (i == 0 && (rational_from_double(p) != Rational(boost::multiprecision::numerator(scale)) ||
                 rational_from_double(q) != Rational(boost::multiprecision::denominator(scale))))
    throw UnsupportedError("the LP stage needs an input scale whose numerator and denominator are below 2^53");
  for (std::size_t j = 0; j < layer.outputs; ++j) {
    const dra::DnnPhase phase = root.dnn_phase[j];
    if (phase == dra::DnnPhase::INACTIVE) {
      L.dnn_pre.push_back({-1, 0});
      L.dnn_post.push_back({-1, 0});
      L.dnn_chord_row.push_back(-1);
      L.dnn_floor_row.push_back(-1);
      continue;
    }
    int z = d_lp.add_column(0, 0);
    std::vector<std::pair<int, double>> row{{z, p}};
    for (std::size_t k = 0; k < layer.inputs; ++k) {
      double w = layer.weight(j, k);
      if (w == 0) continue;
      LpTerm x = i == 0 ? input(k) : d_layers[i - 1].dnn_post[k];
      if (!x.is_column()) continue;  // inactive: contributes 0
      row.push_back({x.column, -exact_product(w, q)});
    }
    Rational rhs = Rational(p) * rational_from_double(layer.bias[j]);
    // An affine input is x - z (z: the input zero point): q W (x - z) moves q z sum W to the right.
    if (int64_t z = d_pair.qnn.input_zero_point; i == 0 && z != 0) {
      Rational weight_sum = 0;
      for (std::size_t k = 0; k < layer.inputs; ++k) weight_sum += rational_from_double(layer.weight(j, k));
      rhs -= Rational(q) * Rational(z) * weight_sum;
    }
    d_lp.add_row(row, rational_lower(rhs), rational_upper(rhs));
    L.dnn_pre.push_back({z, 0});
    if (phase == dra::DnnPhase::ACTIVE) {
      L.dnn_post.push_back({z, 0});
      L.dnn_chord_row.push_back(-1);
      L.dnn_floor_row.push_back(-1);
      continue;
    }
    int a = d_lp.add_column(0, 0);
    L.dnn_floor_row.push_back(d_lp.add_row({{a, 1.0}, {z, -1.0}}, 0, kInfinity));  // a >= z (a = z when active)
    L.dnn_post.push_back({a, 0});
    L.dnn_chord_row.push_back(d_lp.add_row({{a, 1.0}, {z, -1.0}}, -kInfinity, 0));  // set per node
  }
}

// r-definition rows (exact rounding window) and clamp envelope rows of QNN layer i.
void NetworkLp::build_qnn_layer(std::size_t i, const dra::LayerReport& root) {
  const quant::QNetwork& qnn = d_pair.qnn;
  const quant::QLayer& layer = qnn.layers[i];
  const int e = qnn.affine() ? 0 : qnn.activation_shift(i);
  const int64_t cap = qnn.clamp_hi(i);  // hidden layers clamp at 0 below (both schemes)
  Layer& L = d_layers[i];
  for (std::size_t j = 0; j < layer.outputs; ++j) {
    const dra::QnnPhase phase = root.qnn_phase[j];
    if (phase == dra::QnnPhase::CONSTANT) {
      double value = double(std::clamp<int64_t>(root.qnn_pre_lo[j], 0, cap));
      L.qnn_pre.push_back({-1, value});
      L.qnn_post.push_back({-1, value});
      L.qnn_lower_row.push_back(-1);
      L.qnn_upper_row.push_back(-1);
      L.qnn_linear_row.push_back(-1);
      L.qnn_rounding_row.push_back(-1);
      L.qnn_acc.push_back(-1);
      continue;
    }
    if (qnn.affine()) {
      build_affine_neuron(i, j, L, true, phase != dra::QnnPhase::LINEAR);
      continue;
    }
    L.qnn_acc.push_back(-1);
    int r = d_lp.add_column(0, 0);
    // acc = sum W q + B + K (K: constant inputs); acc - 2^e r in [-2^(e-1), 2^(e-1) - 1].
    i128 constant = checked_shl(layer.bias[j], qnn.bias_shift(i));
    std::vector<std::pair<int, double>> row;
    for (std::size_t k = 0; k < layer.inputs; ++k) {
      int64_t w = layer.weight(j, k);
      if (w == 0) continue;
      LpTerm x = i == 0 ? input(k) : d_layers[i - 1].qnn_post[k];
      if (x.is_column()) row.push_back({x.column, double(w)});
      else constant = checked_add(constant, checked_mul(w, int64_t(x.constant)));
    }
    row.push_back({r, -std::ldexp(1.0, e)});
    i128 window_lo = e > 0 ? -(i128(1) << (e - 1)) : 0, window_hi = e > 0 ? (i128(1) << (e - 1)) - 1 : 0;
    L.qnn_rounding_row.push_back(
        d_lp.add_row(row, integer_lower(window_lo - constant), integer_upper(window_hi - constant)));
    add_clamp(L, r, phase != dra::QnnPhase::LINEAR);
  }
}

// After r's column: the post-clamp value is r itself, or (clamped) a column of its own with the
// envelope rows, whose lines are set per node.
void NetworkLp::add_clamp(Layer& L, int r, bool clamped) {
  L.qnn_pre.push_back({r, 0});
  if (!clamped) {
    L.qnn_post.push_back({r, 0});
    L.qnn_lower_row.push_back(-1);
    L.qnn_upper_row.push_back(-1);
    L.qnn_linear_row.push_back(-1);
    return;
  }
  int post = d_lp.add_column(0, 0);
  L.qnn_post.push_back({post, 0});
  L.qnn_lower_row.push_back(d_lp.add_row({{post, 1.0}, {r, -1.0}}, 0, kInfinity));
  L.qnn_upper_row.push_back(d_lp.add_row({{post, 1.0}, {r, -1.0}}, -kInfinity, 0));
  L.qnn_linear_row.push_back(d_lp.add_row({{post, 1.0}, {r, -1.0}}, -kInfinity, kInfinity));  // q = r when linear
}

// Affine neuron (i, j): acc = sum W q + K as a column; if quantized, r with
// acc mult + add - div r in [-div/2, div/2] (round half to even, ties relaxed to both sides) and,
// if clamped, the post-clamp column with its envelope rows (lines set per node).
void NetworkLp::build_affine_neuron(std::size_t i, std::size_t j, Layer& L, bool quantized, bool clamped) {
  const quant::QNetwork& qnn = d_pair.qnn;
  const quant::QLayer& layer = qnn.layers[i];
  const int acc = d_lp.add_column(0, 0);
  i128 constant = qnn.acc_constant(i, j);
  std::vector<std::pair<int, double>> row{{acc, 1.0}};
  for (std::size_t k = 0; k < layer.inputs; ++k) {
    int64_t w = layer.weight(j, k);
    if (w == 0) continue;
    LpTerm x = i == 0 ? input(k) : d_layers[i - 1].qnn_post[k];
    if (x.is_column()) row.push_back({x.column, -double(w)});
    else constant = checked_add(constant, checked_mul(w, int64_t(x.constant)));
  }
  d_lp.add_row(row, integer_lower(constant), integer_upper(constant));
  L.qnn_acc.push_back(acc);
  if (!quantized) {
    L.qnn_pre.push_back({-1, 0});
    L.qnn_post.push_back({-1, 0});
    L.qnn_rounding_row.push_back(-1);
    L.qnn_lower_row.push_back(-1);
    L.qnn_upper_row.push_back(-1);
    L.qnn_linear_row.push_back(-1);
    return;
  }
  const quant::AffineLayer& a = *layer.affine;
  const Rational div(big_int(a.div[j])), add(big_int(a.add[j]));
  const int r = d_lp.add_column(0, 0);
  L.qnn_rounding_row.push_back(d_lp.add_row({{acc, exact_or_throw(Rational(big_int(a.mult[j])))}, {r, -exact_or_throw(div)}},
                                            rational_lower(-div / 2 - add), rational_upper(div / 2 - add)));
  add_clamp(L, r, clamped);
}

// The affine output layer: accumulators always; rounding and clamp rows when it is quantized.
void NetworkLp::build_affine_output() {
  const std::size_t last = d_pair.qnn.layers.size() - 1;
  const bool quantized = d_pair.qnn.quantized(last);
  for (std::size_t g = 0; g < d_pair.qnn.output_size(); ++g) build_affine_neuron(last, g, d_output, quantized, quantized);
}

double NetworkLp::rounding_scale(std::size_t i, std::size_t j) const {
  if (!d_pair.qnn.affine()) return std::ldexp(1.0, d_pair.qnn.activation_shift(i));
  return to_double(Rational(big_int(d_pair.qnn.layers[i].affine->div[j])));
}

void NetworkLp::build_difference_cuts(std::size_t i) {
  Layer& L = d_layers[i];
  const double step = exact_or_throw(d_pair.qnn.step(i));  // 2^-F_h, or the affine output scale
  for (std::size_t j = 0; j < L.qnn_post.size(); ++j) {
    LpTerm q = L.qnn_post[j], a = L.dnn_post[j];
    if (!d_difference_cuts || (!q.is_column() && !a.is_column())) {
      L.diff_row.push_back(-1);
      continue;
    }
    std::vector<std::pair<int, double>> row;
    if (q.is_column()) row.push_back({q.column, step});
    if (a.is_column()) row.push_back({a.column, -1.0});
    L.diff_row.push_back(d_lp.add_row(row, -kInfinity, kInfinity));  // range set per node
  }
}

// Neurons where the two activations are not both exact lines get the rows step q - a - s (step r - z)
// <= t and >= t' (lp/activation_link.h), coefficients set per node. q = r (QNN linear) or a = z
// (DNN active) share a column, whose two coefficients are merged.
// Only in networks with two or more hidden layers, where they pay (bench/results/ab_links.md): on
// 784-100-100-10 the root bound of Q=6 eps=2 sample 7098 went from -2.517 to -2.356 and branch and
// bound took 0.22-0.29x the time on four tasks; on 784-100-10 the root moved by 0.002-0.005
// and branch and bound got worse (Q=4 eps=2 sample 5656: proved in 30-34 s without, open at 60 s
// with, twice each), its branching scores not knowing the new rows' multipliers.
void NetworkLp::build_activation_links(std::size_t i) {
  Layer& L = d_layers[i];
  const bool wanted = d_difference_cuts && !d_pair.qnn.affine() && d_layers.size() >= 2;
  for (std::size_t j = 0; j < L.qnn_post.size(); ++j) {
    const LpTerm q = L.qnn_post[j], a = L.dnn_post[j], r = L.qnn_pre[j], z = L.dnn_pre[j];
    const bool exact = q.column == r.column && a.column == z.column;
    if (!wanted || !r.is_column() || !z.is_column() || exact) {
      L.link_upper_row.push_back(-1);
      L.link_lower_row.push_back(-1);
      continue;
    }
    std::vector<std::pair<int, double>> row{{r.column, 0.0}, {z.column, 0.0}};
    if (q.column != r.column) row.push_back({q.column, 0.0});
    if (a.column != z.column) row.push_back({a.column, 0.0});
    L.link_upper_row.push_back(d_lp.add_row(row, -kInfinity, kInfinity));
    L.link_lower_row.push_back(d_lp.add_row(row, -kInfinity, kInfinity));
  }
}

void NetworkLp::set_activation_links(std::size_t i, std::size_t j, const dra::LayerReport& b) {
  const Layer& L = d_layers[i];
  if (L.link_upper_row[j] < 0) return;
  const double step = exact_or_throw(d_pair.qnn.step(i));
  // d = step r - z: DRA's bound, met with the one the columns give (step r is exact).
  const dra::Interval& z = b.dnn_pre[j];
  const int64_t r_lo = b.qnn_pre_lo[j], r_hi = b.qnn_pre_hi[j];
  double lo = std::max(b.delta_in[j].lo, dra::down(double(r_lo) * step - z.hi));
  double hi = std::min(b.delta_in[j].hi, dra::up(double(r_hi) * step - z.lo));
  const bool usable = lo <= hi && std::isfinite(lo) && std::isfinite(hi);
  // The lower end needs the clamp at the top out of reach of one side: r <= cap, or z <= step cap.
  const int64_t cap = d_pair.qnn.clamp_hi(i);
  const bool lower_holds = usable && (r_hi <= cap || z.hi <= double(cap) * step);
  const LpTerm q = L.qnn_post[j], a = L.dnn_post[j], r = L.qnn_pre[j], zc = L.dnn_pre[j];
  auto set = [&](int row, LinkLine line, bool upper, bool holds) {
    for (std::size_t e = d_lp.row_start[row]; e < d_lp.row_start[row + 1]; ++e) {
      const int c = d_lp.index[e];
      double v = 0;
      if (c == q.column) v += step;
      if (c == a.column) v -= 1;
      if (c == r.column) v -= line.slope * step;
      if (c == zc.column) v += line.slope;
      d_lp.value[e] = v;  // exact: step and 1 - slope are, and slope is a multiple of 2^-52
    }
    d_lp.row_lo[row] = holds && !upper ? line.offset : -kInfinity;
    d_lp.row_hi[row] = holds && upper ? line.offset : kInfinity;
  };
  set(L.link_upper_row[j], usable ? upper_link(lo, hi) : LinkLine{}, true, usable);
  set(L.link_lower_row[j], lower_holds ? lower_link(lo, hi) : LinkLine{}, false, lower_holds);
}

// a - s z <= t: the chord of ReLU over [l, u], with t rounded up so the line stays above both ends.
void NetworkLp::set_chord(int row, const dra::Interval& pre) {
  const std::size_t at = d_lp.row_start[row];
  double l = pre.lo, u = pre.hi, s = 0, t = 0;
  if (l >= 0) {
    s = 1;  // a = z (with a >= z)
  } else if (u > 0) {
    s = u / (u - l);
    // t >= max(relu(l) - s l, relu(u) - s u) = max(-s l, u - s u), each rounded up.
    t = std::max(up(-down(s * l)), up(u - down(s * u)));
    t = std::max(t, 0.0);
  }  // u <= 0: a <= 0
  d_lp.value[at + 1] = -s;
  d_lp.row_hi[row] = t;
}

// The envelopes of clamp(r, 0, cap) over the integers [lo, hi]: lines through integer points.
void NetworkLp::set_clamp_lines(const Layer& L, std::size_t j, int64_t lo, int64_t hi, int64_t clamp_lo, int64_t clamp_hi) {
  auto f = [&](int64_t r) { return std::clamp<int64_t>(r, clamp_lo, clamp_hi); };
  // The line through (a, f(a)) and (b, f(b)), a < b: (b - a) q - (f(b) - f(a)) r = b f(a) - a f(b).
  auto set_line = [&](int row, int64_t a, int64_t b, bool lower) {
    const std::size_t at = d_lp.row_start[row];
    if (a >= b) {  // a single point: the column bounds fix q; make the row void
      d_lp.value[at] = 1.0;
      d_lp.value[at + 1] = 0.0;
      d_lp.row_lo[row] = -kInfinity;
      d_lp.row_hi[row] = kInfinity;
      return;
    }
    i128 alpha = i128(b) - a, beta = i128(f(b)) - f(a), gamma = i128(b) * f(a) - i128(a) * f(b);
    if (alpha >= (i128(1) << 53) || beta >= (i128(1) << 53))
      throw UnsupportedError("the LP stage: a QNN pre-activation range beyond 2^53");
    d_lp.value[at] = double(alpha);
    d_lp.value[at + 1] = -double(beta);
    if (lower) d_lp.row_lo[row] = integer_lower(gamma), d_lp.row_hi[row] = kInfinity;
    else d_lp.row_lo[row] = -kInfinity, d_lp.row_hi[row] = integer_upper(gamma);
  };
  // Convex envelope: f(lo) as the column bound, then the line from max(lo, clamp_lo) to hi.
  set_line(L.qnn_lower_row[j], std::max(lo, clamp_lo), hi, true);
  // Concave envelope: the line from lo to min(hi, clamp_hi), then f(hi) as the column bound.
  set_line(L.qnn_upper_row[j], lo, std::min(hi, clamp_hi), false);
}

// acc of affine neuron (i, j) given r in [lo, hi]: (acc mult + add) / div in [lo - 1/2, hi + 1/2].
void NetworkLp::set_affine_bounds(std::size_t i, const Layer& L, std::size_t j, int64_t lo, int64_t hi) {
  const quant::AffineLayer& a = *d_pair.qnn.layers[i].affine;
  const Rational mult(big_int(a.mult[j])), add(big_int(a.add[j])), div(big_int(a.div[j]));
  const int acc = L.qnn_acc[j];
  d_lp.col_lo[acc] = rational_lower(Rational(ceil_of((div * (Rational(lo) - Rational(1, 2)) - add) / mult)));
  d_lp.col_hi[acc] = rational_upper(Rational(floor_of((div * (Rational(hi) + Rational(1, 2)) - add) / mult)));
}

// The affine output layer's bounds: interval arithmetic on the last hidden layer's (integer)
// bounds gives acc, the monotone rounding gives r, the clamp gives p.
void NetworkLp::instantiate_affine_output(bool lines) {
  const quant::QNetwork& qnn = d_pair.qnn;
  const std::size_t last = qnn.layers.size() - 1;
  const quant::QLayer& layer = qnn.layers[last];
  for (std::size_t g = 0; g < layer.outputs; ++g) {
    i128 lo = qnn.acc_constant(last, g), hi = lo;
    for (std::size_t k = 0; k < layer.inputs; ++k) {
      int64_t w = layer.weight(g, k);
      LpTerm x = last == 0 ? input(k) : d_layers[last - 1].qnn_post[k];
      i128 xl = x.is_column() ? i128(d_lp.col_lo[x.column]) : i128(x.constant);
      i128 xh = x.is_column() ? i128(d_lp.col_hi[x.column]) : i128(x.constant);
      lo = checked_add(lo, checked_mul(w, w >= 0 ? xl : xh));
      hi = checked_add(hi, checked_mul(w, w >= 0 ? xh : xl));
    }
    const int acc = d_output.qnn_acc[g];
    d_lp.col_lo[acc] = integer_lower(lo);
    d_lp.col_hi[acc] = integer_upper(hi);
    if (!qnn.quantized(last)) continue;
    const i128 r_lo = qnn.rounded(last, g, lo), r_hi = qnn.rounded(last, g, hi);
    d_lp.col_lo[d_output.qnn_pre[g].column] = integer_lower(r_lo);
    d_lp.col_hi[d_output.qnn_pre[g].column] = integer_upper(r_hi);
    const int64_t c_lo = qnn.clamp_lo(last), c_hi = qnn.clamp_hi(last);
    const int post = d_output.qnn_post[g].column;
    d_lp.col_lo[post] = double(std::clamp<i128>(r_lo, c_lo, c_hi));
    d_lp.col_hi[post] = double(std::clamp<i128>(r_hi, c_lo, c_hi));
    set_linear_row(d_output, g, r_lo, r_hi, c_lo, c_hi);
    if (lines)
      set_clamp_lines(d_output, g, int64_t(std::clamp<i128>(r_lo, INT64_MIN / 4, INT64_MAX / 4)),
                      int64_t(std::clamp<i128>(r_hi, INT64_MIN / 4, INT64_MAX / 4)), c_lo, c_hi);
  }
}

// q = r exactly where the clamp cannot act on [lo, hi]; free elsewhere (the envelope rows hold).
void NetworkLp::set_linear_row(const Layer& L, std::size_t j, i128 lo, i128 hi, int64_t clamp_lo, int64_t clamp_hi) {
  const int row = L.qnn_linear_row[j];
  if (row < 0) return;
  const bool linear = lo >= clamp_lo && hi <= clamp_hi;
  d_lp.row_lo[row] = linear ? 0.0 : -kInfinity;
  d_lp.row_hi[row] = linear ? 0.0 : kInfinity;
}

const LinearProgram& NetworkLp::instantiate(const spec::Box& box, const dra::DraResult& bounds, bool lines) {
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    d_lp.col_lo[k] = double(box.lo[k]);
    d_lp.col_hi[k] = double(box.hi[k]);
  }
  for (std::size_t i = 0; i < d_layers.size(); ++i) {
    Layer& L = d_layers[i];
    const dra::LayerReport& b = bounds.layers[i];
    const int64_t cap = d_pair.qnn.clamp_hi(i);
    for (std::size_t j = 0; j < L.dnn_pre.size(); ++j) {
      const dra::Interval& pre = b.dnn_pre[j];
      if (L.dnn_pre[j].is_column()) {
        d_lp.col_lo[L.dnn_pre[j].column] = pre.lo;
        d_lp.col_hi[L.dnn_pre[j].column] = pre.hi;
      }
      if (L.dnn_chord_row[j] >= 0) {
        int a = L.dnn_post[j].column;
        d_lp.col_lo[a] = std::max(pre.lo, 0.0);
        d_lp.col_hi[a] = std::max(pre.hi, 0.0);
        d_lp.row_hi[L.dnn_floor_row[j]] = pre.lo >= 0 ? 0.0 : kInfinity;  // active: a = z
        if (lines) set_chord(L.dnn_chord_row[j], pre);
      }
      if (L.qnn_pre[j].is_column()) {
        int64_t lo = b.qnn_pre_lo[j], hi = b.qnn_pre_hi[j];
        d_lp.col_lo[L.qnn_pre[j].column] = double(lo);
        d_lp.col_hi[L.qnn_pre[j].column] = double(hi);
        if (L.qnn_acc[j] >= 0) set_affine_bounds(i, L, j, lo, hi);
        if (L.qnn_lower_row[j] >= 0) {
          int post = L.qnn_post[j].column;
          d_lp.col_lo[post] = double(std::clamp<int64_t>(lo, 0, cap));
          d_lp.col_hi[post] = double(std::clamp<int64_t>(hi, 0, cap));
          set_linear_row(L, j, lo, hi, 0, cap);
          if (lines) set_clamp_lines(L, j, lo, hi, 0, cap);
        }
      }
      if (lines) set_activation_links(i, j, b);
      if (L.diff_row[j] >= 0) {
        // 2^-F q - a in delta, with a constant side moved into the range (outward).
        const dra::Interval& d = b.delta[j];
        // (a constant DNN side is 0: inactive)
        if (L.qnn_post[j].is_column()) {  // per node: stay in doubles
          d_lp.row_lo[L.diff_row[j]] = d.lo;
          d_lp.row_hi[L.diff_row[j]] = d.hi;
        } else {
          Rational shift = rational_from_double(L.qnn_post[j].constant) * d_pair.qnn.step(i);
          d_lp.row_lo[L.diff_row[j]] = rational_lower(rational_from_double(d.lo) - shift);
          d_lp.row_hi[L.diff_row[j]] = rational_upper(rational_from_double(d.hi) - shift);
        }
      }
    }
  }
  if (d_pair.qnn.affine()) instantiate_affine_output(lines);
  return d_lp;
}

Objective NetworkLp::output_difference(std::size_t g) const {
  const std::size_t last = d_pair.qnn.layers.size() - 1;
  if (last == 0) throw UnsupportedError("the LP stage needs at least one hidden layer");
  const quant::QLayer& q = d_pair.qnn.layers[last];
  const model::DenseLayer& d = d_pair.dnn.layers[last];
  Objective o;
  if (d_pair.qnn.affine()) {  // QNN: p step (quantized output) or S acc + c, over the output columns
    if (d_pair.qnn.quantized(last)) {
      o.terms.push_back({d_output.qnn_post[g].column, exact_or_throw(d_pair.qnn.step(last))});
    } else {
      o.terms.push_back({d_output.qnn_acc[g], exact_or_throw(d_pair.qnn.acc_scale(last, g))});
      o.constant = d_pair.qnn.acc_offset(last, g);
    }
    for (std::size_t k = 0; k < d.inputs; ++k) {
      LpTerm dt = d_layers[last - 1].dnn_post[k];
      double dw = d.weight(g, k);
      if (dw != 0 && dt.is_column()) o.terms.push_back({dt.column, -dw});
    }
    o.constant -= rational_from_double(d.bias[g]);
    return o;
  }
  const int frac = d_pair.qnn.acc_frac_bits(last);
  Rational qnn_constant = Rational(BigInt(q.bias[g])) * dyadic(1, -d_pair.qnn.bias_shift(last));
  Rational dnn_constant = rational_from_double(d.bias[g]);
  for (std::size_t k = 0; k < q.inputs; ++k) {
    LpTerm qt = d_layers[last - 1].qnn_post[k];
    LpTerm dt = d_layers[last - 1].dnn_post[k];
    int64_t w = q.weight(g, k);
    if (w != 0) {
      if (qt.is_column()) o.terms.push_back({qt.column, std::ldexp(double(w), -frac)});
      else qnn_constant += Rational(w) * rational_from_double(qt.constant);
    }
    double dw = d.weight(g, k);
    if (dw != 0 && dt.is_column()) o.terms.push_back({dt.column, -dw});
  }
  o.constant = qnn_constant * dyadic(1, frac) - dnn_constant;
  return o;
}

Objective NetworkLp::dnn_pre_objective(std::size_t i, std::size_t j) const {
  Objective o;
  LpTerm t = d_layers[i].dnn_pre[j];
  if (t.is_column()) o.terms.push_back({t.column, 1.0});
  else o.constant = rational_from_double(t.constant);
  return o;
}

Objective NetworkLp::qnn_pre_objective(std::size_t i, std::size_t j) const {
  Objective o;
  LpTerm t = d_layers[i].qnn_pre[j];
  if (t.is_column()) o.terms.push_back({t.column, 1.0});
  else o.constant = rational_from_double(t.constant);
  return o;
}

}  // namespace qeb::lp
