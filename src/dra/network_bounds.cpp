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
    lo[k] = down(to_double(Rational(box.lo[k]) / pair.input_scale));
    hi[k] = up(to_double(Rational(box.hi[k]) / pair.input_scale));
  }
  return {lo, hi};
}

Matrix dnn_weight_matrix(const quant::ModelPair& pair, std::size_t i) {
  const model::DenseLayer& layer = pair.dnn.layers[i];
  Matrix m(layer.outputs, layer.inputs);
  m.data = layer.weights;
  return m;
}

Matrix qnn_weight_matrix(const quant::ModelPair& pair, std::size_t i) {
  const quant::QLayer& layer = pair.qnn.layers[i];
  Matrix m(layer.outputs, layer.inputs);
  for (std::size_t w = 0; w < layer.weights.size(); ++w)
    m.data[w] = std::ldexp(double(layer.weights[w]), -layer.weight_format.frac_bits);
  return m;
}

std::vector<double> qnn_real_bias(const quant::ModelPair& pair, std::size_t i) {
  const quant::QLayer& layer = pair.qnn.layers[i];
  std::vector<double> b(layer.outputs);
  for (std::size_t j = 0; j < layer.outputs; ++j) b[j] = std::ldexp(double(layer.bias[j]), -layer.bias_format.frac_bits);
  return b;
}

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
                           const std::vector<QnnLayerIntervals>& intervals, bool keep_expressions) {
  const quant::QNetwork& qnn = pair.qnn;
  std::vector<double> lo(box.dimension()), hi(box.dimension());
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    lo[k] = std::ldexp(double(box.lo[k]), -qnn.input_format.frac_bits);
    hi[k] = std::ldexp(double(box.hi[k]), -qnn.input_format.frac_bits);
  }
  DeepPoly poly(std::move(lo), std::move(hi));
  NetworkBounds out;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    std::size_t k = poly.add_layer(qnn_weight_matrix(pair, i), qnn_real_bias(pair, i));
    std::vector<Interval> affine = bound_layer(poly, k, out, keep_expressions);
    if (qnn.is_output(i)) {
      if (semantics == Semantics::SOUND)
        for (std::size_t j = 0; j < affine.size(); ++j) affine[j] = affine[j].meet(intervals[i].real_pre[j]);
      out.pre.push_back(affine);
      out.post.push_back(std::move(affine));
      break;
    }
    const FixedPointFormat& h = *qnn.layers[i].activation_format;
    const double grid = std::ldexp(1.0, -h.frac_bits), rho = grid / 2;
    const double cap = std::ldexp(double(h.max_int()), -h.frac_bits);
    // Rounding node: the affine bounds widened by half a grid step, then integerised (P1; sound
    // because the node is integer-valued).
    std::vector<Interval> rounded(affine.size());
    for (std::size_t j = 0; j < affine.size(); ++j) {
      rounded[j] = {std::ceil(down(affine[j].lo - rho) / grid) * grid, std::floor(up(affine[j].hi + rho) / grid) * grid};
      if (semantics == Semantics::SOUND) rounded[j] = rounded[j].meet(intervals[i].real_pre[j]);
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
    out.pre.push_back(std::move(rounded));
    out.post.push_back(std::move(post));
  }
  return out;
}

}  // namespace qeb::dra
