#include "eval/eval_qnn.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace qeb::eval {

int64_t quantized_activation(i128 acc, int e, const FixedPointFormat& format) {
  i128 rounded = round_half_up_shift(acc, e);
  return static_cast<int64_t>(std::clamp<i128>(rounded, 0, format.max_int()));
}

double QnnOutput::approx(std::size_t j) const {
  return values.empty() ? std::ldexp(double(acc[j]), -frac_bits) : to_double(values[j]);
}

QnnOutput eval_qnn(const quant::QNetwork& qnn, const std::vector<int64_t>& x, QnnTrace* trace) {
  if (x.size() != qnn.input_size())
    throw OptionError("input has " + std::to_string(x.size()) + " values but the QNN has " +
                      std::to_string(qnn.input_size()) + " inputs");
  for (std::size_t k = 0; k < x.size(); ++k)
    if (x[k] < qnn.input_format.min_int() || x[k] > qnn.input_format.max_int())
      throw OptionError("input " + std::to_string(k) + " = " + std::to_string(x[k]) + " is outside the input format " +
                        qnn.input_format.to_string());
  std::vector<int64_t> current = x;
  QnnOutput out;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    std::vector<i128> acc(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      i128 sum = qnn.acc_constant(i, j);
      for (std::size_t k = 0; k < layer.inputs; ++k) sum = checked_add(sum, checked_mul(layer.weight(j, k), current[k]));
      acc[j] = sum;
    }
    if (trace) trace->acc.push_back(acc);
    if (qnn.is_output(i)) {
      if (qnn.affine())
        for (std::size_t j = 0; j < layer.outputs; ++j) out.values.push_back(qnn.output_value(j, acc[j]));
      else
        out.frac_bits = qnn.acc_frac_bits(i);
      out.acc = std::move(acc);
      break;
    }
    current.assign(layer.outputs, 0);
    if (qnn.affine()) {
      for (std::size_t j = 0; j < layer.outputs; ++j) current[j] = qnn.activate(i, j, acc[j]);
    } else {  // one shift per layer, as before the affine scheme
      const int e = qnn.activation_shift(i);
      for (std::size_t j = 0; j < layer.outputs; ++j) current[j] = quantized_activation(acc[j], e, *layer.activation_format);
    }
    if (trace) trace->activations.push_back(current);
  }
  return out;
}

}  // namespace qeb::eval
