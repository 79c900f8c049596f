// DeepPoly bounds of each network on its own (spec 3.0 for the DNN, 3.3 for the QNN).
#pragma once

#include <vector>

#include "dra/deeppoly.h"
#include "dra/dra_result.h"
#include "dra/dra_options.h"
#include "dra/interval.h"
#include "dra/qnn_intervals.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::dra {

/** Per layer: bounds, and (if kept) the pre-activation bounds as linear functions of the input. */
struct NetworkBounds {
  std::vector<std::vector<Interval>> pre, post;
  std::vector<InputExpression> lower, upper;  ///< kept only when asked for
};

/**
 * DeepPoly on the DNN over x = x̂ / D for x̂ in the box. With `within` (see run_dra), every layer's
 * pre-activation bounds are intersected with within's before the ReLU is relaxed; `*empty` is set
 * if an intersection is empty.
 */
NetworkBounds dnn_deeppoly(const quant::ModelPair& pair, const spec::Box& box, bool keep_expressions,
                           const std::vector<LayerReport>* within = nullptr, bool* empty = nullptr);

/** The grid of a QNN layer's outputs in real units. */
struct QnnGrid {
  bool quantized = false;    ///< rounded and clamped (hidden layers; an affine quantized output)
  double step = 0;           ///< quantized: the real step of the outputs (exact)
  double low = 0, cap = 0;   ///< quantized: the clamp [clamp_lo * step, clamp_hi * step] (exact)
  bool power_of_two = true;  ///< the step is a power of two (divisions by it are exact)
};

QnnGrid qnn_grid(const quant::QNetwork& qnn, std::size_t i);

/**
 * Layer i of the QNN in real units, as DRA computes with it. The real inputs are
 * x̃ = (x - layer_input_zero_point) * layer_input_step; pre = W̃ x̃ + b̃.
 */
struct QnnRealLayer {
  Matrix weights;                  ///< W̃ = W * weight_scale, exact
  std::vector<double> bias;        ///< b̃, to the nearest double
  std::vector<double> bias_error;  ///< |bias - b̃| per neuron (empty: exact, as in the power-of-two scheme)
  QnnGrid out;
};

/** The real form of every QNN layer (weights, biases, grids). */
std::vector<QnnRealLayer> qnn_real_layers(const quant::QNetwork& qnn);

/** The QNN's real input box: (lo - z) * step and (hi - z) * step, rounded outward. */
std::pair<std::vector<double>, std::vector<double>> qnn_input_box(const quant::QNetwork& qnn, const spec::Box& box);

/**
 * DeepPoly on the QNN in real units with the nodes of spec 3.3: affine, rounding (+-half a grid
 * step), max(., 0), min(., C). `pre` holds the rounding node's bounds on the hidden grid (P1:
 * ceil(lower), floor(upper)); SOUND also intersects them with `intervals`. The output layer's
 * bounds are real and not integerised (an affine quantized output: rounded, `post` clamped).
 * Expressions are the rounding node's.
 */
NetworkBounds qnn_deeppoly(const quant::ModelPair& pair, const spec::Box& box, Semantics semantics,
                           const std::vector<QnnLayerIntervals>& intervals, const std::vector<QnnRealLayer>& real,
                           bool keep_expressions);

/** The real input box of the DNN: [(lo - z)/D, (hi - z)/D] rounded outward. */
std::pair<std::vector<double>, std::vector<double>> dnn_input_box(const quant::ModelPair& pair, const spec::Box& box);

/** The DNN's weights of layer i as a matrix. */
Matrix dnn_weight_matrix(const quant::ModelPair& pair, std::size_t i);

/**
 * The bounds [ceil(down(lo / grid)), floor(up(hi / grid))] of an integer n with n * grid in
 * [lo, hi], saturated at +-2^62 (power-of-two grids divide exactly).
 */
int64_t grid_floor(double v, const QnnGrid& grid);
int64_t grid_ceil(double v, const QnnGrid& grid);

}  // namespace qeb::dra
