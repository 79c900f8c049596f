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

}  // namespace qeb::test
