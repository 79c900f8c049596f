#include "dra/network_bounds.h"

#include <cmath>

#include "dra/relaxations.h"

namespace qeb::dra {

namespace {

std::vector<double> magnitude(const std::vector<Interval>& bounds) {
  std::vector<double> m(bounds.size());
  for (std::size_t j = 0; j < bounds.size(); ++j) m[j] = std::max(std::fabs(bounds[j].lo), std::fabs(bounds[j].hi));
  return m;
}

// Bounds of layer k's pre-activations, keeping the expressions if asked.
std::vector<Interval> bound_layer(const DeepPoly& poly, std::size_t k, NetworkBounds& out, bool keep) {
  InputExpression lower = poly.expression(k, Direction::LOWER);
  InputExpression upper = poly.expression(k, Direction::UPPER);
  std::vector<double> lo = poly.concretize(lower, Direction::LOWER);
  std::vector<double> hi = poly.concretize(upper, Direction::UPPER);
  std::vector<Interval> bounds(lo.size());
  for (std::size_t j = 0; j < lo.size(); ++j) bounds[j] = {lo[j], hi[j]};
  if (keep) {
    out.lower.push_back(std::move(lower));
    out.upper.push_back(std::move(upper));
  }
  return bounds;
}

}  // namespace

std::pair<std::vector<double>, std::vector<double>> dnn_input_box(const quant::ModelPair& pair, const spec::Box& box) {
  std::vector<double> lo(box.dimension()), hi(box.dimension());
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    lo[k] = down(to_double(pair.dnn_input(box.lo[k])));
    hi[k] = up(to_double(pair.dnn_input(box.hi[k])));
  }
  return {lo, hi};
}

Matrix dnn_weight_matrix(const quant::ModelPair& pair, std::size_t i) {
  const model::DenseLayer& layer = pair.dnn.layers[i];
  Matrix m(layer.outputs, layer.inputs);
  m.data = layer.weights;
  return m;
}

namespace {

// A lower (upper) bound of the exact product v * s: the rounded product, moved one ulp down (up)
// where it rounded the wrong way (fma gives the exact product minus the rounded one).
double product_bound(double v, double s, bool lower) {
  double p = v * s;
  if (!std::isfinite(p)) return p;
  double err = std::fma(v, s, -p);
  if (lower) return err >= 0 ? p : down(p);
  return err <= 0 ? p : up(p);
}

}  // namespace

QnnGrid qnn_grid(const quant::QNetwork& qnn, std::size_t i) {
  QnnGrid g;
  g.quantized = qnn.quantized(i);
  if (!g.quantized) return g;
  if (!qnn.affine()) {
    const FixedPointFormat& h = *qnn.layers[i].activation_format;
    g.step = std::ldexp(1.0, -h.frac_bits);
    g.cap = std::ldexp(double(h.max_int()), -h.frac_bits);
    return g;
  }
  g.step = to_double(qnn.step(i));  // exact, as are the clamp ends (validate())
  g.low = double(qnn.clamp_lo(i)) * g.step;
  g.cap = double(qnn.clamp_hi(i)) * g.step;
  int exponent = 0;
  g.power_of_two = std::frexp(g.step, &exponent) == 0.5;
  return g;
}

