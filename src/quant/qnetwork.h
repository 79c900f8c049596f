// The quantized network (QNN): integer weights and how each layer's integer accumulators become its
// outputs, for both schemes qeb-smt verifies: QEBVerif's power-of-two fixed point (spec 1.5) and
// the affine int8/uint8 scheme of ONNX (QuantizeLinear/DequantizeLinear, QLinearMatMul).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/int128.h"
#include "core/rational.h"
#include "core/rounding.h"
#include "model/network.h"

namespace qeb::quant {

/** Which family of quantization a QNN follows (every layer of one network follows the same). */
enum class Scheme {
  POWER_OF_TWO,  ///< fixed-point formats, scales 2^-F, round half up (spec 1)
  AFFINE,        ///< ONNX: arbitrary (float32) scales, integer zero points, round half to even
};

/**
 * The affine parameters of one layer. The layer's real pre-activation is
 *   pre_j = acc_scale_j * acc_j + acc_offset_j                  (exact rationals)
 * and, when its outputs are quantized (hidden layers always, the output layer if the model
 * quantizes it), the integer output is
 *   v_j = round_half_to_even(pre_j / out_scale),  p_j = clamp(v_j, out_lo, out_hi)
 * with real value p_j * out_scale. Values flow centred: p_j is the stored ONNX integer minus
 * out_zero_point, so a ReLU layer clamps at 0 (out_lo = 0) and the next layer's weights act on
 * p_j directly. Build it with make_affine_layer, which derives the integer rule.
 */
struct AffineLayer {
  std::vector<Rational> acc_scale;   ///< S_j > 0 (= input scale * weight scale of channel j)
  std::vector<Rational> acc_offset;  ///< c_j: the part of the real bias off the accumulator's grid (often 0)
  bool quantized = false;
  Rational out_scale;                ///< > 0
  int64_t out_zero_point = 0;        ///< for reports: the stored ONNX integer is p_j + out_zero_point
  int64_t out_lo = 0, out_hi = 0;    ///< the clamp of the centred value
  /// Derived from the above (quantized layers): v_j = round_half_to_even((acc_j mult_j + add_j) / div_j),
  /// all integers, mult_j > 0 and div_j > 0.
  std::vector<i128> mult, add, div;
};

/**
 * One quantized dense layer. Its exact integer accumulator is
 *   acc_j = sum_k W_jk x_k + bias_j * 2^bias_shift
 * over the layer's integer inputs x_k (the QNN's inputs, or the previous layer's outputs).
 * Power of two (spec 1.5), with F_prev the fractional bits of the input:
 *   hidden: x_j = clamp(floor(acc_j / 2^e + 1/2), 0, max(C_h)),     e = F_prev + F_w - F_h
 *   output: y_j = acc_j / 2^(F_prev + F_w)                          (real, no rounding or clamp)
 * Affine: see AffineLayer (weights with their zero points subtracted, bias_shift 0).
 */
struct QLayer {
  std::size_t inputs = 0, outputs = 0;
  std::vector<int64_t> weights;  ///< row-major outputs x inputs
  std::vector<int64_t> bias;     ///< power of two: values of bias_format; affine: the accumulator's constant
  FixedPointFormat weight_format, bias_format;        ///< power of two only
  std::optional<FixedPointFormat> activation_format;  ///< power of two, hidden layers only
  std::optional<AffineLayer> affine;                  ///< affine only

  int64_t weight(std::size_t j, std::size_t k) const { return weights[j * inputs + k]; }
};

/** The integer rounding of a quantized neuron: v = round((acc * mult + add) / div), as `rounding`. */
struct RoundingRule {
  BigInt mult = 1, add = 0, div = 1;  ///< mult > 0, div > 0
  Rounding rounding = Rounding::HALF_UP;
  int shift = -1;  ///< >= 0 when mult = 1, add = 0 and div = 2^shift (an arithmetic shift)
};

/**
 * A half-to-even rule with small constants (odd div: no ties) that rounds exactly as `rule` on every
 * acc in [lo, hi], or `rule` itself when it is not half to even or no such rule is found cheaply.
 * (ONNX's float32 scales make mult and div 40-60 bits wide; over the few thousand values an
 * accumulator takes, a div of about that size does, and the solvers' multipliers shrink with it.)
 */
RoundingRule narrow_rounding_rule(const RoundingRule& rule, i128 lo, i128 hi);

struct QNetwork {
  Scheme scheme = Scheme::POWER_OF_TWO;
  /// The integer inputs x̂ lie in [min_int, max_int]. Power of two: the real input is x̂ / 2^F_in;
  /// affine: Q bits, signed or not (int8/uint8), and the real input is (x̂ - input_zero_point) * input_scale.
  FixedPointFormat input_format;
  Rational affine_input_scale;   ///< affine only
  int64_t input_zero_point = 0;  ///< affine only (0 for power of two)
  std::vector<QLayer> layers;
  std::string source;  ///< file or "quantized from <dnn>", for messages

  bool affine() const { return scheme == Scheme::AFFINE; }
  std::size_t input_size() const { return layers.empty() ? 0 : layers.front().inputs; }
  std::size_t output_size() const { return layers.empty() ? 0 : layers.back().outputs; }
  bool is_output(std::size_t layer) const { return layer + 1 == layers.size(); }

