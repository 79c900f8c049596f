// The quantized network (QNN): integer weights and fixed-point formats, however it was obtained.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/rational.h"
#include "model/network.h"

namespace qeb::quant {

/**
 * One quantized dense layer (spec 1.5). With F_prev the fractional bits of its input:
 *   acc_j = sum_k W_jk x_k + b_j * 2^(F_prev + F_w - F_b)           (exact integer)
 *   hidden: x_j = clamp(floor(acc_j / 2^e + 1/2), 0, max(C_h)),     e = F_prev + F_w - F_h
 *   output: y_j = acc_j / 2^(F_prev + F_w)                          (real, no rounding or clamp)
 */
struct QLayer {
  std::size_t inputs = 0, outputs = 0;
  std::vector<int64_t> weights;  ///< row-major outputs x inputs, values of weight_format
  std::vector<int64_t> bias;     ///< values of bias_format
  FixedPointFormat weight_format, bias_format;
  std::optional<FixedPointFormat> activation_format;  ///< hidden layers only

  int64_t weight(std::size_t j, std::size_t k) const { return weights[j * inputs + k]; }
};

struct QNetwork {
  FixedPointFormat input_format;  ///< integer inputs x̂ in [min_int, max_int], real value x̂ / 2^F_in
  std::vector<QLayer> layers;
  std::string source;  ///< file or "quantized from <dnn>", for messages

  std::size_t input_size() const { return layers.empty() ? 0 : layers.front().inputs; }
  std::size_t output_size() const { return layers.empty() ? 0 : layers.back().outputs; }
  bool is_output(std::size_t layer) const { return layer + 1 == layers.size(); }
  /** Fractional bits of the input of `layer` (F_in or the previous layer's F_h). */
  int input_frac_bits(std::size_t layer) const;
  /** Fractional bits of the accumulator of `layer`: input_frac_bits + F_w. */
  int acc_frac_bits(std::size_t layer) const { return input_frac_bits(layer) + layers[layer].weight_format.frac_bits; }
  /** Left shift aligning the bias with the accumulator: acc_frac_bits - F_b (>= 0 in a valid QNN). */
  int bias_shift(std::size_t layer) const { return acc_frac_bits(layer) - layers[layer].bias_format.frac_bits; }
  /** Right shift of a hidden layer's rounding: acc_frac_bits - F_h (>= 0 in a valid QNN). */
  int activation_shift(std::size_t layer) const;
};

/**
 * Checks shapes, that every integer lies in its format, that hidden layers have an activation format
 * and the output layer none, and that the bias and activation shifts are non-negative.
 * Throws InputError naming `qnn.source`.
 */
void validate(const QNetwork& qnn);

/** The DNN, the QNN, and how the shared integer input feeds the DNN (x = x̂ / input_scale). */
struct ModelPair {
  model::Network dnn;
  QNetwork qnn;
  Rational input_scale = 255;
};

/** validate(qnn), plus matching layer shapes between the two networks. Throws InputError. */
void validate(const ModelPair& pair);

}  // namespace qeb::quant
