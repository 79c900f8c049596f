#include "eval/scaled_dnn.h"

#include <climits>
#include <cmath>

#include "core/error.h"

namespace qeb::eval {

namespace {

// v = m * 2^e with m an odd integer (or 0).
struct Dyadic {
  int64_t m = 0;
  int e = 0;
};
Dyadic decompose(double v) {
  if (v == 0) return {};
  int ex = 0;
  double f = std::frexp(v, &ex);  // v = f * 2^ex, 0.5 <= |f| < 1
  Dyadic d{int64_t(std::ldexp(f, 53)), ex - 53};
  while ((d.m & 1) == 0) d.m >>= 1, ++d.e;
  return d;
}

}  // namespace

ScaledDnn::ScaledDnn(const model::Network& dnn, const Rational& input_scale, int64_t zero_point)
    : d_zero_point(zero_point) {
  // x / D = x * q / p.
  d_input_numerator = boost::multiprecision::denominator(input_scale);
  d_input_denominator = boost::multiprecision::numerator(input_scale);
  BigInt denominator = d_input_denominator;
  for (const model::DenseLayer& layer : dnn.layers) {
    Layer L;
    L.inputs = layer.inputs;
    L.outputs = layer.outputs;
    L.relu = layer.relu;
    std::vector<Dyadic> w(layer.weights.size()), b(layer.bias.size());
    int low = 0;  // shift = min(0, every exponent): the shifts below are >= 0
    for (std::size_t i = 0; i < w.size(); ++i) {
      w[i] = decompose(layer.weights[i]);
      if (w[i].m) low = std::min(low, w[i].e);
    }
    for (std::size_t j = 0; j < b.size(); ++j) {
      b[j] = decompose(layer.bias[j]);
      if (b[j].m) low = std::min(low, b[j].e);
    }
    L.shift = low;
    for (const Dyadic& d : w) L.weights.push_back(BigInt(d.m) << (d.e - low));
    for (const Dyadic& d : b) L.bias.push_back(d.m ? BigInt(BigInt(d.m) << (d.e - low)) : BigInt(0));
    // Values of this layer: z = [sum W' N + b' * den] / (den * 2^-low).
    BigInt next_denominator = denominator << (-low);
    d_denominator.push_back(next_denominator);
    denominator = next_denominator;
    d_layers.push_back(std::move(L));
  }
}

std::vector<BigInt> ScaledDnn::first_layer(const std::vector<int64_t>& x) const {
  const Layer& L = d_layers.front();
  if (x.size() != L.inputs)
    throw OptionError("input has " + std::to_string(x.size()) + " values but the DNN has " + std::to_string(L.inputs) +
                      " inputs");
  std::vector<BigInt> out(L.outputs);
  for (std::size_t j = 0; j < L.outputs; ++j) {
    BigInt sum = L.bias[j] * d_input_denominator;
    for (std::size_t k = 0; k < L.inputs; ++k) {
      const BigInt& w = L.weights[j * L.inputs + k];
      if (w != 0 && x[k] != d_zero_point) sum += w * (d_input_numerator * (x[k] - d_zero_point));
    }
    out[j] = L.relu && sum < 0 ? BigInt(0) : sum;
  }
  return out;
}

std::vector<Rational> ScaledDnn::rest(std::vector<BigInt> values) const {
  for (std::size_t i = 1; i < d_layers.size(); ++i) {
    const Layer& L = d_layers[i];
    const BigInt& input_denominator = d_denominator[i - 1];
    std::vector<BigInt> next(L.outputs);
    for (std::size_t j = 0; j < L.outputs; ++j) {
      BigInt sum = L.bias[j] * input_denominator;
      for (std::size_t k = 0; k < L.inputs; ++k) {
        const BigInt& w = L.weights[j * L.inputs + k];
        if (w != 0 && values[k] != 0) sum += w * values[k];
      }
      next[j] = L.relu && sum < 0 ? BigInt(0) : sum;
    }
    values = std::move(next);
  }
  std::vector<Rational> out;
  out.reserve(values.size());
  for (const BigInt& n : values) out.push_back(Rational(n, d_denominator.back()));
  return out;
}

}  // namespace qeb::eval
