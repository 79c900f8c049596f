// The exact semantics of an ONNX-quantized network (QDQ, QLinearMatMul, MatMulInteger) as a QNetwork
// of the affine scheme, and the model pair it forms with its float original.
#pragma once

#include <string>

#include "model/network.h"
#include "model/quantized_network.h"
#include "quant/qnetwork.h"

namespace qeb::quant {

/**
 * The QNN computing exactly what the ONNX operators define, in rational arithmetic:
 * QuantizeLinear saturate(round_half_to_even(x / scale) + zero_point), DequantizeLinear
 * (q - zero_point) * scale, and the requantization of each integer accumulator by its scales.
 * Values flow centred (stored integer minus zero point); a hidden layer must have a ReLU (a Relu
 * node, or an output zero point at the type's minimum, where the saturation is the ReLU).
 * Throws UnsupportedError (e.g. a hidden layer without ReLU) or InputError naming the source.
 */
QNetwork affine_qnn(const model::QuantizedNetwork& net);

/** affine_qnn(load_onnx_quantized(path)). */
QNetwork load_affine_qnn(const std::string& path);

/**
 * The pair of a float DNN and its affine QNN over the QNN's integer inputs x̂: the DNN sees the
 * dequantized input (x̂ - zero point) * input scale. Throws InputError naming both files when
 * their shapes differ.
 */
ModelPair make_affine_pair(model::Network dnn, QNetwork qnn);

}  // namespace qeb::quant
