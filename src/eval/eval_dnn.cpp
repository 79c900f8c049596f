#include "eval/eval_dnn.h"

#include "core/error.h"

namespace qeb::eval {

std::vector<Rational> eval_dnn_exact(const model::Network& dnn, const std::vector<int64_t>& x,
                                     const Rational& input_scale, int64_t zero_point) {
  if (x.size() != dnn.input_size())
    throw OptionError("input has " + std::to_string(x.size()) + " values but the DNN has " +
                      std::to_string(dnn.input_size()) + " inputs");
  std::vector<Rational> current;
  for (int64_t v : x) current.push_back(Rational(v - zero_point) / input_scale);
  for (const model::DenseLayer& layer : dnn.layers) {
    std::vector<Rational> next(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      Rational sum = rational_from_double(layer.bias[j]);
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        double w = layer.weight(j, k);
        if (w != 0 && current[k] != 0) sum += rational_from_double(w) * current[k];
      }
      next[j] = layer.relu && sum < 0 ? Rational(0) : sum;
    }
    current = std::move(next);
  }
  return current;
}

std::vector<double> eval_dnn_double(const model::Network& dnn, const std::vector<double>& input) {
  std::vector<double> current = input;
  for (const model::DenseLayer& layer : dnn.layers) {
    std::vector<double> next(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      double sum = layer.bias[j];
      for (std::size_t k = 0; k < layer.inputs; ++k) sum += layer.weight(j, k) * current[k];
      next[j] = layer.relu && sum < 0 ? 0.0 : sum;
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace qeb::eval
