// QNN_g - DNN_g at a sequence of points that each differ from the last in one coordinate, as local
// search visits them: the first layer's sums are updated per changed coordinate (a column of
// weights) instead of recomputed (the whole matrix), the rest of both networks is run from them.
// The QNN is exact; the DNN is plain double: a search heuristic, never a bound (candidates are
// re-checked exactly by the caller).
#pragma once

#include <cstdint>
#include <vector>

#include "core/int128.h"
#include "quant/qnetwork.h"

namespace qeb::eval {

class IncrementalEvaluator {
 public:
  explicit IncrementalEvaluator(const quant::ModelPair& pair);

  /** Starts at x (first-layer sums computed in full). */
  void reset(const std::vector<int64_t>& x);
  /** Moves coordinate k to `value`. */
  void set(std::size_t k, int64_t value);
  /** QNN_g - DNN_g at the current point (approximate). */
  double difference(std::size_t g);
  const std::vector<int64_t>& point() const { return d_x; }

 private:
  const quant::ModelPair& d_pair;
  std::vector<int64_t> d_x;
  std::vector<i128> d_acc0;     // QNN first-layer accumulators (exact)
  std::vector<double> d_pre0;   // DNN first-layer pre-activations
  std::vector<double> d_scaled_column;  // per input k: 1/D, so a move adds w * delta / D
  double d_inverse_scale = 0;
  // Reused buffers.
  std::vector<int64_t> d_q, d_q_next;
  std::vector<i128> d_acc;
  std::vector<double> d_a, d_a_next;
};

}  // namespace qeb::eval
