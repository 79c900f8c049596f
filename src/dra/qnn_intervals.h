// Plain interval propagation through the QNN in exact integer arithmetic (spec 3.1, Base mode).
#pragma once

#include <cstdint>
#include <vector>

#include "core/int128.h"
#include "dra/dra_options.h"
#include "dra/interval.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::dra {

struct QnnLayerIntervals {
  std::vector<i128> acc_lo, acc_hi;    ///< exact accumulator bounds
  std::vector<int64_t> pre_lo, pre_hi;  ///< quantized: rounded pre-activation integers (saturated at +-2^62)
  std::vector<int64_t> post_lo, post_hi;  ///< quantized: after the clamp (hidden: to [0, max])
  std::vector<Interval> real_pre;      ///< quantized: pre * step; a real output: the real output bounds
  std::vector<Interval> real_post;     ///< quantized: post * step
};

/**
 * Bounds of every QNN layer over the integer box. At the output, SOUND divides exactly (rounded
 * outward to double); PUBLISHED rounds the accumulator bounds half up to units of the previous
 * layer's grid first, as the artifact does (bug B1, unsound by up to half a grid step).
 */
std::vector<QnnLayerIntervals> propagate_qnn_intervals(const quant::QNetwork& qnn, const spec::Box& box,
                                                       Semantics semantics);

struct LayerReport;
/**
 * The same, restricted to the integer pre-activation ranges of `within` (one report per layer, see
 * run_dra): each hidden layer's rounded bounds are intersected with them before clamping. Sets
 * `*empty` if some intersection is empty.
 */
std::vector<QnnLayerIntervals> propagate_qnn_intervals(const quant::QNetwork& qnn, const spec::Box& box,
                                                       Semantics semantics, const std::vector<LayerReport>* within,
                                                       bool* empty);

/** lo rounded down and hi rounded up to doubles. */
Interval rational_interval(const Rational& lo, const Rational& hi);

/** lo/2^f rounded down and hi/2^f rounded up: a sound double interval of a dyadic range. */
Interval dyadic_interval(i128 lo, i128 hi, int f);

}  // namespace qeb::dra
