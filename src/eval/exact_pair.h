// Exact outputs of both networks at many points, as the oracle needs them: the QNN in integers,
// the DNN in scaled integers (eval/scaled_dnn.h), and the rest of both networks evaluated once per
// distinct first-layer state. Points that agree after the first layer (ties: a dead or saturated
// first layer, inputs that clip alike) cost one first-layer pass each instead of a full evaluation.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "eval/difference.h"
#include "eval/scaled_dnn.h"

namespace qeb::eval {

class ExactPairEvaluator {
 public:
  explicit ExactPairEvaluator(const quant::ModelPair& pair);

  /** Both networks' exact outputs and their difference at x. */
  PairOutput evaluate(const std::vector<int64_t>& x);

  uint64_t full_evaluations() const { return d_full; }  ///< points whose first-layer state was new

 private:
  const quant::ModelPair& d_pair;
  PairEvaluator d_exact;  ///< its DNN in scaled integers
  using Key = std::pair<std::vector<i128>, std::vector<BigInt>>;  // QNN layer-0 accumulators or activations, DNN layer 0
  std::map<Key, PairOutput> d_memo;
  uint64_t d_full = 0;
};

}  // namespace qeb::eval
