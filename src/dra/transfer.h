// Difference transfer through activations (spec 3.0; QEBVerif Theorem 1, technical report proof).
#pragma once

#include <optional>

#include "dra/dra_options.h"
#include "dra/interval.h"

namespace qeb::dra {

/**
 * Bounds of clamp(q, 0, t) - ReLU(p) given the DNN pre-activation p in `dnn_pre`, the QNN real
 * pre-activation q in `qnn_pre`, and q - p in `delta_in` (the case table of spec 3.0, checked in
 * order). SOUND also intersects with the naive interval
 * [clamp(lq,0,t) - max(u,0), clamp(uq,0,t) - max(l,0)]; PUBLISHED does not (P2).
 */
Interval activation_transfer(const Interval& dnn_pre, const Interval& qnn_pre, const Interval& delta_in, double t,
                             Semantics semantics);

/**
 * The output difference (no activation): SOUND intersects delta_in with
 * [lq - u, uq - l]; PUBLISHED returns delta_in (P3).
 * With `clamp` = [a, b] (an affine quantized output: the QNN output is clamp(q, a, b) of its rounded
 * value q, the DNN's is linear p), bounds clamp(q, a, b) - p = min(max(q - p, a - p), b - p) by
 * monotonicity, [min(max(dl, a - u), b - u), min(max(du, a - l), b - l)], intersected (SOUND)
 * with [clamp(lq, a, b) - u, clamp(uq, a, b) - l].
 */
Interval output_transfer(const Interval& dnn_out, const Interval& qnn_out, const Interval& delta_in,
                         Semantics semantics, const std::optional<Interval>& clamp = std::nullopt);

}  // namespace qeb::dra
