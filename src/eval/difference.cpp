#include "eval/difference.h"

namespace qeb::eval {

PairOutput evaluate_pair(const quant::ModelPair& pair, const std::vector<int64_t>& x) { return PairEvaluator(pair)(x); }

PairOutput pair_output(const QnnOutput& qnn, std::vector<Rational> dnn) {
  PairOutput out;
  out.dnn = std::move(dnn);
  for (std::size_t j = 0; j < qnn.acc.size(); ++j) {
    out.qnn.push_back(qnn.value(j));
    out.diff.push_back(out.qnn.back() - out.dnn[j]);
  }
  return out;
}

PairEvaluator::PairEvaluator(const quant::ModelPair& pair)
    : d_pair(pair), d_dnn(pair.dnn, pair.input_scale, pair.qnn.input_zero_point) {}

PairOutput PairEvaluator::operator()(const std::vector<int64_t>& x) const {
  QnnOutput q = eval_qnn(d_pair.qnn, x);  // first: its shape errors are the ones users are told
  return pair_output(q, d_dnn.evaluate(x));  // the DNN exact, faster than rationals
}

}  // namespace qeb::eval