  // The power-of-two scheme's shifts (not defined for affine layers).
  /** Fractional bits of the input of `layer` (F_in or the previous layer's F_h). */
  int input_frac_bits(std::size_t layer) const;
  /** Fractional bits of the accumulator of `layer`: input_frac_bits + F_w. */
  int acc_frac_bits(std::size_t layer) const { return input_frac_bits(layer) + layers[layer].weight_format.frac_bits; }
  /** Left shift aligning the bias with the accumulator: acc_frac_bits - F_b (>= 0 in a valid QNN; affine: 0). */
  int bias_shift(std::size_t layer) const;
  /** Right shift of a hidden layer's rounding: acc_frac_bits - F_h (>= 0 in a valid QNN). */
  int activation_shift(std::size_t layer) const;

  // Both schemes.
  /** The real value of one unit of the QNN's integer input (power of two: 2^-F_in). */
  Rational input_step() const;
  /** The real value of one unit of `layer`'s integer inputs (input_step, or the previous layer's step). */
  Rational layer_input_step(std::size_t layer) const;
  /** The zero point of `layer`'s integer inputs: input_zero_point for the first layer, else 0 (centred). */
  int64_t layer_input_zero_point(std::size_t layer) const { return layer == 0 ? input_zero_point : 0; }
  /** The accumulator's constant term bias_j * 2^bias_shift. */
  i128 acc_constant(std::size_t layer, std::size_t j) const { return checked_shl(layers[layer].bias[j], bias_shift(layer)); }
  /** Whether `layer`'s outputs are integers (rounded and clamped): hidden layers, and an affine quantized output. */
  bool quantized(std::size_t layer) const;
  Rounding rounding(std::size_t layer) const { return affine() ? Rounding::HALF_EVEN : Rounding::HALF_UP; }
  /** A quantized layer's integer output range [clamp_lo, clamp_hi] (hidden layers: clamp_lo = 0, the ReLU). */
  int64_t clamp_lo(std::size_t layer) const;
  int64_t clamp_hi(std::size_t layer) const;
  /** The real value of one unit of a quantized layer's outputs (power of two: 2^-F_h). */
  Rational step(std::size_t layer) const;
  /** A quantized neuron's rounding rule. */
  RoundingRule rounding_rule(std::size_t layer, std::size_t j) const;
  /** The rounded, not yet clamped, output of quantized neuron j given its accumulator (exact; OverflowError). */
  i128 rounded(std::size_t layer, std::size_t j, i128 acc) const;
  /** The quantized neuron's output: clamp(rounded, clamp_lo, clamp_hi). */
  int64_t activate(std::size_t layer, std::size_t j, i128 acc) const;
  /** S_j and c_j of the real pre-activation S_j * acc_j + c_j (power of two: 2^-acc_frac_bits and 0). */
  Rational acc_scale(std::size_t layer, std::size_t j) const;
  Rational acc_offset(std::size_t layer, std::size_t j) const;
  /** The real weight factor of channel j: acc_scale / layer_input_step (power of two: 2^-F_w). */
  Rational weight_scale(std::size_t layer, std::size_t j) const;
  /**
   * The real bias b̃_j with pre_j = sum_k W_jk weight_scale_j x̃_k + b̃_j over the real inputs
   * x̃_k = (x_k - layer_input_zero_point) * layer_input_step.
   */
  Rational real_bias(std::size_t layer, std::size_t j) const;
  /** The real value of output j given its accumulator (exact). */
  Rational output_value(std::size_t j, i128 acc) const;
  /** Affine: ONNX QuantizeLinear of a real input, saturate(round_half_to_even(x / input_scale) + zero point). */
  int64_t quantize_input(const Rational& x) const;
};

/**
 * Derives the integer rule of a quantized affine layer (mult, add, div from acc_scale, acc_offset
 * and out_scale) and checks that `acc_bound` (a bound on |acc_j|) keeps acc * mult + add within
 * 126 bits. Throws UnsupportedError naming `where` if not (scales too far apart).
 */
void derive_affine_rule(AffineLayer& layer, const BigInt& acc_bound, const std::string& where);

/** max |acc_j| of `layer` over every integer input the previous layer (or the input format) allows. */
BigInt accumulator_bound(const QNetwork& qnn, std::size_t layer);

/**
 * Checks shapes, that every integer lies in its format, that hidden layers have an activation format
 * and the output layer none, and that the bias and activation shifts are non-negative (power of
 * two); affine: positive scales, a ReLU clamp at 0 on hidden layers and the derived rules.
 * Throws InputError naming `qnn.source`.
 */
void validate(const QNetwork& qnn);

/**
 * The DNN, the QNN, and how the shared integer input feeds the DNN:
 * x = (x̂ - qnn.input_zero_point) / input_scale.
 */
struct ModelPair {
  model::Network dnn;
  QNetwork qnn;
  Rational input_scale = 255;

  /** The DNN's (real) input for integer input x̂ of one coordinate. */
  Rational dnn_input(int64_t x) const { return Rational(x - qnn.input_zero_point) / input_scale; }
};

/** validate(qnn), plus matching layer shapes between the two networks. Throws InputError. */
void validate(const ModelPair& pair);

}  // namespace qeb::quant
