#include "quant/affine.h"

#include <algorithm>

#include "core/error.h"
#include "core/input_file.h"
#include "model/guarded_load.h"

namespace qeb::quant {

QNetwork affine_qnn(const model::QuantizedNetwork& net) {
  QNetwork qnn;
  qnn.scheme = Scheme::AFFINE;
  qnn.source = net.source;
  const std::string& file = net.source;
  if (net.input.scale.size() != 1) throw UnsupportedError(file, "the input is quantized per channel; only per tensor is supported");
  qnn.input_format = {net.input.is_signed, net.input.bits, 0};
  qnn.affine_input_scale = rational_from_double(net.input.scale[0]);
  qnn.input_zero_point = net.input.zero_point[0];
  // The zero point of the stored integers each layer reads: the input's, then every layer's output's.
  int64_t stored_zero = qnn.input_zero_point;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const model::QuantizedDense& d = net.layers[i];
    const std::string where = "layer " + std::to_string(i + 1) + " (" + d.where + ")";
    const bool last = i + 1 == net.layers.size();
    QLayer layer;
    layer.inputs = d.inputs;
    layer.outputs = d.outputs;
    AffineLayer a;
    for (std::size_t j = 0; j < d.outputs; ++j) {
      // acc = sum (W - wz)(x - iz) + b over stored x; the QNN's inputs are x (first layer) or the
      // centred p = x - stored_zero: acc = sum W' x' + (b + (c - iz) sum W') with c = 0 or stored_zero.
      const int64_t centre = i == 0 ? 0 : stored_zero;
      BigInt constant = d.acc_bias[j], weight_sum = 0;
      for (std::size_t k = 0; k < d.inputs; ++k) {
        int64_t w = d.weights[j * d.inputs + k] - d.weight_zero_point[j];
        layer.weights.push_back(w);
        weight_sum += w;
      }
      constant += (BigInt(centre) - d.input_zero_point) * weight_sum;
      // The part of the real bias on the accumulator's grid joins the integer constant.
      Rational on_grid = d.bias[j] / d.acc_scale[j];
      Rational offset = d.bias[j];
      if (boost::multiprecision::denominator(on_grid) == 1) {
        constant += boost::multiprecision::numerator(on_grid);
        offset = 0;
      }
      if (abs(constant) >= (BigInt(1) << 62)) throw UnsupportedError(file, where + ": an accumulator constant exceeds 62 bits");
      layer.bias.push_back(constant.convert_to<int64_t>());
      a.acc_scale.push_back(d.acc_scale[j]);
      a.acc_offset.push_back(offset);
    }
    if (d.output) {
      const model::QuantParams& o = *d.output;
      a.quantized = true;
      a.out_scale = rational_from_double(o.scale[0]);
      a.out_zero_point = o.zero_point[0];
      a.out_hi = o.max_int() - a.out_zero_point;
      // ReLU then QuantizeLinear: clamp(max(v, 0) + z, min, max), so the centred value starts at 0.
      a.out_lo = d.relu ? 0 : o.min_int() - a.out_zero_point;
      if (!last && a.out_lo != 0)
        throw UnsupportedError(file, where + " has no ReLU: its output zero point " + std::to_string(a.out_zero_point) +
                                         " is above the type's minimum " + std::to_string(o.min_int()) +
                                         " and no Relu precedes the QuantizeLinear");
      stored_zero = a.out_zero_point;
    } else if (!last) {
      throw InputError(file, where + " is hidden but its output is not quantized");
    }
    layer.affine = std::move(a);
    qnn.layers.push_back(std::move(layer));
    derive_affine_rule(*qnn.layers.back().affine, accumulator_bound(qnn, i), file + ": " + where);
  }
  validate(qnn);
  return qnn;
}

QNetwork load_affine_qnn(const std::string& path) {
  open_input_file(path, "QNN file");  // missing, a directory, unreadable: named as such
  return model::guarded_load(path, "quantized network", [&] { return affine_qnn(model::load_onnx_quantized(path)); });
}

ModelPair make_affine_pair(model::Network dnn, QNetwork qnn) {
  ModelPair pair;
  pair.dnn = std::move(dnn);
  pair.qnn = std::move(qnn);
  pair.input_scale = Rational(1) / pair.qnn.affine_input_scale;
  const auto& d = pair.dnn.layers;
  const auto& q = pair.qnn.layers;
  bool same = d.size() == q.size();
  for (std::size_t i = 0; same && i < d.size(); ++i) same = d[i].inputs == q[i].inputs && d[i].outputs == q[i].outputs;
  if (!same) {
    auto shape = [](std::size_t inputs, const auto& layers) {
      std::string s = std::to_string(inputs);
      for (const auto& l : layers) s += "-" + std::to_string(l.outputs);
      return s;
    };
    throw InputError(pair.qnn.source, "the quantized network is " + shape(pair.qnn.input_size(), q) + " but the float network " +
                                          pair.dnn.source + " is " + shape(pair.dnn.input_size(), d));
  }
  validate(pair);
  return pair;
}

}  // namespace qeb::quant
