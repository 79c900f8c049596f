// Random small networks and quantizations for property tests (deterministic per seed).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "quant/qnetwork.h"
#include "quant/quant_config.h"
#include "spec/region.h"

namespace qeb::test {

struct RandomCase {
  quant::ModelPair pair;
  quant::QuantConfig config;
  spec::Box box;
};

/**
 * A DNN with `inputs` inputs, the given hidden widths and `outputs` outputs; float32-valued
 * weights in [-scale, scale] (some exact dyadic ties), a random quantization (Q 2..8), and a
 * random box with at most `max_points` integer points.
 */
RandomCase random_case(std::mt19937_64& rng, std::size_t inputs, const std::vector<std::size_t>& hidden,
                       std::size_t outputs, uint64_t max_points);

/** random_case with random sizes: 1-3 inputs, 1-2 hidden layers of width 1-4, 1-3 outputs. */
RandomCase random_small_case(std::mt19937_64& rng, uint64_t max_points = 400);

/**
 * A float DNN as random_case draws it and its affine (ONNX-style) quantization, as an ONNX
 * quantizer would write it: int8 or uint8 activations, symmetric int8 or asymmetric uint8 weights
 * per tensor or per output channel, float32 scales from the ranges (or powers of two, which make
 * rounding ties frequent), biases in int32 on scale fl32(s_in s_w) or in float, hidden ReLUs as
 * the clamp at the zero point or a Relu before a zero point above the minimum, the output real or
 * quantized; a random box with at most `max_points` points. `config` stays default.
 */
RandomCase random_affine_case(std::mt19937_64& rng, std::size_t inputs, const std::vector<std::size_t>& hidden,
                              std::size_t outputs, uint64_t max_points);

/** random_affine_case with random_small_case's sizes. */
RandomCase random_small_affine_case(std::mt19937_64& rng, uint64_t max_points = 400);

/** The DNN of random_case's shape and weight distribution (float32 values, some exact ties). */
model::Network random_dnn(std::mt19937_64& rng, const std::vector<std::size_t>& sizes);

/** A random box of at most `max_points` integer points within [lo, hi] per coordinate. */
spec::Box random_box(std::mt19937_64& rng, std::size_t inputs, int64_t lo, int64_t hi, uint64_t max_points);

}  // namespace qeb::test
