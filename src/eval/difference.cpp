#include "eval/difference.h"

#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"
#include "eval/scaled_dnn.h"

namespace qeb::eval {

PairOutput evaluate_pair(const quant::ModelPair& pair, const std::vector<int64_t>& x) {
  PairOutput out;
  QnnOutput q = eval_qnn(pair.qnn, x);
  out.dnn = ScaledDnn(pair.dnn, pair.input_scale, pair.qnn.input_zero_point).evaluate(x);  // exact, faster than rationals
  for (std::size_t j = 0; j < q.acc.size(); ++j) {
    out.qnn.push_back(q.value(j));
    out.diff.push_back(out.qnn.back() - out.dnn[j]);
  }
  return out;
}

}  // namespace qeb::eval
