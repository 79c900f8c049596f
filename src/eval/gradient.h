// The gradient of QNN_k - DNN_k with respect to the integer input, within the linear region of
// each network at a point (rounding ignored): the direction an attack should move in.
#pragma once

#include <cstdint>
#include <vector>

#include "quant/qnetwork.h"

namespace qeb::eval {

/** d(QNN_k(x) - DNN_k(x / D)) / dx at x, in double: a search heuristic, not a bound. */
std::vector<double> difference_gradient(const quant::ModelPair& pair, const std::vector<int64_t>& x, std::size_t k);

}  // namespace qeb::eval
