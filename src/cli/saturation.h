// How often the QNN's hidden activations sit at the top of their format on real data: a preset
// whose clamp cuts a layer's values (e.g. logits behind a ReLU and an identity layer, as in
// ERAN's .nnet files) is worth a warning, with the per-layer override that avoids it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "quant/qnetwork.h"
#include "spec/mnist.h"

namespace qeb::cli {

struct LayerSaturation {
  std::size_t layer = 0;      ///< 1-based layer number (as hN= in --quant)
  uint64_t at_top = 0;        ///< activations equal to the format's largest value
  uint64_t total = 0;         ///< activations seen (neurons x samples)
  double dnn_max = 0;         ///< the largest DNN post-ReLU value of the layer on the same samples
  double share() const { return total ? double(at_top) / double(total) : 0; }
};

/** A layer saturates "much" above this share of its values. */
constexpr double kSaturationWarning = 0.05;

/** Runs both networks on MNIST samples [first, last) and counts, per hidden layer, the clamped activations. */
std::vector<LayerSaturation> measure_saturation(const quant::ModelPair& pair, const spec::MnistSet& data,
                                                std::size_t first, std::size_t last);

/**
 * The --quant override that keeps layer `s.layer`'s fractional bits and adds the integer bits its
 * DNN values need (e.g. "h2=u8.2"), or "" when the current format already covers them.
 */
std::string widening_override(const quant::QNetwork& qnn, const LayerSaturation& s);

}  // namespace qeb::cli
