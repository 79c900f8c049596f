#include "cli/saturation.h"

#include <algorithm>
#include <cmath>

#include "eval/eval_qnn.h"

namespace qeb::cli {

namespace {

// Post-ReLU values of every hidden layer of the DNN, in double (a warning needs no exactness).
std::vector<std::vector<double>> dnn_hidden(const model::Network& dnn, std::vector<double> x) {
  std::vector<std::vector<double>> hidden;
  for (std::size_t i = 0; i + 1 < dnn.layers.size(); ++i) {
    const model::DenseLayer& l = dnn.layers[i];
    std::vector<double> y(l.outputs);
    for (std::size_t j = 0; j < l.outputs; ++j) {
      double acc = l.bias[j];
      for (std::size_t k = 0; k < l.inputs; ++k) acc += l.weight(j, k) * x[k];
      y[j] = std::max(acc, 0.0);
    }
    hidden.push_back(y);
    x = std::move(y);
  }
  return hidden;
}

}  // namespace

std::vector<LayerSaturation> measure_saturation(const quant::ModelPair& pair, const spec::MnistSet& data,
                                                std::size_t first, std::size_t last) {
  std::vector<LayerSaturation> layers;
  for (std::size_t i = 0; i + 1 < pair.qnn.layers.size(); ++i) layers.push_back({i + 1});
  const double inverse = to_double(Rational(1) / pair.input_scale);
  for (std::size_t s = first; s < last; ++s) {
    std::vector<int64_t> x = data.image(s);
    eval::QnnTrace trace;
    eval::eval_qnn(pair.qnn, x, &trace);
    std::vector<double> real(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) real[k] = double(x[k]) * inverse;
    std::vector<std::vector<double>> dnn = dnn_hidden(pair.dnn, real);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const int64_t top = pair.qnn.layers[i].activation_format->max_int();
      for (int64_t a : trace.activations[i]) layers[i].at_top += a == top;
      layers[i].total += trace.activations[i].size();
      for (double v : dnn[i]) layers[i].dnn_max = std::max(layers[i].dnn_max, v);
    }
  }
  return layers;
}

std::string widening_override(const quant::QNetwork& qnn, const LayerSaturation& s) {
  const FixedPointFormat& f = *qnn.layers[s.layer - 1].activation_format;
  int integer_bits = f.total_bits - f.frac_bits;
  int needed = integer_bits;
  while (needed < 31 - f.frac_bits && std::ldexp(1.0, needed) <= s.dnn_max) ++needed;
  if (needed == integer_bits) return "";
  return "h" + std::to_string(s.layer) + "=u" + std::to_string(needed + f.frac_bits) + "." + std::to_string(f.frac_bits);
}

}  // namespace qeb::cli
