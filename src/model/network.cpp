#include "model/network.h"

#include <cmath>

#include "core/error.h"

namespace qeb::model {

void validate(const Network& net) {
  const std::string& file = net.source.empty() ? std::string("<network>") : net.source;
  if (net.layers.empty()) throw InputError(file, "the network has no dense layer");
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const DenseLayer& layer = net.layers[i];
    std::string where = "dense layer " + std::to_string(i + 1) + " of " + std::to_string(net.layers.size());
    if (layer.inputs == 0 || layer.outputs == 0) throw InputError(file, where + " has an empty shape");
    if (layer.weights.size() != layer.inputs * layer.outputs)
      throw InputError(file, where + " has " + std::to_string(layer.weights.size()) + " weights, expected " +
                                 std::to_string(layer.outputs) + "x" + std::to_string(layer.inputs));
    if (layer.bias.size() != layer.outputs)
      throw InputError(file, where + " has " + std::to_string(layer.bias.size()) + " biases, expected " +
                                 std::to_string(layer.outputs));
    if (i > 0 && layer.inputs != net.layers[i - 1].outputs)
      throw InputError(file, where + " takes " + std::to_string(layer.inputs) + " inputs but the previous layer has " +
                                 std::to_string(net.layers[i - 1].outputs) + " outputs");
    for (std::size_t w = 0; w < layer.weights.size(); ++w)
      if (!std::isfinite(layer.weights[w]))
        throw InputError(file, where + " has a non-finite weight (NaN or Inf) at row " +
                                   std::to_string(w / layer.inputs) + ", column " + std::to_string(w % layer.inputs));
    for (std::size_t j = 0; j < layer.bias.size(); ++j)
      if (!std::isfinite(layer.bias[j]))
        throw InputError(file, where + " has a non-finite bias (NaN or Inf) at index " + std::to_string(j));
    bool last = i + 1 == net.layers.size();
    if (last && layer.relu)
      throw UnsupportedError(file, "the output layer has a ReLU; qeb-smt compares linear outputs (logits)");
    if (!last && !layer.relu)
      throw UnsupportedError(file, where + " is a hidden layer without ReLU; only ReLU hidden layers are supported");
  }
  if (net.normalization) {
    const Normalization& n = *net.normalization;
    std::size_t in = net.input_size();
    if (n.input_mean.size() != in || n.input_range.size() != in || n.input_min.size() != in || n.input_max.size() != in)
      throw InputError(file, "normalisation vectors do not match the input size " + std::to_string(in));
  }
}

void check_normalization(const Network& net) {
  if (!net.normalization) return;
  const std::string& file = net.source.empty() ? std::string("<network>") : net.source;
  const Normalization& n = *net.normalization;
  for (std::size_t k = 0; k < n.input_range.size(); ++k) {
    if (!(std::isfinite(n.input_range[k]) && n.input_range[k] != 0))
      throw InputError(file, "cannot apply the normalisation: the range of input " + std::to_string(k) +
                                 " is zero or not finite");
    if (!(n.input_min[k] <= n.input_max[k]) || !std::isfinite(n.input_mean[k]))
      throw InputError(file, "cannot apply the normalisation: input " + std::to_string(k) +
                                 " has minimum > maximum or a mean that is not finite");
  }
  if (!(std::isfinite(n.output_range) && n.output_range != 0) || !std::isfinite(n.output_mean))
    throw InputError(file, "cannot apply the normalisation: the output range is zero or not finite");
}

void apply_normalization(Network& net) {
  if (!net.normalization) return;
  check_normalization(net);
  const Normalization& n = *net.normalization;
  DenseLayer& first = net.layers.front();
  for (std::size_t j = 0; j < first.outputs; ++j)
    for (std::size_t k = 0; k < first.inputs; ++k) {
      double& w = first.weights[j * first.inputs + k];
      first.bias[j] -= w * n.input_mean[k] / n.input_range[k];
      w /= n.input_range[k];
    }
  DenseLayer& last = net.layers.back();
  for (std::size_t j = 0; j < last.outputs; ++j) {
    for (std::size_t k = 0; k < last.inputs; ++k) last.weights[j * last.inputs + k] *= n.output_range;
    last.bias[j] = last.bias[j] * n.output_range + n.output_mean;
  }
  net.normalization.reset();
}

std::string shape_string(const Network& net) {
  std::string s = std::to_string(net.input_size());
  for (const DenseLayer& layer : net.layers) s += "-" + std::to_string(layer.outputs);
  return s;
}

}  // namespace qeb::model
