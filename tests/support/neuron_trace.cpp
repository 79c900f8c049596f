#include "support/neuron_trace.h"

#include <cmath>

#include "eval/eval_qnn.h"

namespace qeb::test {

Trace trace(const quant::ModelPair& pair, const std::vector<int64_t>& x) {
  Trace t;
  std::vector<Rational> current;
  for (int64_t v : x) current.push_back(Rational(v) / pair.input_scale);
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
  for (std::size_t i = 0; i < pair.qnn.layers.size(); ++i) {
    const quant::QLayer& layer = pair.qnn.layers[i];
    std::vector<Rational> pre, post;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      if (pair.qnn.is_output(i)) {
        pre.push_back(out.value(j));
        post.push_back(out.value(j));
      } else {
        int f = layer.activation_format->frac_bits;
        i128 rounded = eval::round_half_up_shift(q.acc[i][j], pair.qnn.activation_shift(i));
        if (t.qnn_rounded.size() <= i) t.qnn_rounded.resize(i + 1);
        t.qnn_rounded[i].push_back(int64_t(rounded));
        pre.push_back(dyadic(rounded, f));
        post.push_back(dyadic(q.activations[i][j], f));
      }
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
