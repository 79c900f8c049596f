// A quantized fully connected ReLU network as an ONNX graph states it (QDQ, QLinearMatMul or
// MatMulInteger form): stored integers, scales and zero points, nothing interpreted yet. The exact
// semantics are quant::affine_qnn's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/rational.h"

namespace qeb::model {

/** An ONNX quantization (QuantizeLinear/DequantizeLinear): real = (q - zero_point) * scale. */
struct QuantParams {
  std::vector<double> scale;        ///< one (per tensor) or one per channel; exact float32/float64 values
  std::vector<int64_t> zero_point;  ///< as many as `scale`
  bool is_signed = false;           ///< int8 (true) or uint8
  int bits = 8;

  double scale_at(std::size_t j) const { return scale.size() == 1 ? scale[0] : scale[j]; }
  int64_t zero_point_at(std::size_t j) const { return zero_point.size() == 1 ? zero_point[0] : zero_point[j]; }
  int64_t min_int() const { return is_signed ? -(int64_t(1) << (bits - 1)) : 0; }
  int64_t max_int() const { return is_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1; }
  bool operator==(const QuantParams&) const = default;
};

/**
 * One dense layer on the stored integers x_k of its input (the network's quantized input or the
 * previous layer's quantized output):
 *   acc_j = sum_k (W_jk - weight_zero_point_j) (x_k - input_zero_point) + acc_bias_j   (exact integers)
 *   pre_j = acc_scale_j * acc_j + bias_j                                             (exact rationals)
 * then, with `output`, QuantizeLinear of ReLU(pre_j) (or of pre_j without `relu`); without it pre_j
 * is the network's real output.
 */
struct QuantizedDense {
  std::size_t inputs = 0, outputs = 0;
  std::vector<int64_t> weights;            ///< stored integers, row-major outputs x inputs
  std::vector<int64_t> weight_zero_point;  ///< per output channel
  int64_t input_zero_point = 0;
  std::vector<int64_t> acc_bias;           ///< per output channel (0 unless an integer bias is added to the accumulator)
  std::vector<Rational> acc_scale;         ///< per output channel, positive
  std::vector<Rational> bias;              ///< per output channel, the real bias
  bool relu = false;
  std::optional<QuantParams> output;       ///< per tensor
  std::string where;                       ///< the node(s) it came from, for messages
};

struct QuantizedNetwork {
  QuantParams input;  ///< the QuantizeLinear of the network's (float) input, per tensor
  std::vector<QuantizedDense> layers;
  std::string source;
};

/**
 * Reads a quantized network from ONNX: QuantizeLinear/DequantizeLinear around MatMul/Gemm (QDQ),
 * QLinearMatMul, or MatMulInteger with the Cast/Mul/Add that dequantize its accumulator; Relu;
 * shape-only operators. Throws InputError (malformed) or UnsupportedError (any other operator or
 * form, naming the operator and node) naming the file.
 */
QuantizedNetwork load_onnx_quantized(const std::string& path);

}  // namespace qeb::model
