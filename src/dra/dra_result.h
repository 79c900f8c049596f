// What the differential reachability analysis found: per-layer bounds, differences, phases.
#pragma once

#include <cstddef>
#include <vector>

#include "dra/dra_options.h"
#include "dra/interval.h"

namespace qeb::dra {

/** A DNN ReLU's phase over the region. */
enum class DnnPhase { ACTIVE, INACTIVE, UNSTABLE };

/**
 * A QNN hidden neuron's phase: clamp(v, 0, max) of its rounded pre-activation v is CONSTANT,
 * LINEAR (0 <= v <= max), or needs the lower clamp, the upper clamp, or both.
 */
enum class QnnPhase { CONSTANT, LINEAR, CLAMP_LOW, CLAMP_HIGH, CLAMP_BOTH };

const char* to_string(DnnPhase phase);
const char* to_string(QnnPhase phase);

/** Everything known about one dense layer (hidden or output). All values are real numbers. */
struct LayerReport {
  std::vector<Interval> dnn_pre, dnn_post;  ///< DNN pre-activation and post-ReLU bounds
  std::vector<Interval> qnn_pre, qnn_post;  ///< QNN rounded pre-activation and post-clamp (output: real output)
  std::vector<int64_t> qnn_pre_lo, qnn_pre_hi;  ///< hidden: integer pre-activation bounds (units of 2^-F_h)
  std::vector<Interval> delta_in;           ///< QNN - DNN before the activation
  std::vector<Interval> delta;              ///< QNN - DNN after the activation (output: the output difference)
  std::vector<DnnPhase> dnn_phase;          ///< hidden layers only
  std::vector<QnnPhase> qnn_phase;          ///< hidden layers only
};

struct DraResult {
  DraOptions options;
  std::vector<LayerReport> layers;
  double seconds = 0;
  /// The region holds no point: the box's restrictions (run_dra's `within`) contradict each other.
  /// The bounds are then meaningless, and every property holds on the region vacuously.
  bool infeasible = false;

  const std::vector<Interval>& output_delta() const { return layers.back().delta; }
  /** H_Diff (spec 3.4): the summed width of every hidden neuron's difference interval. */
  double hidden_delta_width() const;
  /** Hidden neurons whose phase is fixed in both networks (stable in the sense of the SMT pruning). */
  std::size_t stable_neurons() const;
  std::size_t hidden_neurons() const;
};

/** The phase of a DNN ReLU with pre-activation bounds `pre`. */
DnnPhase classify_dnn(const Interval& pre);
/** The phase of a QNN neuron whose rounded pre-activation lies in the integers [lo, hi], clamped to [0, max]. */
QnnPhase classify_qnn(int64_t lo, int64_t hi, int64_t max);

/** True iff a hidden neuron's phases let both networks be encoded without a case split. */
bool is_stable(DnnPhase dnn, QnnPhase qnn);

}  // namespace qeb::dra
