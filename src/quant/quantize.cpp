#include "quant/quantize.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "core/error.h"

namespace qeb::quant {

int64_t quantize_value(double v, const FixedPointFormat& format) {
  QEB_ASSERT(std::isfinite(v));
  // Clip in scaled units first (the range ends are integers, so this equals clipping the real value);
  // ldexp by F <= 32 is exact, and std::round rounds half away from zero, as the artifact does.
  double scaled = std::ldexp(v, format.frac_bits);
  scaled = std::clamp(scaled, double(format.min_int()), double(format.max_int()));
  return static_cast<int64_t>(std::round(scaled));
}

QNetwork quantize(const model::Network& dnn, const QuantConfig& config) {
  // An override for a layer the network does not have would be silently ignored: refuse it.
  std::size_t layers = dnn.layers.size();
  auto check = [&](const std::map<int, FixedPointFormat>& overrides, char key, std::size_t max, const char* what) {
    for (const auto& [layer, format] : overrides)
      if (std::size_t(layer) > max)
        throw OptionError("--quant: " + std::string(1, key) + std::to_string(layer) + "= names layer " +
                          std::to_string(layer) + ", but the network has " + std::to_string(layers) + " layers (" +
                          what + " 1.." + std::to_string(max) + ")");
  };
  check(config.weight_override, 'w', layers, "weights of layers");
  check(config.bias_override, 'b', layers, "biases of layers");
  check(config.hidden_override, 'h', layers - 1, "activations of the hidden layers");
  QNetwork qnn;
  qnn.input_format = config.input;
  qnn.source = "quantized(" + dnn.source + ", " + config.to_string() + ")";
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& layer = dnn.layers[i];
    int number = int(i) + 1;
    QLayer q;
    q.inputs = layer.inputs;
    q.outputs = layer.outputs;
    q.weight_format = config.weight_format(number);
    q.bias_format = config.bias_format(number);
    if (i + 1 < dnn.layers.size()) q.activation_format = config.hidden_format(number);
    q.weights.reserve(layer.weights.size());
    for (double w : layer.weights) q.weights.push_back(quantize_value(w, q.weight_format));
    for (double b : layer.bias) q.bias.push_back(quantize_value(b, q.bias_format));
    qnn.layers.push_back(std::move(q));
  }
  validate(qnn);
  return qnn;
}

ModelPair make_pair(model::Network dnn, const QuantConfig& config) {
  ModelPair pair;
  pair.qnn = quantize(dnn, config);
  pair.dnn = std::move(dnn);
  pair.input_scale = config.input_scale;
  validate(pair);
  return pair;
}

}  // namespace qeb::quant
