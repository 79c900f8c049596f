// Exact values of every neuron of both networks at one integer input (the tests' ground truth).
#pragma once

#include <cstdint>
#include <vector>

#include "bounds/subproblem.h"
#include "core/rational.h"
#include "quant/qnetwork.h"

namespace qeb::test {

struct Trace {
  std::vector<std::vector<Rational>> dnn_pre, dnn_post;
  std::vector<std::vector<Rational>> qnn_pre, qnn_post;  ///< real values; output layer: the real output
  std::vector<std::vector<int64_t>> qnn_rounded;         ///< hidden: the rounded pre-activation integers
};

/** Every neuron's exact value at x (DNN in rationals, QNN in integers). */
Trace trace(const quant::ModelPair& pair, const std::vector<int64_t>& x);

/** Does every neuron restriction of a branch-and-bound node hold at these values? (INPUT ones: ignored.) */
bool satisfies(const Trace& t, const std::vector<bounds::Restriction>& restrictions);

/** Every integer point of a (small) box. */
std::vector<std::vector<int64_t>> box_points(const spec::Box& box);

}  // namespace qeb::test
