// Fast evaluation of the difference at many points of one box, with a rigorous error bound.
#pragma once

#include <cstdint>
#include <vector>

#include "core/int128.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::eval {

/**
 * Evaluates QNN - DNN at points of a box: the QNN exactly (128-bit integers, overflow excluded
 * up front), the DNN in double with a forward error bound (Higham's gamma_n), so that
 * |approx[j] - exact_diff[j]| <= error[j] always holds. Contributions of the box's fixed
 * coordinates to the first layer are computed once. Not thread-safe (reuses buffers).
 */
class PointEvaluator {
 public:
  /** Throws OverflowError if some accumulator could exceed 2^125 on this box. */
  PointEvaluator(const quant::ModelPair& pair, const spec::Box& box);

  /** Evaluates at x (inside the box); results in approx() and error(). */
  void evaluate(const std::vector<int64_t>& x);

  const std::vector<double>& approx() const { return d_diff; }
  const std::vector<double>& error() const { return d_error; }

 private:
  const quant::ModelPair& d_pair;
  std::vector<std::size_t> d_free;        // free coordinates of the box
  std::vector<i128> d_qnn_base;           // first-layer QNN accumulators from bias + fixed coordinates
  std::vector<double> d_dnn_base;         // first-layer DNN sums from bias + fixed coordinates
  std::vector<double> d_dnn_base_abs;     // sum of |terms| of the above, for the error bound
  std::vector<double> d_input_inverse_scale;
  std::vector<std::vector<i128>> d_acc_constant;  // per layer and neuron: bias_j * 2^bias_shift
  int64_t d_zero_point = 0;               // the DNN sees (x - d_zero_point) / D
  // Affine QNNs: output j is approximately out_scale * a + out_offset (a = the accumulator, or the
  // clamped integer of a quantized output), each constant within its *_error of the exact one.
  std::vector<double> d_out_scale, d_out_scale_error, d_out_offset, d_out_offset_error;
  double d_first_gamma = 0;               // gamma_{n+1} of the first layer
  // Reused buffers.
  std::vector<int64_t> d_q_cur, d_q_next;
  std::vector<i128> d_q_acc;
  std::vector<double> d_cur, d_next, d_err, d_err_next;
  std::vector<double> d_diff, d_error;
};

}  // namespace qeb::eval
