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

/**
 * DeepPoly on the QNN in real units (x̃ = x̂ / 2^F_in) with the nodes of spec 3.3: affine,
 * rounding (+-half a grid step), max(., 0), min(., C). `pre` holds the rounding node's bounds on
 * the hidden grid (P1: ceil(lower), floor(upper)); SOUND also intersects them with `intervals`.
 * The output layer's bounds are real and not integerised. Expressions are the rounding node's.
 */
NetworkBounds qnn_deeppoly(const quant::ModelPair& pair, const spec::Box& box, Semantics semantics,
                           const std::vector<QnnLayerIntervals>& intervals, bool keep_expressions);

/** The real input box of the DNN: [lo/D, hi/D] rounded outward. */
std::pair<std::vector<double>, std::vector<double>> dnn_input_box(const quant::ModelPair& pair, const spec::Box& box);

/** The DNN's weights and the QNN's real weights (W̃ = Ŵ / 2^F_w, exact) of layer i as matrices. */
Matrix dnn_weight_matrix(const quant::ModelPair& pair, std::size_t i);
Matrix qnn_weight_matrix(const quant::ModelPair& pair, std::size_t i);
std::vector<double> qnn_real_bias(const quant::ModelPair& pair, std::size_t i);

}  // namespace qeb::dra