std::vector<QnnRealLayer> qnn_real_layers(const quant::QNetwork& qnn) {
  std::vector<QnnRealLayer> out(qnn.layers.size());
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    QnnRealLayer& r = out[i];
    r.weights = Matrix(layer.outputs, layer.inputs);
    r.bias.resize(layer.outputs);
    r.out = qnn_grid(qnn, i);
    if (!qnn.affine()) {
      // W̃ = Ŵ / 2^F_w and b̃ = b̂ / 2^F_b, exact.
      for (std::size_t w = 0; w < layer.weights.size(); ++w)
        r.weights.data[w] = std::ldexp(double(layer.weights[w]), -layer.weight_format.frac_bits);
      for (std::size_t j = 0; j < layer.outputs; ++j) r.bias[j] = std::ldexp(double(layer.bias[j]), -layer.bias_format.frac_bits);
      continue;
    }
    // Affine: per-channel weight scales (exact doubles, validate()), biases to the nearest double.
    r.bias_error.resize(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      const double scale = to_double(qnn.weight_scale(i, j));
      double* row = r.weights.row(j);
      for (std::size_t k = 0; k < layer.inputs; ++k) row[k] = double(layer.weight(j, k)) * scale;
      const Rational exact = qnn.real_bias(i, j);
      r.bias[j] = to_double(exact);
      r.bias_error[j] = up(std::fabs(to_double(Rational(rational_from_double(r.bias[j]) - exact))) * (1 + 1e-6));
    }
  }
  return out;
}

std::pair<std::vector<double>, std::vector<double>> qnn_input_box(const quant::QNetwork& qnn, const spec::Box& box) {
  std::vector<double> lo(box.dimension()), hi(box.dimension());
  if (!qnn.affine()) {
    for (std::size_t k = 0; k < box.dimension(); ++k) {
      lo[k] = std::ldexp(double(box.lo[k]), -qnn.input_format.frac_bits);
      hi[k] = std::ldexp(double(box.hi[k]), -qnn.input_format.frac_bits);
    }
    return {lo, hi};
  }
  const double step = to_double(qnn.input_step());  // exact (validate())
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    lo[k] = product_bound(double(box.lo[k] - qnn.input_zero_point), step, true);
    hi[k] = product_bound(double(box.hi[k] - qnn.input_zero_point), step, false);
  }
  return {lo, hi};
}

namespace {

// floor(v / step) and ceil(v / step) of the exact quotient (a power-of-two step divides exactly).
double quotient_floor(double v, const QnnGrid& g) {
  double q = v / g.step;
  return std::floor(g.power_of_two ? q : up(q));
}

double quotient_ceil(double v, const QnnGrid& g) {
  double q = v / g.step;
  return std::ceil(g.power_of_two ? q : down(q));
}

}  // namespace

int64_t grid_floor(double v, const QnnGrid& g) { return int64_t(std::clamp(quotient_floor(v, g), -0x1p62, 0x1p62)); }

int64_t grid_ceil(double v, const QnnGrid& g) { return int64_t(std::clamp(quotient_ceil(v, g), -0x1p62, 0x1p62)); }

NetworkBounds dnn_deeppoly(const quant::ModelPair& pair, const spec::Box& box, bool keep_expressions,
                           const std::vector<LayerReport>* within, bool* empty) {
  auto [lo, hi] = dnn_input_box(pair, box);
  DeepPoly poly(std::move(lo), std::move(hi));
  NetworkBounds out;
  for (std::size_t i = 0; i < pair.dnn.layers.size(); ++i) {
    std::size_t k = poly.add_layer(dnn_weight_matrix(pair, i), pair.dnn.layers[i].bias);
    std::vector<Interval> pre = bound_layer(poly, k, out, keep_expressions);
    if (within)
      for (std::size_t j = 0; j < pre.size(); ++j) {
        pre[j] = pre[j].meet((*within)[i].dnn_pre[j]);
        if (pre[j].lo > pre[j].hi) *empty = true, pre[j].hi = pre[j].lo;
      }
    std::vector<Interval> post = pre;
    if (pair.dnn.layers[i].relu) {
      for (Interval& p : post) p = {std::max(p.lo, 0.0), std::max(p.hi, 0.0)};
      poly.set_activation({relu_step(pre)}, magnitude(post));
    }
    out.pre.push_back(std::move(pre));
    out.post.push_back(std::move(post));
  }
  return out;
}

