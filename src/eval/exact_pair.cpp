#include "eval/exact_pair.h"

#include "eval/eval_qnn.h"

namespace qeb::eval {

namespace {
constexpr std::size_t kMemoLimit = 200000;  // entries kept before the memo starts over
}

ExactPairEvaluator::ExactPairEvaluator(const quant::ModelPair& pair) : d_pair(pair), d_exact(pair) {}

PairOutput ExactPairEvaluator::evaluate(const std::vector<int64_t>& x) {
  const quant::QNetwork& qnn = d_pair.qnn;
  // The QNN's first layer: its accumulators, or (hidden) its activations, which is all later layers see.
  QnnTrace trace;
  QnnOutput q = eval_qnn(qnn, x, &trace);
  Key key;
  if (qnn.layers.size() == 1) {
    key.first = q.acc;
  } else {
    for (int64_t a : trace.activations[0]) key.first.push_back(a);
  }
  key.second = d_exact.dnn().first_layer(x);
  auto it = d_memo.find(key);
  if (it != d_memo.end()) return it->second;
  ++d_full;
  PairOutput out = pair_output(q, d_exact.dnn().rest(key.second));
  if (d_memo.size() >= kMemoLimit) d_memo.clear();
  d_memo.emplace(std::move(key), out);
  return out;
}

}  // namespace qeb::eval
