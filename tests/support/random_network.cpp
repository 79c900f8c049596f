#include "support/random_network.h"

#include <cmath>

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

RandomCase random_case(std::mt19937_64& rng, std::size_t inputs, const std::vector<std::size_t>& hidden,
                       std::size_t outputs, uint64_t max_points) {
  RandomCase c;
  model::Network& dnn = c.pair.dnn;
  dnn.source = "random";
  std::vector<std::size_t> sizes = {inputs};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(outputs);
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    model::DenseLayer layer;
    layer.inputs = sizes[i];
    layer.outputs = sizes[i + 1];
    layer.relu = i + 2 < sizes.size();
    for (std::size_t w = 0; w < layer.inputs * layer.outputs; ++w) layer.weights.push_back(random_weight(rng, 1.2));
    for (std::size_t j = 0; j < layer.outputs; ++j) layer.bias.push_back(random_weight(rng, 0.5));
    dnn.layers.push_back(std::move(layer));
  }
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
  int64_t top = q.input.max_int();
  c.box.lo.assign(inputs, 0);
  c.box.hi.assign(inputs, 0);
  for (std::size_t k = 0; k < inputs; ++k) {
    int64_t v = std::uniform_int_distribution<int64_t>(0, top)(rng);
    c.box.lo[k] = c.box.hi[k] = v;
  }
  for (int grow = 0; grow < 64; ++grow) {
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, inputs - 1)(rng);
    spec::Box wider = c.box;
    if (std::uniform_int_distribution<int>(0, 1)(rng)) wider.lo[k] = std::max<int64_t>(0, wider.lo[k] - 1);
    else wider.hi[k] = std::min(top, wider.hi[k] + 1);
    if (wider.point_count() <= max_points) c.box = wider;
  }
  return c;
}

RandomCase random_small_case(std::mt19937_64& rng, uint64_t max_points) {
  auto pick = [&](int lo, int hi) { return std::size_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<std::size_t> hidden(pick(1, 2));
  for (auto& h : hidden) h = pick(1, 4);
  return random_case(rng, pick(1, 3), hidden, pick(1, 3), max_points);
}

}  // namespace qeb::test
