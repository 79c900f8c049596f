// The real-valued fully connected ReLU network (DNN) every loader produces.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace qeb::model {

/** y = W x + b, then ReLU if `relu`. Weights are kept exactly as stored (float32 widens exactly). */
struct DenseLayer {
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  std::vector<double> weights;  ///< row-major, outputs x inputs: weights[j * inputs + k] = W_jk
  std::vector<double> bias;     ///< outputs
  bool relu = false;

  double weight(std::size_t j, std::size_t k) const { return weights[j * inputs + k]; }
};

/** The input/output normalisation of a .nnet file: x_norm = (x - mean) / range, y = y_norm * range + mean. */
struct Normalization {
  std::vector<double> input_min, input_max;    ///< raw input domain
  std::vector<double> input_mean, input_range;
  double output_mean = 0, output_range = 1;
};

/**
 * A DNN: dense layers applied in order; every hidden layer has ReLU, the output layer is linear.
 * The network maps (normalised, if `normalization` is set) inputs to (normalised) outputs.
 */
struct Network {
  std::vector<DenseLayer> layers;
  std::optional<Normalization> normalization;  ///< kept from .nnet files, not applied by default
  std::string source;                          ///< file it was loaded from, for messages
  std::vector<std::string> notes;              ///< what the loader accepted but changed (one line each)

  std::size_t input_size() const { return layers.empty() ? 0 : layers.front().inputs; }
  std::size_t output_size() const { return layers.empty() ? 0 : layers.back().outputs; }
};

/**
 * Checks shapes chain, sizes match, every weight is finite, hidden layers have ReLU and the last
 * does not. Throws InputError naming `network.source` and the layer.
 */
void validate(const Network& network);

/**
 * Checks that a .nnet normalisation can be applied: every range non-zero and finite, the output
 * mean finite, min <= max. Throws InputError naming `network.source` otherwise. (A file may carry
 * unusable values as long as nobody applies them: validate() does not look at them.)
 */
void check_normalization(const Network& network);

/**
 * Folds a .nnet normalisation into the first and last layers (in double: each folded weight is
 * rounded to nearest), so the network maps raw inputs to raw outputs. No-op without normalisation;
 * check_normalization first.
 */
void apply_normalization(Network& network);

/** "784-100-10" */
std::string shape_string(const Network& network);

}  // namespace qeb::model
