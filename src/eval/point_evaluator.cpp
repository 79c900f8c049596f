#include "eval/point_evaluator.h"

#include <cfloat>
#include <cmath>

#include "core/error.h"
#include "eval/eval_qnn.h"

namespace qeb::eval {

namespace {

constexpr double kUnit = 0x1p-53;       // unit roundoff of double
constexpr double kSafety = 1 + 1e-6;    // covers rounding in computing the bounds themselves
constexpr double kTiny = 1e-290;        // covers underflow

double gamma(std::size_t n) { return double(n) * kUnit / (1 - double(n) * kUnit); }

}  // namespace

PointEvaluator::PointEvaluator(const quant::ModelPair& pair, const spec::Box& box) : d_pair(pair) {
  const quant::QNetwork& qnn = pair.qnn;
  const model::Network& dnn = pair.dnn;
  d_free = box.free_dimensions();

  // Rule out 128-bit overflow once, so evaluate() can use unchecked arithmetic.
  std::vector<long double> input_max;
  for (std::size_t k = 0; k < box.dimension(); ++k)
    input_max.push_back(std::max(std::fabs((long double)box.lo[k]), std::fabs((long double)box.hi[k])));
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      long double bound = std::fabs((long double)layer.bias[j]) * std::ldexp(1.0L, qnn.bias_shift(i));
      for (std::size_t k = 0; k < layer.inputs; ++k) bound += std::fabs((long double)layer.weight(j, k)) * input_max[k];
      if (bound > std::ldexp(1.0L, 125))
        throw OverflowError("layer " + std::to_string(i + 1) + " accumulators may exceed 125 bits; bit-widths too large");
    }
    if (!qnn.is_output(i))
      input_max.assign(layer.outputs, std::max(std::fabs((long double)qnn.clamp_lo(i)), std::fabs((long double)qnn.clamp_hi(i))));
  }
  if (qnn.affine()) {
    // Each exact constant to the nearest double, and how far off that is.
    auto nearest = [](const Rational& exact, double& value, double& error) {
      value = to_double(exact);
      error = std::fabs(to_double(Rational(rational_from_double(value) - exact))) * kSafety;
    };
    const std::size_t last = qnn.layers.size() - 1;
    const std::size_t outputs = qnn.output_size();
    d_out_scale.resize(outputs), d_out_scale_error.resize(outputs);
    d_out_offset.resize(outputs), d_out_offset_error.resize(outputs);
    for (std::size_t j = 0; j < outputs; ++j) {
      const bool q = qnn.quantized(last);
      nearest(q ? qnn.step(last) : qnn.acc_scale(last, j), d_out_scale[j], d_out_scale_error[j]);
      nearest(q ? Rational(0) : qnn.acc_offset(last, j), d_out_offset[j], d_out_offset_error[j]);
    }
  }
  d_zero_point = qnn.input_zero_point;
  d_acc_constant.resize(qnn.layers.size());
  for (std::size_t i = 0; i < qnn.layers.size(); ++i)
    for (std::size_t j = 0; j < qnn.layers[i].outputs; ++j) d_acc_constant[i].push_back(qnn.acc_constant(i, j));

  const quant::QLayer& q0 = qnn.layers[0];
  const model::DenseLayer& d0 = dnn.layers[0];
  double inverse = to_double(Rational(1) / pair.input_scale);
  d_input_inverse_scale.assign(box.dimension(), inverse);
  std::vector<bool> is_free(box.dimension(), false);
  for (std::size_t k : d_free) is_free[k] = true;
  d_qnn_base.assign(q0.outputs, 0);
  d_dnn_base.assign(d0.outputs, 0);
  d_dnn_base_abs.assign(d0.outputs, 0);
  for (std::size_t j = 0; j < q0.outputs; ++j) {
    i128 acc = d_acc_constant[0][j];
    double sum = d0.bias[j], abs_sum = std::fabs(d0.bias[j]);
    for (std::size_t k = 0; k < q0.inputs; ++k) {
      if (is_free[k]) continue;
      acc += i128(q0.weight(j, k)) * box.lo[k];
      double term = d0.weight(j, k) * (double(box.lo[k] - d_zero_point) * inverse);
      sum += term;
      abs_sum += std::fabs(term);
    }
    d_qnn_base[j] = acc;
    d_dnn_base[j] = sum;
    d_dnn_base_abs[j] = abs_sum;
  }
  d_first_gamma = gamma(d0.inputs + 1);
}

