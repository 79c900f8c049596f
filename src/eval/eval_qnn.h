// Bit-exact QNN forward pass in integer arithmetic (spec 1.5; ONNX's affine scheme), overflow-checked.
#pragma once

#include <cstdint>
#include <vector>

#include "core/int128.h"
#include "core/rational.h"
#include "core/rounding.h"
#include "quant/qnetwork.h"

namespace qeb::eval {

using qeb::round_half_up_shift;

/** The power-of-two hidden activation: clamp(round_half_up_shift(acc, e), 0, format.max_int()). */
int64_t quantized_activation(i128 acc, int e, const FixedPointFormat& format);

/** Output of the QNN: power of two y_j = acc[j] / 2^frac_bits; affine: the exact values. */
struct QnnOutput {
  std::vector<i128> acc;
  int frac_bits = 0;             ///< power of two
  std::vector<Rational> values;  ///< affine (empty for power of two)

  Rational value(std::size_t j) const { return values.empty() ? dyadic(acc[j], frac_bits) : values[j]; }
  double approx(std::size_t j) const;
};

/** Every layer's accumulators and the hidden activations, for tests and counterexample reports. */
struct QnnTrace {
  std::vector<std::vector<i128>> acc;              ///< per layer
  std::vector<std::vector<int64_t>> activations;   ///< per hidden layer, after rounding and clamping
};

/**
 * Runs the QNN on integer input x (each x[k] within the input format; OptionError otherwise).
 * Throws OverflowError if any accumulator would leave 128 bits.
 */
QnnOutput eval_qnn(const quant::QNetwork& qnn, const std::vector<int64_t>& x, QnnTrace* trace = nullptr);

}  // namespace qeb::eval
