#include "eval/difference.h"

#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"

namespace qeb::eval {

namespace {
PairOutput combine(const quant::ModelPair& pair, const ScaledDnn& dnn, const std::vector<int64_t>& x) {
  PairOutput out;
  QnnOutput q = eval_qnn(pair.qnn, x);
  out.dnn = dnn.evaluate(x);  // exact, faster than rationals
  for (std::size_t j = 0; j < q.acc.size(); ++j) {
    out.qnn.push_back(q.value(j));
    out.diff.push_back(out.qnn.back() - out.dnn[j]);
  }
  return out;
}
}  // namespace

PairOutput evaluate_pair(const quant::ModelPair& pair, const std::vector<int64_t>& x) {
  return combine(pair, ScaledDnn(pair.dnn, pair.input_scale, pair.qnn.input_zero_point), x);
}

PairEvaluator::PairEvaluator(const quant::ModelPair& pair)
    : d_pair(pair), d_dnn(pair.dnn, pair.input_scale, pair.qnn.input_zero_point) {}

PairOutput PairEvaluator::operator()(const std::vector<int64_t>& x) const { return combine(d_pair, d_dnn, x); }

}  // namespace qeb::eval
