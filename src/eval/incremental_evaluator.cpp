#include "eval/incremental_evaluator.h"

#include "eval/eval_qnn.h"

namespace qeb::eval {

IncrementalEvaluator::IncrementalEvaluator(const quant::ModelPair& pair)
    : d_pair(pair), d_inverse_scale(to_double(Rational(1) / pair.input_scale)) {}

void IncrementalEvaluator::reset(const std::vector<int64_t>& x) {
  d_x = x;
  const quant::QLayer& q0 = d_pair.qnn.layers[0];
  const model::DenseLayer& d0 = d_pair.dnn.layers[0];
  d_acc0.assign(q0.outputs, 0);
  d_pre0.assign(d0.outputs, 0);
  for (std::size_t j = 0; j < q0.outputs; ++j) {
    i128 acc = i128(q0.bias[j]) << d_pair.qnn.bias_shift(0);
    double sum = d0.bias[j];
    for (std::size_t k = 0; k < q0.inputs; ++k) {
      acc += i128(q0.weight(j, k)) * x[k];
      sum += d0.weight(j, k) * (double(x[k] - d_pair.qnn.input_zero_point) * d_inverse_scale);
    }
    d_acc0[j] = acc;
    d_pre0[j] = sum;
  }
}

void IncrementalEvaluator::set(std::size_t k, int64_t value) {
  const int64_t delta = value - d_x[k];
  if (delta == 0) return;
  d_x[k] = value;
  const quant::QLayer& q0 = d_pair.qnn.layers[0];
  const model::DenseLayer& d0 = d_pair.dnn.layers[0];
  const double scaled = double(delta) * d_inverse_scale;
  for (std::size_t j = 0; j < q0.outputs; ++j) {
    d_acc0[j] += i128(q0.weight(j, k)) * delta;
    d_pre0[j] += d0.weight(j, k) * scaled;
  }
}

double IncrementalEvaluator::difference(std::size_t g) {
  const quant::QNetwork& qnn = d_pair.qnn;
  const model::Network& dnn = d_pair.dnn;
  const std::size_t layers = qnn.layers.size();
  d_acc = d_acc0;
  d_a = d_pre0;
  for (std::size_t i = 0; i + 1 < layers; ++i) {
    const quant::QLayer& q = qnn.layers[i];
    d_q.resize(q.outputs);
    if (qnn.affine()) {
      for (std::size_t j = 0; j < q.outputs; ++j) d_q[j] = qnn.activate(i, j, d_acc[j]);
    } else {
      const int e = qnn.activation_shift(i);
      for (std::size_t j = 0; j < q.outputs; ++j) d_q[j] = quantized_activation(d_acc[j], e, *q.activation_format);
    }
    for (double& v : d_a) v = v < 0 ? 0 : v;
    const quant::QLayer& qn = qnn.layers[i + 1];
    const model::DenseLayer& dn = dnn.layers[i + 1];
    const bool output = i + 2 == layers;
    // The output layer: only output g is needed.
    const std::size_t first = output ? g : 0, last = output ? g + 1 : qn.outputs;
    d_acc.assign(qn.outputs, 0);
    d_a_next.assign(dn.outputs, 0);
    const int shift = qnn.bias_shift(i + 1);
    for (std::size_t j = first; j < last; ++j) {
      i128 acc = i128(qn.bias[j]) << shift;
      const int64_t* qw = &qn.weights[j * qn.inputs];
      for (std::size_t k = 0; k < qn.inputs; ++k) acc += i128(qw[k]) * d_q[k];
      d_acc[j] = acc;
      const double* w = &dn.weights[j * dn.inputs];
      double sum = dn.bias[j];
      for (std::size_t k = 0; k < dn.inputs; ++k) sum += w[k] * d_a[k];
      d_a_next[j] = sum;
    }
    std::swap(d_a, d_a_next);
  }
  if (qnn.affine()) return to_double(qnn.output_value(g, d_acc[g])) - d_a[g];
  if (layers == 1) {  // no hidden layer: the first layer is the output
    return std::ldexp(double(d_acc[g]), -qnn.acc_frac_bits(0)) - d_a[g];
  }
  return std::ldexp(double(d_acc[g]), -qnn.acc_frac_bits(layers - 1)) - d_a[g];
}

}  // namespace qeb::eval