NetworkBounds qnn_deeppoly(const quant::ModelPair& pair, const spec::Box& box, Semantics semantics,
                           const std::vector<QnnLayerIntervals>& intervals, const std::vector<QnnRealLayer>& real,
                           bool keep_expressions) {
  const quant::QNetwork& qnn = pair.qnn;
  auto [lo, hi] = qnn_input_box(qnn, box);
  DeepPoly poly(std::move(lo), std::move(hi));
  NetworkBounds out;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const QnnRealLayer& layer = real[i];
    std::size_t k = poly.add_layer(layer.weights, layer.bias, layer.bias_error);
    std::vector<Interval> affine = bound_layer(poly, k, out, keep_expressions);
    const QnnGrid& g = layer.out;
    if (qnn.is_output(i) && !g.quantized) {
      if (semantics == Semantics::SOUND)
        for (std::size_t j = 0; j < affine.size(); ++j) affine[j] = affine[j].meet(intervals[i].real_pre[j]);
      out.pre.push_back(affine);
      out.post.push_back(std::move(affine));
      break;
    }
    const double grid = g.step, rho = grid / 2, cap = g.cap;
    // Rounding node: the affine bounds widened by half a grid step, then integerised (P1; sound
    // because the node is integer-valued).
    std::vector<Interval> rounded(affine.size());
    for (std::size_t j = 0; j < affine.size(); ++j) {
      rounded[j] = {product_bound(quotient_ceil(down(affine[j].lo - rho), g), grid, true),
                    product_bound(quotient_floor(up(affine[j].hi + rho), g), grid, false)};
      if (semantics == Semantics::SOUND) rounded[j] = rounded[j].meet(intervals[i].real_pre[j]);
    }
    if (keep_expressions) {
      // The rounding node's expressions: the affine ones shifted by -rho / +rho.
      InputExpression& lower = out.lower.back();
      InputExpression& upper = out.upper.back();
      for (std::size_t j = 0; j < lower.constant.size(); ++j) {
        lower.constant[j] -= rho;
        upper.constant[j] += rho;
        lower.slack[j] += std::fabs(lower.constant[j]) * kUnitRoundoff;  // one rounding each
        upper.slack[j] += std::fabs(upper.constant[j]) * kUnitRoundoff;
      }
    }
    if (qnn.is_output(i)) {
      // An affine quantized output: the clamp to [low, cap] ends the network.
      std::vector<Interval> post(rounded.size());
      for (std::size_t j = 0; j < rounded.size(); ++j)
        post[j] = {std::clamp(rounded[j].lo, g.low, cap), std::clamp(rounded[j].hi, g.low, cap)};
      out.pre.push_back(std::move(rounded));
      out.post.push_back(std::move(post));
      break;
    }
    // max(., 0) node: back-substituting its lower relaxation p gives the rounding node's lower
    // bound itself; SOUND clips it at 0.
    DiagonalStep max_step = max_zero_step(rounded);
    std::vector<Interval> maxed(rounded.size());
    for (std::size_t j = 0; j < rounded.size(); ++j) {
      const Interval& r = rounded[j];
      double lower = r.lo >= 0 ? r.lo : (max_step.lower_slope[j] > 0 ? r.lo : 0.0);
      if (semantics == Semantics::SOUND) lower = std::max(lower, 0.0);
      maxed[j] = {lower, std::max(r.hi, 0.0)};
    }
    // min(., C) node: its chord passes through (l, l), so its bounds are [min(l, C), min(u, C)].
    DiagonalStep min_step = min_cap_step(maxed, cap, grid);
    std::vector<Interval> post(maxed.size());
    for (std::size_t j = 0; j < maxed.size(); ++j) post[j] = {std::min(maxed[j].lo, cap), std::min(maxed[j].hi, cap)};
    poly.set_activation({rounding_step(affine, rho), std::move(max_step), std::move(min_step)}, magnitude(post));
    out.pre.push_back(std::move(rounded));
    out.post.push_back(std::move(post));
  }
  return out;
}

}  // namespace qeb::dra