void PointEvaluator::evaluate(const std::vector<int64_t>& x) {
  const quant::QNetwork& qnn = d_pair.qnn;
  const model::Network& dnn = d_pair.dnn;
  const std::size_t layers = qnn.layers.size();

  // First layer, QNN (exact) and DNN (double + bound); only free coordinates vary.
  const quant::QLayer& q0 = qnn.layers[0];
  const model::DenseLayer& d0 = dnn.layers[0];
  d_q_acc.assign(q0.outputs, 0);
  d_cur.assign(d0.outputs, 0);
  d_err.assign(d0.outputs, 0);
  for (std::size_t j = 0; j < q0.outputs; ++j) {
    i128 acc = d_qnn_base[j];
    double sum = d_dnn_base[j], abs_sum = d_dnn_base_abs[j];
    for (std::size_t k : d_free) {
      acc += i128(q0.weight(j, k)) * x[k];
      double term = d0.weight(j, k) * (double(x[k] - d_zero_point) * d_input_inverse_scale[k]);
      sum += term;
      abs_sum += std::fabs(term);
    }
    d_q_acc[j] = acc;
    d_cur[j] = sum;
    // Summation error plus the input's own error (x̂ * (1/D) carries at most ~2u relative error).
    d_err[j] = ((d_first_gamma + 4 * kUnit) * abs_sum) * kSafety + kTiny;
  }

  for (std::size_t i = 0;; ++i) {
    const quant::QLayer& q = qnn.layers[i];
    const model::DenseLayer& d = dnn.layers[i];
    if (i + 1 == layers) break;
    // Activations of layer i.
    d_q_cur.resize(q.outputs);
    if (qnn.affine()) {
      for (std::size_t j = 0; j < q.outputs; ++j) d_q_cur[j] = qnn.activate(i, j, d_q_acc[j]);
    } else {
      int e = qnn.activation_shift(i);
      for (std::size_t j = 0; j < q.outputs; ++j) d_q_cur[j] = quantized_activation(d_q_acc[j], e, *q.activation_format);
    }
    for (std::size_t j = 0; j < d.outputs; ++j)
      if (d_cur[j] < 0) d_cur[j] = 0;  // ReLU is 1-Lipschitz: the error bound carries over
    // Layer i + 1.
    const quant::QLayer& qn = qnn.layers[i + 1];
    const model::DenseLayer& dn = dnn.layers[i + 1];
    d_q_acc.assign(qn.outputs, 0);
    d_next.assign(dn.outputs, 0);
    d_err_next.assign(dn.outputs, 0);
    double g = gamma(dn.inputs + 1);
    for (std::size_t j = 0; j < qn.outputs; ++j) {
      i128 acc = d_acc_constant[i + 1][j];
      const int64_t* qw = &qn.weights[j * qn.inputs];
      for (std::size_t k = 0; k < qn.inputs; ++k) acc += i128(qw[k]) * d_q_cur[k];
      d_q_acc[j] = acc;
      const double* w = &dn.weights[j * dn.inputs];
      double sum = dn.bias[j], abs_sum = std::fabs(dn.bias[j]), carried = 0;
      for (std::size_t k = 0; k < dn.inputs; ++k) {
        double term = w[k] * d_cur[k];
        sum += term;
        abs_sum += std::fabs(term);
        carried += std::fabs(w[k]) * d_err[k];
      }
      d_next[j] = sum;
      d_err_next[j] = (g * abs_sum + carried) * kSafety + kTiny;
    }
    std::swap(d_cur, d_next);
    std::swap(d_err, d_err_next);
  }

  std::size_t outputs = qnn.output_size();
  d_diff.resize(outputs);
  d_error.resize(outputs);
  if (qnn.affine()) {
    const bool q = qnn.quantized(layers - 1);
    for (std::size_t j = 0; j < outputs; ++j) {
      // a is exact as an i128; its double, the product and the sum round once each.
      double a = double(q ? i128(qnn.activate(layers - 1, j, d_q_acc[j])) : d_q_acc[j]);
      double product = d_out_scale[j] * a;
      double yq = product + d_out_offset[j];
      double qnn_error = d_out_scale_error[j] * std::fabs(a) * (1 + 2 * kUnit) + d_out_offset_error[j] +
                         3 * kUnit * (std::fabs(product) + std::fabs(d_out_offset[j]));
      double diff = yq - d_cur[j];
      d_diff[j] = diff;
      d_error[j] = (qnn_error + d_err[j] + 2 * kUnit * std::fabs(diff)) * kSafety + kTiny;
    }
    return;
  }
  int frac = qnn.acc_frac_bits(layers - 1);
  for (std::size_t j = 0; j < outputs; ++j) {
    double yq = std::ldexp(double(d_q_acc[j]), -frac);  // one rounding of an exact dyadic
    double diff = yq - d_cur[j];
    d_diff[j] = diff;
    d_error[j] = (kUnit * std::fabs(yq) + d_err[j] + 2 * kUnit * std::fabs(diff)) * kSafety + kTiny;
  }
}

}  // namespace qeb::eval
