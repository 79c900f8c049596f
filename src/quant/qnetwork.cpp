#include "quant/qnetwork.h"

#include "core/error.h"

namespace qeb::quant {

int QNetwork::input_frac_bits(std::size_t layer) const {
  return layer == 0 ? input_format.frac_bits : layers[layer - 1].activation_format->frac_bits;
}

int QNetwork::activation_shift(std::size_t layer) const {
  return acc_frac_bits(layer) - layers[layer].activation_format->frac_bits;
}

void validate(const QNetwork& qnn) {
  const std::string file = qnn.source.empty() ? std::string("<qnn>") : qnn.source;
  if (qnn.layers.empty()) throw InputError(file, "the quantized network has no layer");
  validate_format(qnn.input_format, file + ": input format");
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const QLayer& layer = qnn.layers[i];
    std::string where = "layer " + std::to_string(i + 1);
    validate_format(layer.weight_format, file + ": " + where + " weight format");
    validate_format(layer.bias_format, file + ": " + where + " bias format");
    if (layer.inputs == 0 || layer.outputs == 0) throw InputError(file, where + " has an empty shape");
    if (layer.weights.size() != layer.inputs * layer.outputs || layer.bias.size() != layer.outputs)
      throw InputError(file, where + " has weight/bias counts that do not match its shape " +
                                 std::to_string(layer.outputs) + "x" + std::to_string(layer.inputs));
    if (i > 0 && layer.inputs != qnn.layers[i - 1].outputs)
      throw InputError(file, where + " takes " + std::to_string(layer.inputs) + " inputs but the previous layer has " +
                                 std::to_string(qnn.layers[i - 1].outputs) + " outputs");
    for (int64_t w : layer.weights)
      if (w < layer.weight_format.min_int() || w > layer.weight_format.max_int())
        throw InputError(file, where + " has weight " + std::to_string(w) + " outside format " +
                                   layer.weight_format.to_string());
    for (int64_t b : layer.bias)
      if (b < layer.bias_format.min_int() || b > layer.bias_format.max_int())
        throw InputError(file, where + " has bias " + std::to_string(b) + " outside format " +
                                   layer.bias_format.to_string());
    bool last = qnn.is_output(i);
    if (last && layer.activation_format)
      throw InputError(file, "the output layer must not have an activation format (outputs are not quantized)");
    if (!last && !layer.activation_format) throw InputError(file, where + " is hidden but has no activation format");
    if (layer.activation_format) validate_format(*layer.activation_format, file + ": " + where + " activation format");
    if (qnn.bias_shift(i) < 0)
      throw InputError(file, where + ": bias format " + layer.bias_format.to_string() + " has more fractional bits (" +
                                 std::to_string(layer.bias_format.frac_bits) + ") than the accumulator (" +
                                 std::to_string(qnn.acc_frac_bits(i)) + " = input F + weight F)");
    if (!last && qnn.activation_shift(i) < 0)
      throw InputError(file, where + ": activation format " + layer.activation_format->to_string() +
                                 " has more fractional bits than the accumulator (" +
                                 std::to_string(qnn.acc_frac_bits(i)) + " = input F + weight F)");
  }
}

void validate(const ModelPair& pair) {
  model::validate(pair.dnn);
  validate(pair.qnn);
  if (pair.input_scale <= 0) throw OptionError("the input scale must be positive");
  const auto& d = pair.dnn.layers;
  const auto& q = pair.qnn.layers;
  if (d.size() != q.size())
    throw InputError(pair.qnn.source, "the quantized network has " + std::to_string(q.size()) +
                                          " layers but the DNN " + pair.dnn.source + " has " + std::to_string(d.size()));
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i].inputs != q[i].inputs || d[i].outputs != q[i].outputs)
      throw InputError(pair.qnn.source, "layer " + std::to_string(i + 1) + " is " + std::to_string(q[i].outputs) + "x" +
                                            std::to_string(q[i].inputs) + " but in the DNN " +
                                            std::to_string(d[i].outputs) + "x" + std::to_string(d[i].inputs));
}

}  // namespace qeb::quant
