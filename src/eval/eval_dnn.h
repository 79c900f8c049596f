// DNN forward passes: exact rational (ground truth) and double (fast).
#pragma once

#include <cstdint>
#include <vector>

#include "core/rational.h"
#include "model/network.h"

namespace qeb::eval {

/** The DNN's exact output on the integer input x, fed as (x - zero_point) / input_scale (spec 1.4). */
std::vector<Rational> eval_dnn_exact(const model::Network& dnn, const std::vector<int64_t>& x,
                                     const Rational& input_scale, int64_t zero_point = 0);

/** The DNN's output on a real input, in double (round to nearest). */
std::vector<double> eval_dnn_double(const model::Network& dnn, const std::vector<double>& input);

}  // namespace qeb::eval
