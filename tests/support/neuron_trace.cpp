#include "support/neuron_trace.h"

#include <cmath>

#include "eval/eval_qnn.h"

namespace qeb::test {

Trace trace(const quant::ModelPair& pair, const std::vector<int64_t>& x) {
  Trace t;
  std::vector<Rational> current;
  for (int64_t v : x) current.push_back(pair.dnn_input(v));
  for (const model::DenseLayer& layer : pair.dnn.layers) {
    std::vector<Rational> pre(layer.outputs), post(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      Rational sum = rational_from_double(layer.bias[j]);
      for (std::size_t k = 0; k < layer.inputs; ++k) sum += rational_from_double(layer.weight(j, k)) * current[k];
      pre[j] = sum;
      post[j] = layer.relu && sum < 0 ? Rational(0) : sum;
    }
    t.dnn_pre.push_back(pre);
    t.dnn_post.push_back(post);
    current = post;
  }
  eval::QnnTrace q;
  eval::QnnOutput out = eval::eval_qnn(pair.qnn, x, &q);
  const quant::QNetwork& qnn = pair.qnn;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    std::vector<Rational> pre, post;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      if (!qnn.quantized(i)) {
        pre.push_back(out.value(j));
        post.push_back(out.value(j));
        continue;
      }
      // Rounded (and, after the clamp, the layer's value) on the layer's grid.
      i128 rounded = qnn.rounded(i, j, q.acc[i][j]);
      pre.push_back(dyadic(rounded, 0) * qnn.step(i));
      post.push_back(Rational(qnn.activate(i, j, q.acc[i][j])) * qnn.step(i));
      if (qnn.is_output(i)) continue;
      if (t.qnn_rounded.size() <= i) t.qnn_rounded.resize(i + 1);
      t.qnn_rounded[i].push_back(int64_t(rounded));
    }
    t.qnn_pre.push_back(pre);
    t.qnn_post.push_back(post);
  }
  return t;
}

bool satisfies(const Trace& t, const std::vector<bounds::Restriction>& restrictions) {
  for (const bounds::Restriction& r : restrictions) {
    if (r.target == bounds::Target::DNN_PRE) {
      const Rational& z = t.dnn_pre[r.layer][r.neuron];
      if ((std::isfinite(r.lo) && z < rational_from_double(r.lo)) || (std::isfinite(r.hi) && z > rational_from_double(r.hi)))
        return false;
    } else if (r.target == bounds::Target::QNN_PRE) {
      const int64_t q = t.qnn_rounded[r.layer][r.neuron];
      if ((std::isfinite(r.lo) && q < r.lo) || (std::isfinite(r.hi) && q > r.hi)) return false;
    }
  }
  return true;
}

std::vector<std::vector<int64_t>> box_points(const spec::Box& box) {
  std::vector<std::vector<int64_t>> points;
  for (std::size_t k = 0; k < box.dimension(); ++k)
    if (box.lo[k] > box.hi[k]) return points;
  for (std::vector<int64_t> x = box.lo;;) {  // an odometer over the coordinates
    points.push_back(x);
    std::size_t d = 0;
    while (d < x.size() && x[d] == box.hi[d]) x[d] = box.lo[d], ++d;
    if (d == x.size()) return points;
    ++x[d];
  }
}

}  // namespace qeb::test
