#include "support/random_network.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "quant/affine.h"
#include "quant/quantize.h"

namespace qeb::test {

namespace {

double random_weight(std::mt19937_64& rng, double scale) {
  std::uniform_real_distribution<double> uniform(-scale, scale);
  // A quarter of the weights are multiples of 1/16, which produce exact rounding ties.
  if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) return std::round(uniform(rng) * 16) / 16;
  return double(float(uniform(rng)));
}

FixedPointFormat random_format(std::mt19937_64& rng, bool is_signed, int min_bits, int max_bits, int max_int_bits) {
  int q = std::uniform_int_distribution<int>(min_bits, max_bits)(rng);
  int int_bits = std::uniform_int_distribution<int>(0, std::min(max_int_bits, q))(rng);
  return {is_signed, q, q - int_bits};
}

}  // namespace

model::Network random_dnn(std::mt19937_64& rng, const std::vector<std::size_t>& sizes) {
  model::Network dnn;
  dnn.source = "random";
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    model::DenseLayer layer;
    layer.inputs = sizes[i];
    layer.outputs = sizes[i + 1];
    layer.relu = i + 2 < sizes.size();
    for (std::size_t w = 0; w < layer.inputs * layer.outputs; ++w) layer.weights.push_back(random_weight(rng, 1.2));
    for (std::size_t j = 0; j < layer.outputs; ++j) layer.bias.push_back(random_weight(rng, 0.5));
    dnn.layers.push_back(std::move(layer));
  }
  return dnn;
}

spec::Box random_box(std::mt19937_64& rng, std::size_t inputs, int64_t lo, int64_t hi, uint64_t max_points) {
  spec::Box box;
  box.lo.assign(inputs, 0);
  box.hi.assign(inputs, 0);
  for (std::size_t k = 0; k < inputs; ++k) box.lo[k] = box.hi[k] = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  for (int grow = 0; grow < 64; ++grow) {
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, inputs - 1)(rng);
    spec::Box wider = box;
    if (std::uniform_int_distribution<int>(0, 1)(rng)) wider.lo[k] = std::max<int64_t>(lo, wider.lo[k] - 1);
    else wider.hi[k] = std::min(hi, wider.hi[k] + 1);
    if (wider.point_count() <= max_points) box = wider;
  }
  return box;
}

RandomCase random_case(std::mt19937_64& rng, std::size_t inputs, const std::vector<std::size_t>& hidden,
                       std::size_t outputs, uint64_t max_points) {
  RandomCase c;
  std::vector<std::size_t> sizes = {inputs};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(outputs);
  model::Network dnn = random_dnn(rng, sizes);
  quant::QuantConfig& q = c.config;
  int in_bits = std::uniform_int_distribution<int>(3, 6)(rng);
  q.input = {false, in_bits, in_bits};
  q.weight = random_format(rng, true, 2, 8, 2);
  q.hidden = random_format(rng, false, 2, 8, 3);
  // Bias fractional bits must not exceed the accumulator's; keep them at most the weights'.
  q.bias = random_format(rng, true, 2, 8, 3);
  q.bias.frac_bits = std::min(q.bias.frac_bits, q.weight.frac_bits);
  q.hidden.frac_bits = std::min(q.hidden.frac_bits, q.weight.frac_bits);
  q.input_scale = std::uniform_int_distribution<int>(0, 1)(rng) ? Rational((1 << in_bits) - 1) : Rational(1 << in_bits);
  c.pair = quant::make_pair(std::move(dnn), q);

  // A box of at most max_points points.
  c.box = random_box(rng, inputs, 0, q.input.max_int(), max_points);
  return c;
}

RandomCase random_small_case(std::mt19937_64& rng, uint64_t max_points) {
  auto pick = [&](int lo, int hi) { return std::size_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<std::size_t> hidden(pick(1, 2));
  for (auto& h : hidden) h = pick(1, 4);
  return random_case(rng, pick(1, 3), hidden, pick(1, 3), max_points);
}

}  // namespace qeb::test

namespace qeb::test {

namespace {

// An ONNX-style quantizer in miniature (what onnxruntime's static quantization writes, without the
// calibration data): scales from ranges, round half to even, saturation.
struct AffineDraw {
  std::mt19937_64& rng;
  bool power_of_two;  // every scale a power of two: rounding ties become frequent

  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

