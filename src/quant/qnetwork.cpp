#include "quant/qnetwork.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/check.h"
#include "core/error.h"

namespace qeb::quant {

namespace {

bool fits_i128(const BigInt& v, int bits = 126) { return abs(v) < (BigInt(1) << bits); }

}  // namespace

int QNetwork::input_frac_bits(std::size_t layer) const {
  return layer == 0 ? input_format.frac_bits : layers[layer - 1].activation_format->frac_bits;
}

int QNetwork::bias_shift(std::size_t layer) const {
  return affine() ? 0 : acc_frac_bits(layer) - layers[layer].bias_format.frac_bits;
}

int QNetwork::activation_shift(std::size_t layer) const {
  QEB_ASSERT(!affine());
  return acc_frac_bits(layer) - layers[layer].activation_format->frac_bits;
}

Rational QNetwork::input_step() const { return affine() ? affine_input_scale : dyadic(1, input_format.frac_bits); }

Rational QNetwork::layer_input_step(std::size_t layer) const { return layer == 0 ? input_step() : step(layer - 1); }

bool QNetwork::quantized(std::size_t layer) const {
  return affine() ? layers[layer].affine->quantized : !is_output(layer);
}

int64_t QNetwork::clamp_lo(std::size_t layer) const { return affine() ? layers[layer].affine->out_lo : 0; }

int64_t QNetwork::clamp_hi(std::size_t layer) const {
  return affine() ? layers[layer].affine->out_hi : layers[layer].activation_format->max_int();
}

Rational QNetwork::step(std::size_t layer) const {
  return affine() ? layers[layer].affine->out_scale : dyadic(1, layers[layer].activation_format->frac_bits);
}

RoundingRule QNetwork::rounding_rule(std::size_t layer, std::size_t j) const {
  RoundingRule rule;
  rule.rounding = rounding(layer);
  if (!affine()) {
    rule.shift = activation_shift(layer);
    rule.div = BigInt(1) << rule.shift;
    return rule;
  }
  const AffineLayer& a = *layers[layer].affine;
  rule.mult = big_int(a.mult[j]);
  rule.add = big_int(a.add[j]);
  rule.div = big_int(a.div[j]);
  return rule;
}

RoundingRule narrow_rounding_rule(const RoundingRule& rule, i128 lo, i128 hi) {
  if (rule.rounding != Rounding::HALF_EVEN || lo > hi) return rule;
  const i128 M = to_i128(rule.mult), A = to_i128(rule.add), D = to_i128(rule.div);
  if (M <= 0 || D <= 0) return rule;
  auto rounds = [](i128 x, i128 m, i128 a, i128 d) {
    return round_quotient(checked_add(checked_mul(x, m), a), d, Rounding::HALF_EVEN);
  };
  try {
    const i128 first = rounds(lo, M, A, D), last = rounds(hi, M, A, D);
    // f = rounds(., M, A, D) is non-decreasing (M > 0); T[v - first - 1] = the least acc with f >= v.
    constexpr i128 max_steps = 4096;
    if (last - first > max_steps) return rule;
    std::vector<i128> T;
    for (i128 v = first + 1; v <= last; ++v) {
      i128 a = T.empty() ? lo : T.back(), b = hi;  // f(b) >= v
      while (a < b) {
        i128 mid = a + (b - a) / 2;
        if (rounds(mid, M, A, D) >= v) b = mid;
        else a = mid + 1;
      }
      T.push_back(a);
    }
    // A non-decreasing g equals f on [lo, hi] iff g(lo) = first, g(hi) = last and
    // g(T_v - 1) < v <= g(T_v) for every v: then g >= v exactly where f >= v.
    auto matches = [&](i128 m, i128 a, i128 d) {
      if (rounds(lo, m, a, d) != first || rounds(hi, m, a, d) != last) return false;
      for (std::size_t i = 0; i < T.size(); ++i) {
        const i128 v = first + 1 + i128(i);
        if (rounds(T[i] - 1, m, a, d) >= v || rounds(T[i], m, a, d) < v) return false;
      }
      return true;
    };
    // For odd d, 2(x m + a) never equals (2v - 1) d, and with n = (2v - 1) d - 2 x m (odd):
    // g(x) >= v iff a >= (n + 1) / 2, g(x) < v iff a <= (n - 1) / 2. Try small odd d, m near M d / D;
    // the thresholds that last ruled a candidate out are tried first (most candidates fail on a few).
    std::vector<std::size_t> order(T.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const i128 budget = i128(1) << 18;
    i128 work = 0;
    for (i128 d = 1; d < D && work < budget; d += 2) {
      const i128 m0 = checked_mul(M, d) / D;
      for (i128 m = std::max<i128>(m0 - 1, 1); m <= m0 + 2; ++m) {
        auto n = [&](i128 v, i128 x) { return checked_add(checked_mul(2 * v - 1, d), -checked_mul(2 * x, m)); };
        i128 a_lo = (n(first, lo) + 1) / 2, a_hi = (n(last + 1, hi) - 1) / 2;
        std::size_t k = 0;
        for (; k < order.size() && a_lo <= a_hi; ++k) {
          const std::size_t i = order[k];
          const i128 v = first + 1 + i128(i);
          a_lo = std::max(a_lo, (n(v, T[i]) + 1) / 2);
          a_hi = std::min(a_hi, (n(v, T[i] - 1) - 1) / 2);
        }
        work += i128(k) + 1;
        if (a_lo > a_hi) {
          if (k > 1) std::rotate(order.begin(), order.begin() + (k - 1), order.begin() + k);
          continue;
        }
        if (!matches(m, a_lo, d)) continue;
        RoundingRule small = rule;
        small.mult = big_int(m);
        small.add = big_int(a_lo);
        small.div = big_int(d);
        return small;
      }
    }
  } catch (const OverflowError&) {
  }
  return rule;
}

i128 QNetwork::rounded(std::size_t layer, std::size_t j, i128 acc) const {
  if (!affine()) return round_half_up_shift(acc, activation_shift(layer));
  const AffineLayer& a = *layers[layer].affine;
  return round_quotient(checked_add(checked_mul(acc, a.mult[j]), a.add[j]), a.div[j], Rounding::HALF_EVEN);
}

int64_t QNetwork::activate(std::size_t layer, std::size_t j, i128 acc) const {
  return int64_t(std::clamp<i128>(rounded(layer, j, acc), clamp_lo(layer), clamp_hi(layer)));
}

Rational QNetwork::acc_scale(std::size_t layer, std::size_t j) const {
  return affine() ? layers[layer].affine->acc_scale[j] : dyadic(1, acc_frac_bits(layer));
}

Rational QNetwork::acc_offset(std::size_t layer, std::size_t j) const {
  return affine() ? layers[layer].affine->acc_offset[j] : Rational(0);
}

Rational QNetwork::weight_scale(std::size_t layer, std::size_t j) const {
  if (!affine()) return dyadic(1, layers[layer].weight_format.frac_bits);
  return acc_scale(layer, j) / layer_input_step(layer);
}

Rational QNetwork::real_bias(std::size_t layer, std::size_t j) const {
  const QLayer& l = layers[layer];
  if (!affine()) return dyadic(l.bias[j], l.bias_format.frac_bits);
  // acc = sum W x + A = sum W (x - z) + (A + z sum W): the real bias scales the second part.
  BigInt constant = big_int(acc_constant(layer, j));
  if (int64_t z = layer_input_zero_point(layer); z != 0)
    for (std::size_t k = 0; k < l.inputs; ++k) constant += BigInt(l.weight(j, k)) * z;
  return acc_scale(layer, j) * Rational(constant) + acc_offset(layer, j);
}

Rational QNetwork::output_value(std::size_t j, i128 acc) const {
  const std::size_t last = layers.size() - 1;
  if (quantized(last)) return Rational(activate(last, j, acc)) * step(last);
  if (!affine()) return dyadic(acc, acc_frac_bits(last));
  return acc_scale(last, j) * Rational(big_int(acc)) + acc_offset(last, j);
}

int64_t QNetwork::quantize_input(const Rational& x) const {
  QEB_ASSERT(affine());
  BigInt q = round_half_even(x / affine_input_scale) + input_zero_point;
  return std::clamp<BigInt>(q, input_format.min_int(), input_format.max_int()).convert_to<int64_t>();
}

void derive_affine_rule(AffineLayer& a, const BigInt& acc_bound, const std::string& where) {
  a.mult.clear(), a.add.clear(), a.div.clear();
  if (!a.quantized) return;
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  for (std::size_t j = 0; j < a.acc_scale.size(); ++j) {
    // (S acc + c) / s = (Sn/Sd acc + cn/cd) od/on over the common denominator L = lcm(Sd, cd).
    const Rational &s = a.acc_scale[j], &c = a.acc_offset[j];
    BigInt l = boost::multiprecision::lcm(denominator(s), denominator(c));
    BigInt mult = numerator(s) * (l / denominator(s)) * denominator(a.out_scale);
    BigInt add = numerator(c) * (l / denominator(c)) * denominator(a.out_scale);
    BigInt div = l * numerator(a.out_scale);
    BigInt g = boost::multiprecision::gcd(boost::multiprecision::gcd(mult, abs(add)), div);
    mult /= g, add /= g, div /= g;
    if (!fits_i128(acc_bound * mult + abs(add)) || !fits_i128(div))
      throw UnsupportedError(where + ": the requantization of neuron " + std::to_string(j) +
                             " needs more than 126 bits exactly (its scales and bias are too far apart)");
    a.mult.push_back(to_i128(mult));
    a.add.push_back(to_i128(add));
    a.div.push_back(to_i128(div));
  }
}

BigInt accumulator_bound(const QNetwork& qnn, std::size_t i) {
  const QLayer& layer = qnn.layers[i];
  const int64_t lo = i == 0 ? qnn.input_format.min_int() : qnn.clamp_lo(i - 1);
  const int64_t hi = i == 0 ? qnn.input_format.max_int() : qnn.clamp_hi(i - 1);
  const BigInt input = std::max(abs(BigInt(lo)), abs(BigInt(hi)));
  BigInt worst = 0;
  for (std::size_t j = 0; j < layer.outputs; ++j) {
    BigInt sum = abs(BigInt(layer.bias[j])) << qnn.bias_shift(i);
    for (std::size_t k = 0; k < layer.inputs; ++k) sum += abs(BigInt(layer.weight(j, k))) * input;
    worst = std::max(worst, sum);
  }
  return worst;
}

namespace {

// DRA computes with scale * n in double for the integers n of a range: both must be exact.
bool exact_scale(const Rational& scale, int64_t lo, int64_t hi) {
  double d = to_double(scale);
  if (rational_from_double(d) != scale) return false;
  for (int64_t n : {lo, hi})
    if (std::fabs(double(n)) > 0x1p31 || std::fma(double(n), d, -(double(n) * d)) != 0) return false;
  return true;
}

void validate_affine_layer(const QNetwork& qnn, std::size_t i, const std::string& file) {
  const QLayer& layer = qnn.layers[i];
  const std::string where = "layer " + std::to_string(i + 1);
  if (!layer.affine) throw InputError(file, where + " has no affine parameters in an affine QNN");
  const AffineLayer& a = *layer.affine;
  if (a.acc_scale.size() != layer.outputs || a.acc_offset.size() != layer.outputs)
    throw InputError(file, where + " has scale/offset counts that do not match its " + std::to_string(layer.outputs) +
                               " outputs");
  for (std::size_t j = 0; j < layer.outputs; ++j) {
    if (a.acc_scale[j] <= 0) throw InputError(file, where + ": the accumulator scale of channel " + std::to_string(j) + " is not positive");
    // The real weights W * (S_j / input step) must be exact doubles (DRA computes with them).
    Rational ws = qnn.weight_scale(i, j);
    double d = to_double(ws);
    if (rational_from_double(d) != ws)
      throw InputError(file, where + ": the weight scale of channel " + std::to_string(j) + " (" + to_string(ws) +
                                 ") is not a double");
    for (std::size_t k = 0; k < layer.inputs; ++k) {
      double w = double(layer.weight(j, k));
      if (std::fabs(w) > 0x1p31 || std::fma(w, d, -(w * d)) != 0)
        throw InputError(file, where + ": weight " + std::to_string(layer.weight(j, k)) + " times its scale is not exact in double");
    }
  }
  const bool last = qnn.is_output(i);
  if (!last && !a.quantized) throw InputError(file, where + " is hidden but its outputs are not quantized");
  if (!a.quantized) return;
  if (a.out_scale <= 0) throw InputError(file, where + ": the output scale is not positive");
  if (a.out_lo > a.out_hi) throw InputError(file, where + ": the output clamp range is empty");
  if (!last && a.out_lo != 0)
    throw InputError(file, where + " is hidden but its outputs are not clamped at the zero point (no ReLU)");
  if (!exact_scale(a.out_scale, a.out_lo, a.out_hi))
    throw InputError(file, where + ": the output scale " + to_string(a.out_scale) + " times the clamp range is not exact in double");
  AffineLayer check = a;
  derive_affine_rule(check, accumulator_bound(qnn, i), file + ": " + where);
  if (check.mult != a.mult || check.add != a.add || check.div != a.div)
    throw InputError(file, where + ": the integer requantization rule does not match the scales");
}

}  // namespace

void validate(const QNetwork& qnn) {
  const std::string file = qnn.source.empty() ? std::string("<qnn>") : qnn.source;
  if (qnn.layers.empty()) throw InputError(file, "the quantized network has no layer");
  validate_format(qnn.input_format, file + ": input format");
  if (qnn.affine()) {
    if (qnn.affine_input_scale <= 0) throw InputError(file, "the input scale is not positive");
    if (qnn.input_zero_point < qnn.input_format.min_int() || qnn.input_zero_point > qnn.input_format.max_int())
      throw InputError(file, "the input zero point " + std::to_string(qnn.input_zero_point) + " is outside the input range");
    if (!exact_scale(qnn.affine_input_scale, qnn.input_format.min_int() - qnn.input_zero_point,
                     qnn.input_format.max_int() - qnn.input_zero_point))
      throw InputError(file, "the input scale " + to_string(qnn.affine_input_scale) + " times the input range is not exact in double");
  } else if (qnn.input_zero_point != 0) {
    throw InputError(file, "a power-of-two QNN has no input zero point");
  }
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const QLayer& layer = qnn.layers[i];
    std::string where = "layer " + std::to_string(i + 1);
    if (layer.inputs == 0 || layer.outputs == 0) throw InputError(file, where + " has an empty shape");
    if (layer.weights.size() != layer.inputs * layer.outputs || layer.bias.size() != layer.outputs)
      throw InputError(file, where + " has weight/bias counts that do not match its shape " +
                                 std::to_string(layer.outputs) + "x" + std::to_string(layer.inputs));
    if (i > 0 && layer.inputs != qnn.layers[i - 1].outputs)
      throw InputError(file, where + " takes " + std::to_string(layer.inputs) + " inputs but the previous layer has " +
                                 std::to_string(qnn.layers[i - 1].outputs) + " outputs");
    if (qnn.affine()) {
      validate_affine_layer(qnn, i, file);
      continue;
    }
    if (layer.affine) throw InputError(file, where + " has affine parameters in a power-of-two QNN");
    validate_format(layer.weight_format, file + ": " + where + " weight format");
    validate_format(layer.bias_format, file + ": " + where + " bias format");
    for (int64_t w : layer.weights)
      if (w < layer.weight_format.min_int() || w > layer.weight_format.max_int())
        throw InputError(file, where + " has weight " + std::to_string(w) + " outside format " +
                                   layer.weight_format.to_string());
    for (int64_t b : layer.bias)
      if (b < layer.bias_format.min_int() || b > layer.bias_format.max_int())
        throw InputError(file, where + " has bias " + std::to_string(b) + " outside format " +
                                   layer.bias_format.to_string());
    bool last = qnn.is_output(i);
    if (last && layer.activation_format)
      throw InputError(file, "the output layer must not have an activation format (outputs are not quantized)");
    if (!last && !layer.activation_format) throw InputError(file, where + " is hidden but has no activation format");
    if (layer.activation_format) validate_format(*layer.activation_format, file + ": " + where + " activation format");
    if (qnn.bias_shift(i) < 0)
      throw InputError(file, where + ": bias format " + layer.bias_format.to_string() + " has more fractional bits (" +
                                 std::to_string(layer.bias_format.frac_bits) + ") than the accumulator (" +
                                 std::to_string(qnn.acc_frac_bits(i)) + " = input F + weight F)");
    if (!last && qnn.activation_shift(i) < 0)
      throw InputError(file, where + ": activation format " + layer.activation_format->to_string() +
                                 " has more fractional bits than the accumulator (" +
                                 std::to_string(qnn.acc_frac_bits(i)) + " = input F + weight F)");
  }
}

void validate(const ModelPair& pair) {
  model::validate(pair.dnn);
  validate(pair.qnn);
  if (pair.input_scale <= 0) throw OptionError("the input scale must be positive");
  const auto& d = pair.dnn.layers;
  const auto& q = pair.qnn.layers;
  if (d.size() != q.size())
    throw InputError(pair.qnn.source, "the quantized network has " + std::to_string(q.size()) +
                                          " layers but the DNN " + pair.dnn.source + " has " + std::to_string(d.size()));
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i].inputs != q[i].inputs || d[i].outputs != q[i].outputs)
      throw InputError(pair.qnn.source, "layer " + std::to_string(i + 1) + " is " + std::to_string(q[i].outputs) + "x" +
                                            std::to_string(q[i].inputs) + " but in the DNN " +
                                            std::to_string(d[i].outputs) + "x" + std::to_string(d[i].inputs) + " (" +
                                            pair.dnn.source + ")");
}

}  // namespace qeb::quant
