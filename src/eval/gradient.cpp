#include "eval/gradient.h"

#include <cmath>

#include "eval/eval_qnn.h"

namespace qeb::eval {

namespace {

// Backpropagates the unit vector of output k through layers with the given pass-through masks.
// weight(i, j, m) is layer i's weight from input m to neuron j; masks[i][j] says neuron j of
// hidden layer i passes its gradient (active ReLU / unclamped).
template <class Weight>
std::vector<double> backpropagate(std::size_t k, const std::vector<std::size_t>& widths,
                                  const std::vector<std::vector<bool>>& masks, Weight weight) {
  std::size_t layers = widths.size() - 1;
  std::vector<double> g(widths[layers], 0.0);
  g[k] = 1;
  for (std::size_t i = layers; i-- > 0;) {
    if (i + 1 < layers)
      for (std::size_t j = 0; j < g.size(); ++j)
        if (!masks[i][j]) g[j] = 0;
    std::vector<double> previous(widths[i], 0.0);
    for (std::size_t j = 0; j < g.size(); ++j) {
      if (g[j] == 0) continue;
      for (std::size_t m = 0; m < widths[i]; ++m) previous[m] += g[j] * weight(i, j, m);
    }
    g = std::move(previous);
  }
  return g;
}

}  // namespace

std::vector<double> difference_gradient(const quant::ModelPair& pair, const std::vector<int64_t>& x, std::size_t k) {
  const model::Network& dnn = pair.dnn;
  const quant::QNetwork& qnn = pair.qnn;
  std::vector<std::size_t> widths = {dnn.input_size()};
  for (const auto& layer : dnn.layers) widths.push_back(layer.outputs);

  // Activation patterns at x: DNN ReLUs in double, QNN clamps from the exact integer pass.
  std::vector<std::vector<bool>> dnn_mask, qnn_mask;
  std::vector<double> current(x.size());
  const double inverse = 1.0 / to_double(pair.input_scale);
  for (std::size_t m = 0; m < x.size(); ++m) current[m] = double(x[m] - qnn.input_zero_point) * inverse;
  for (const auto& layer : dnn.layers) {
    if (!layer.relu) break;
    std::vector<double> next(layer.outputs);
    std::vector<bool> mask(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      double s = layer.bias[j];
      for (std::size_t m = 0; m < layer.inputs; ++m) s += layer.weight(j, m) * current[m];
      mask[j] = s > 0;
      next[j] = s > 0 ? s : 0;
    }
    dnn_mask.push_back(mask);
    current = std::move(next);
  }
  QnnTrace trace;
  eval_qnn(qnn, x, &trace);
  for (std::size_t i = 0; i + 1 < qnn.layers.size(); ++i) {
    std::vector<bool> mask(qnn.layers[i].outputs);
    const int64_t lo = qnn.clamp_lo(i), hi = qnn.clamp_hi(i);
    for (std::size_t j = 0; j < mask.size(); ++j) {
      i128 v = qnn.rounded(i, j, trace.acc[i][j]);
      mask[j] = v > lo && v < hi;
    }
    qnn_mask.push_back(mask);
  }

  std::vector<double> gd = backpropagate(k, widths, dnn_mask, [&](std::size_t i, std::size_t j, std::size_t m) {
    return dnn.layers[i].weight(j, m);
  });
  std::vector<std::vector<double>> weight_scale(qnn.layers.size());
  for (std::size_t i = 0; i < qnn.layers.size(); ++i)
    for (std::size_t j = 0; j < qnn.layers[i].outputs; ++j)
      weight_scale[i].push_back(qnn.affine() ? to_double(qnn.weight_scale(i, j))
                                             : std::ldexp(1.0, -qnn.layers[i].weight_format.frac_bits));
  std::vector<double> gq = backpropagate(k, widths, qnn_mask, [&](std::size_t i, std::size_t j, std::size_t m) {
    return double(qnn.layers[i].weight(j, m)) * weight_scale[i][j];
  });
  // A quantized output held by its clamp does not move with the input.
  const std::size_t last = qnn.layers.size() - 1;
  if (qnn.quantized(last)) {
    i128 v = qnn.rounded(last, k, trace.acc[last][k]);
    if (v <= qnn.clamp_lo(last) || v >= qnn.clamp_hi(last)) gq.assign(gq.size(), 0.0);
  }
  const double q_scale = qnn.affine() ? to_double(qnn.input_step()) : std::ldexp(1.0, -qnn.input_format.frac_bits);
  std::vector<double> g(x.size());
  for (std::size_t m = 0; m < x.size(); ++m) g[m] = gq[m] * q_scale - gd[m] * inverse;
  return g;
}

}  // namespace qeb::eval