  double scale(double range, int levels) {
    range = std::max(range, 1e-3);
    if (power_of_two) return std::ldexp(1.0, int(std::ceil(std::log2(range / levels))));
    return double(float(range / levels * uniform(0.9, 1.1)));
  }
  static int64_t quantize(double v, double scale, int64_t zero, int64_t lo, int64_t hi) {
    return std::clamp<int64_t>(round_half_even(rational_from_double(v) / rational_from_double(scale)).convert_to<int64_t>() + zero, lo, hi);
  }
  // Parameters of a tensor in [a, b] (a <= 0 <= b) for int8 or uint8.
  model::QuantParams params(double a, double b, bool is_signed) {
    model::QuantParams p;
    p.is_signed = is_signed;
    double s = scale(b - a, 255);
    int64_t zero = std::llround(-a / s) + p.min_int();
    p.scale = {s};
    p.zero_point = {std::clamp<int64_t>(zero, p.min_int(), p.max_int())};
    return p;
  }
};

}  // namespace

RandomCase random_affine_case(std::mt19937_64& rng, std::size_t inputs, const std::vector<std::size_t>& hidden,
                              std::size_t outputs, uint64_t max_points) {
  std::vector<std::size_t> sizes = {inputs};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(outputs);
  model::Network dnn = random_dnn(rng, sizes);
  AffineDraw d{rng, std::uniform_int_distribution<int>(0, 2)(rng) == 0};
  model::QuantizedNetwork net;
  net.source = "random affine";
  net.input = d.params(d.below(2) ? 0.0 : -1.0, 1.0, d.below(2) == 0);
  model::QuantParams previous = net.input;
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& layer = dnn.layers[i];
    const bool last = i + 1 == dnn.layers.size();
    model::QuantizedDense q;
    q.inputs = layer.inputs;
    q.outputs = layer.outputs;
    q.input_zero_point = previous.zero_point[0];
    q.where = "layer " + std::to_string(i + 1);
    // Weights: symmetric int8 or asymmetric uint8, per tensor or per output channel.
    const bool per_channel = d.below(2), symmetric = d.below(2);
    const int bias_kind = d.below(3);  // int32 on fl32(s_in s_w), float, or integer on the exact accumulator grid
    // One (scale, zero point) per channel, or the whole matrix's for all.
    std::vector<double> s_ws;
    std::vector<int64_t> z_ws;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      double lo = 0, hi = 0;
      for (std::size_t r = per_channel ? j : 0; r < (per_channel ? j + 1 : layer.outputs); ++r)
        for (std::size_t k = 0; k < layer.inputs; ++k) lo = std::min(lo, layer.weight(r, k)), hi = std::max(hi, layer.weight(r, k));
      if (!per_channel && j > 0) {
        s_ws.push_back(s_ws[0]), z_ws.push_back(z_ws[0]);
        continue;
      }
      double s = symmetric ? d.scale(2 * std::max(-lo, hi), 254) : d.scale(hi - lo, 255);
      s_ws.push_back(s);
      z_ws.push_back(symmetric ? 0 : std::clamp<int64_t>(std::llround(-lo / s), 0, 255));
    }
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      const double s_w = s_ws[j];
      const int64_t z_w = z_ws[j];
      const int64_t wmin = symmetric ? -127 : 0, wmax = symmetric ? 127 : 255;
      for (std::size_t k = 0; k < layer.inputs; ++k) q.weights.push_back(AffineDraw::quantize(layer.weight(j, k), s_w, z_w, wmin, wmax));
      q.weight_zero_point.push_back(z_w);
      const Rational s_in = rational_from_double(previous.scale[0]), acc_scale = s_in * rational_from_double(s_w);
      q.acc_scale.push_back(acc_scale);
      q.acc_bias.push_back(0);
      if (bias_kind == 0) {
        double s_b = double(float(previous.scale[0] * s_w));
        q.bias.push_back(Rational(AffineDraw::quantize(layer.bias[j], s_b, 0, INT32_MIN, INT32_MAX)) * rational_from_double(s_b));
      } else if (bias_kind == 1) {
        q.bias.push_back(rational_from_double(layer.bias[j]));
      } else {
        q.bias.push_back(0);
        q.acc_bias.back() = round_half_even(rational_from_double(layer.bias[j]) / acc_scale).convert_to<int64_t>();
      }
    }
    // The output's quantization: hidden ReLUs as the clamp at the zero point or a Relu before it.
    const double range = d.uniform(0.5, 4);
    if (!last) {
      int kind = d.below(3);
      if (kind < 2) {
        q.output = d.params(0, range, kind == 1);  // zero point at the type's minimum
      } else {
        q.output = d.params(-range, range, true);  // symmetric int8: the Relu does it
        q.relu = true;
      }
      previous = *q.output;
    } else if (d.below(2)) {
      q.output = d.params(-range, range, d.below(2) == 0);
    }
    net.layers.push_back(std::move(q));
  }
  RandomCase c;
  c.pair = quant::make_affine_pair(std::move(dnn), quant::affine_qnn(net));
  c.box = random_box(rng, inputs, net.input.min_int(), net.input.max_int(), max_points);
  return c;
}

RandomCase random_small_affine_case(std::mt19937_64& rng, uint64_t max_points) {
  auto pick = [&](int lo, int hi) { return std::size_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<std::size_t> hidden(pick(1, 2));
  for (auto& h : hidden) h = pick(1, 4);
  return random_affine_case(rng, pick(1, 3), hidden, pick(1, 3), max_points);
}

}  // namespace qeb::test
