// Both networks on one integer input, exactly: the quantity qeb-smt bounds is QNN - DNN.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rational.h"
#include "quant/qnetwork.h"

namespace qeb::eval {

struct PairOutput {
  std::vector<Rational> qnn, dnn, diff;  ///< diff[j] = qnn[j] - dnn[j]
};

/** Exact outputs and differences of the pair on integer input x. */
PairOutput evaluate_pair(const quant::ModelPair& pair, const std::vector<int64_t>& x);

}  // namespace qeb::eval
