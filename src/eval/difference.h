// Both networks on one integer input, exactly: the quantity qeb-smt bounds is QNN - DNN.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rational.h"
#include "eval/eval_qnn.h"
#include "eval/scaled_dnn.h"
#include "quant/qnetwork.h"

namespace qeb::eval {

struct PairOutput {
  std::vector<Rational> qnn, dnn, diff;  ///< diff[j] = qnn[j] - dnn[j]
};

/** Exact outputs and differences of the pair on integer input x (makes a PairEvaluator: one-off use). */
PairOutput evaluate_pair(const quant::ModelPair& pair, const std::vector<int64_t>& x);

/** The pair's outputs from the QNN's evaluation and the DNN's exact outputs (diff = qnn - dnn). */
PairOutput pair_output(const QnnOutput& qnn, std::vector<Rational> dnn);

/**
 * The same, for callers that evaluate many points of one pair: the DNN's scaled integer weights
 * are made once (on 784-100-10 making them cost several times an evaluation, and max-error's
 * searches offered each point to every output's bracket: 65-90 ms per point). Safe to share
 * between threads. Holds a reference to the pair.
 */
class PairEvaluator {
 public:
  explicit PairEvaluator(const quant::ModelPair& pair);
  PairOutput operator()(const std::vector<int64_t>& x) const;
  const ScaledDnn& dnn() const { return d_dnn; }  ///< the DNN in scaled integers

 private:
  const quant::ModelPair& d_pair;
  ScaledDnn d_dnn;
};

}  // namespace qeb::eval
