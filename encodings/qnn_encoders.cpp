#include "encodings/qnn_encoders.h"

#include <algorithm>
#include <functional>
#include <string>

#include "dra/qnn_intervals.h"
#include "encodings/gadgets.h"

namespace qeb::encodings {

using smt::Kind;
using smt::Sort;
using smt::Term;

namespace {

// The phase the encoding may rely on: DRA's (sound) one, or "needs both clamps" without pruning.
dra::QnnPhase phase_of(const EncodingInput& in, std::size_t i, std::size_t j) {
  return in.prune ? in.dra.layers[i].qnn_phase[j] : dra::QnnPhase::CLAMP_BOTH;
}

// The value of a CONSTANT neuron: its clamped pre-activation bound.
int64_t constant_value(const EncodingInput& in, std::size_t i, std::size_t j) {
  const quant::QNetwork& qnn = in.pair.qnn;
  return std::clamp<int64_t>(in.dra.layers[i].qnn_pre_lo[j], qnn.clamp_lo(i), qnn.clamp_hi(i));
}

// A hidden neuron's phase; an affine quantized output may need both clamps.
dra::QnnPhase clamp_phase(const EncodingInput& in, std::size_t i, std::size_t j) {
  return in.pair.qnn.is_output(i) ? dra::QnnPhase::CLAMP_BOTH : phase_of(in, i, j);
}

// value * step exactly as a scaled bit-vector: the numerator of the step multiplies the bits (a
// power-of-two step only sets the denominator).
ScaledBv scaled_value(smt::TermManager& t, Term bits, bool is_signed, const Rational& step) {
  const BigInt n = boost::multiprecision::numerator(step), d = boost::multiprecision::denominator(step);
  if (n == 1) return {bits, is_signed, d};
  const uint32_t w = t.sort(bits).width, width = w + (is_signed ? 0 : 1) + unsigned_width(n);
  Term x = t.mk(is_signed ? Kind::BV_SIGN_EXTEND : Kind::BV_ZERO_EXTEND, {bits}, width - w);
  return {t.mk(Kind::BV_MUL, {t.bv_const(n, width), x}), true, d};
}

// The real value S * acc + c of an affine real output, exactly as a scaled bit-vector.
ScaledBv affine_value(smt::TermManager& t, Term acc, const Rational& scale, const Rational& offset) {
  using boost::multiprecision::denominator;
  using boost::multiprecision::numerator;
  const BigInt l = boost::multiprecision::lcm(denominator(scale), denominator(offset));
  const BigInt m = numerator(scale) * (l / denominator(scale)), a = numerator(offset) * (l / denominator(offset));
  const uint32_t w = t.sort(acc).width;
  // |acc| <= 2^(w-1): m * acc + a fits signed_width of its bound.
  const BigInt bound = m * (BigInt(1) << (w - 1)) + abs(a);
  const uint32_t width = std::max(signed_width(-bound, bound), w);
  Term x = width > w ? t.mk(Kind::BV_SIGN_EXTEND, {acc}, width - w) : acc;
  Term sum = t.mk(Kind::BV_MUL, {t.bv_const(m, width), x});
  if (a != 0) sum = t.mk(Kind::BV_ADD, {sum, t.bv_const(a, width)});
  return {sum, true, l};
}

// unit * (value of bits) as a real term (bit by bit, or through bv2nat). The links take the narrow
// bits and a rational unit, never a scaled_value/affine_value product: that product is ~25 bits
// wider (a float32 numerator), and one real ite per bit made cvc5 time out (bv-lra, affine).
Term real_of(smt::TermManager& t, Term bits, bool is_signed, const Rational& unit, RealLink link) {
  if (link == RealLink::BITWISE) return bits_to_real(t, bits, is_signed, unit);
  if (!is_signed) return nat_to_real(t, bits, unit);
  // Signed value = bv2nat(bits) - 2^w * sign bit.
  const uint32_t w = t.sort(bits).width;
  Term sign = t.mk(Kind::BV_EXTRACT, {bits}, w - 1, w - 1);
  Term correction = t.ite(t.eq(sign, t.bv_const(1, 1)), t.real_const(-unit * Rational(BigInt(1) << w)), t.real_const(0));
  return t.add({nat_to_real(t, bits, unit), correction});
}

/**
 * ONNX's round half to even of (acc * mult + add) / div as constraints on r (bit-vectors, signed):
 * with N = acc * mult + add and par the parity of r,
 *   2 div r - div + par <= 2 N <= 2 div r + div - par,
 * both ends included for an even r (a tie rounds to it) and excluded for an odd one; an odd div
 * has no ties (par = 1). Every product is formed in a width that holds it.
 */
void round_half_even_bv(smt::TermManager& t, Term acc, Term r, const quant::RoundingRule& rule, std::vector<Term>& out) {
  const uint32_t wa = t.sort(acc).width, wr = t.sort(r).width;
  const BigInt two_n = 2 * (rule.mult * (BigInt(1) << (wa - 1)) + abs(rule.add));
  const BigInt two_r = 2 * rule.div * (BigInt(1) << (wr - 1)) + rule.div + 1;
  const BigInt bound = std::max(two_n, two_r);
  const uint32_t w = signed_width(-bound, bound);
  auto extend = [&](Term x) {
    uint32_t xw = t.sort(x).width;
    return xw < w ? t.mk(Kind::BV_SIGN_EXTEND, {x}, w - xw) : x;
  };
  Term n2 = t.mk(Kind::BV_ADD, {t.mk(Kind::BV_MUL, {t.bv_const(BigInt(2 * rule.mult), w), extend(acc)}), t.bv_const(BigInt(2 * rule.add), w)});
  Term r2 = t.mk(Kind::BV_MUL, {t.bv_const(BigInt(2 * rule.div), w), extend(r)});
  Term par = rule.div % 2 == 1 ? t.bv_const(1, w)
                               : t.mk(Kind::BV_ZERO_EXTEND, {t.mk(Kind::BV_EXTRACT, {r}, 0, 0)}, w - 1);
  Term low = t.mk(Kind::BV_ADD, {t.mk(Kind::BV_SUB, {r2, t.bv_const(rule.div, w)}), par});
  Term high = t.mk(Kind::BV_SUB, {t.mk(Kind::BV_ADD, {r2, t.bv_const(rule.div, w)}), par});
  out.push_back(t.mk(Kind::BV_SLE, {low, n2}));
  out.push_back(t.mk(Kind::BV_SLE, {n2, high}));
}

/** The same in linear integer arithmetic, with par = r - 2k for a fresh integer k. */
void round_half_even_int(smt::TermManager& t, Term acc, Term r, const quant::RoundingRule& rule, const std::string& name,
                         std::vector<Term>& out) {
  Term n2 = t.add({t.scale(Rational(BigInt(2 * rule.mult)), acc), t.int_const(Rational(BigInt(2 * rule.add)))});
  Term r2 = t.scale(Rational(BigInt(2 * rule.div)), r);
  if (rule.div % 2 == 1) {
    out.push_back(t.mk(Kind::LE, {t.add({r2, t.int_const(Rational(BigInt(1 - rule.div)))}), n2}));
    out.push_back(t.mk(Kind::LE, {n2, t.add({r2, t.int_const(Rational(BigInt(rule.div - 1)))})}));
    return;
  }
  Term k = t.variable(name, Sort::integer());
  Term par = t.add({r, t.scale(Rational(-2), k)});
  out.push_back(t.mk(Kind::GE, {par, t.int_const(0)}));
  out.push_back(t.mk(Kind::LE, {par, t.int_const(1)}));
  out.push_back(t.mk(Kind::LE, {t.add({r2, t.int_const(Rational(BigInt(-rule.div))), par}), n2}));
  out.push_back(t.mk(Kind::LE, {n2, t.add({r2, t.int_const(Rational(rule.div)), t.scale(Rational(-1), par)})}));
}

std::string id(std::size_t i, std::size_t j) { return std::to_string(i + 1) + "_" + std::to_string(j); }

// An integer operand of a layer: offset + (unsigned value of `term`, if any).
struct Operand {
  BigInt offset = 0;
  std::optional<Term> term;
};

std::vector<Operand> input_operands(const EncodingInput& in, NetworkEncoding& out,
                                    const std::function<Term(std::size_t, int64_t)>& make_var) {
  std::vector<Operand> ops;
  for (std::size_t k = 0; k < in.box.dimension(); ++k) {
    int64_t range = in.box.hi[k] - in.box.lo[k];
    Operand op{in.box.lo[k], std::nullopt};
    if (range > 0) op.term = make_var(k, range);
    out.input_vars.push_back(op.term);
    out.input_offset.push_back(in.box.lo[k]);
    ops.push_back(op);
  }
  return ops;
}

}  // namespace

std::size_t encode_qnn_bitvector(smt::TermManager& t, const EncodingInput& in, RealLink link, NetworkEncoding& out) {
  const quant::QNetwork& qnn = in.pair.qnn;
  // Widths come from exact interval bounds (always sound, whatever DRA mode ran).
  std::vector<dra::QnnLayerIntervals> bounds = dra::propagate_qnn_intervals(qnn, in.box, dra::Semantics::SOUND);
  std::vector<Operand> ops = input_operands(in, out, [&](std::size_t k, int64_t range) {
    uint32_t w = unsigned_width(range);
    Term d = t.variable("x_" + std::to_string(k), Sort::bitvec(w));
    if (BigInt(range) < (BigInt(1) << w) - 1) out.assertions.push_back(t.mk(Kind::BV_ULE, {d, t.bv_const(range, w)}));
    return d;
  });
  std::size_t splits = 0;
  const bool reals = link != RealLink::NONE;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    const bool output = qnn.is_output(i), quantized = qnn.quantized(i);
    const bool shift_rounding = quantized && !qnn.affine();  // the power-of-two scheme: an arithmetic shift
    const int e = shift_rounding ? qnn.activation_shift(i) : 0;
    const Rational grid = quantized ? qnn.step(i) : Rational(0);
    if (!output) {
      if (reals) out.qnn_hidden.emplace_back();
      else out.qnn_hidden_bv.emplace_back();
    }
    std::vector<Operand> next;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      if (!output && phase_of(in, i, j) == dra::QnnPhase::CONSTANT) {
        const int64_t value = constant_value(in, i, j);
        next.push_back({value, std::nullopt});
        if (reals) out.qnn_hidden.back().push_back(t.real_const(grid * value));
        else out.qnn_hidden_bv.back().push_back(scaled_value(t, t.bv_const(value, unsigned_width(value)), false, grid));
        continue;
      }
      BigInt lo = big_int(bounds[i].acc_lo[j]), hi = big_int(bounds[i].acc_hi[j]);
      // Room for the rounding constant 2^(e-1), and at least e + 1 bits so the shift is defined.
      const uint32_t w = std::max<uint32_t>(signed_width(lo, hi + (e > 0 ? BigInt(1) << (e - 1) : BigInt(0))), e + 1);
      BigInt constant = BigInt(layer.bias[j]) << qnn.bias_shift(i);
      std::vector<Term> terms;
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        int64_t weight = layer.weight(j, k);
        if (weight == 0) continue;
        constant += BigInt(weight) * ops[k].offset;
        if (!ops[k].term) continue;
        Term x = *ops[k].term;
        uint32_t xw = t.sort(x).width;
        if (xw < w) x = t.mk(Kind::BV_ZERO_EXTEND, {x}, w - xw);
        else if (xw > w) x = t.mk(Kind::BV_EXTRACT, {x}, w - 1, 0);  // products only need the low w bits
        if (weight == 1) terms.push_back(x);
        else if (weight == -1) terms.push_back(t.mk(Kind::BV_NEG, {x}));
        else terms.push_back(t.mk(Kind::BV_MUL, {t.bv_const(weight, w), x}));
      }
      terms.push_back(t.bv_const(constant, w));
      Term sum = balanced_sum(terms, [&](Term a, Term b) { return t.mk(Kind::BV_ADD, {a, b}); });
      Term acc = t.variable("qnn_acc_" + id(i, j), Sort::bitvec(w));
      out.assertions.push_back(t.eq(acc, sum));
      if (!quantized) {
        // A real output: acc / 2^F (power of two) or S acc + c (affine).
        if (link == RealLink::NONE) {
          out.qnn_output_bv.push_back(qnn.affine() ? affine_value(t, acc, qnn.acc_scale(i, j), qnn.acc_offset(i, j))
                                                   : ScaledBv{acc, true, BigInt(1) << qnn.acc_frac_bits(i)});
        } else {
          Term real = real_of(t, acc, true, qnn.acc_scale(i, j), link);
          const Rational offset = qnn.acc_offset(i, j);
          out.qnn_output.push_back(offset == 0 ? real : t.add({real, t.real_const(offset)}));
        }
        continue;
      }
      Term rounded = acc;
      uint32_t rw = w;  // the width of the rounded value
      if (shift_rounding) {
        // floor(acc / 2^e + 1/2) by arithmetic shift; w leaves room for the + 2^(e-1).
        if (e > 0) rounded = t.mk(Kind::BV_ASHR, {t.mk(Kind::BV_ADD, {acc, t.bv_const(BigInt(1) << (e - 1), w)})}, e);
      } else {
        // Round half to even: r in the width of its exact bounds, tied to acc by inequalities.
        rw = signed_width(big_int(qnn.rounded(i, j, bounds[i].acc_lo[j])), big_int(qnn.rounded(i, j, bounds[i].acc_hi[j])));
        rounded = t.variable("qnn_round_" + id(i, j), Sort::bitvec(rw));
        round_half_even_bv(t, acc, rounded, quant::narrow_rounding_rule(qnn.rounding_rule(i, j), bounds[i].acc_lo[j], bounds[i].acc_hi[j]),
                           out.assertions);
      }
      if (!output) {
        // DRA's sound rounded pre-activation bounds, as redundant facts.
        const dra::LayerReport& r = in.dra.layers[i];
        BigInt pre_lo = std::max<BigInt>(BigInt(r.qnn_pre_lo[j]), -(BigInt(1) << (rw - 1)));
        BigInt pre_hi = std::min<BigInt>(BigInt(r.qnn_pre_hi[j]), (BigInt(1) << (rw - 1)) - 1);
        out.assertions.push_back(t.mk(Kind::BV_SLE, {t.bv_const(pre_lo, rw), rounded}));
        out.assertions.push_back(t.mk(Kind::BV_SLE, {rounded, t.bv_const(pre_hi, rw)}));
      }
      dra::QnnPhase phase = clamp_phase(in, i, j);
      Term value = rounded;
      const int64_t min = qnn.clamp_lo(i), max = qnn.clamp_hi(i);
      // A clamp end the width cannot reach never binds.
      const bool min_fits = signed_width(min, 0) <= rw, max_fits = signed_width(0, max) <= rw;
      if ((phase == dra::QnnPhase::CLAMP_LOW || phase == dra::QnnPhase::CLAMP_BOTH) && min_fits) {
        Term low = t.bv_const(min, rw);
        value = t.ite(t.mk(Kind::BV_SLT, {value, low}), low, value);
      }
      if ((phase == dra::QnnPhase::CLAMP_HIGH || phase == dra::QnnPhase::CLAMP_BOTH) && max_fits) {
        Term cap = t.bv_const(max, rw);
        value = t.ite(t.mk(Kind::BV_SLT, {cap, value}), cap, value);
      }
      if (!output && phase != dra::QnnPhase::LINEAR) ++splits;
      // The activation lies in [min, max]: its low bits hold it exactly (unsigned when min = 0).
      const bool is_signed = min < 0;
      uint32_t aw = std::min<uint32_t>(rw, is_signed ? signed_width(min, max) : unsigned_width(max));
      Term activation = t.variable("qnn_act_" + id(i, j), Sort::bitvec(aw));
      out.assertions.push_back(t.eq(activation, aw < rw ? t.mk(Kind::BV_EXTRACT, {value}, aw - 1, 0) : value));
      if (output) {
        if (link == RealLink::NONE) out.qnn_output_bv.push_back(scaled_value(t, activation, is_signed, grid));
        else out.qnn_output.push_back(real_of(t, activation, is_signed, grid, link));
        continue;
      }
      next.push_back({0, activation});
      if (link == RealLink::NONE) out.qnn_hidden_bv.back().push_back(scaled_value(t, activation, is_signed, grid));
      else out.qnn_hidden.back().push_back(real_of(t, activation, false, grid, link));
    }
    ops = std::move(next);
  }
  return splits;
}

std::size_t encode_qnn_integer(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out) {
  const quant::QNetwork& qnn = in.pair.qnn;
  // Exact accumulator ranges (sound whatever DRA mode ran): the rounding rules only need to hold there.
  std::vector<dra::QnnLayerIntervals> bounds =
      qnn.affine() ? dra::propagate_qnn_intervals(qnn, in.box, dra::Semantics::SOUND) : std::vector<dra::QnnLayerIntervals>{};
  std::vector<Operand> ops = input_operands(in, out, [&](std::size_t k, int64_t range) {
    Term d = t.variable("x_" + std::to_string(k), Sort::integer());
    out.assertions.push_back(t.mk(Kind::GE, {d, t.int_const(0)}));
    out.assertions.push_back(t.mk(Kind::LE, {d, t.int_const(range)}));
    return d;
  });
  std::size_t splits = 0;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    const bool output = qnn.is_output(i), quantized = qnn.quantized(i);
    const Rational grid = quantized ? qnn.step(i) : Rational(0);
    if (!output) out.qnn_hidden.emplace_back(), out.qnn_pre.emplace_back();
    std::vector<Operand> next;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      if (!output && phase_of(in, i, j) == dra::QnnPhase::CONSTANT) {
        next.push_back({constant_value(in, i, j), std::nullopt});
        out.qnn_hidden.back().push_back(t.real_const(grid * constant_value(in, i, j)));
        out.qnn_pre.back().push_back(std::nullopt);
        continue;
      }
      BigInt constant = BigInt(layer.bias[j]) << qnn.bias_shift(i);
      std::vector<Term> terms;
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        int64_t weight = layer.weight(j, k);
        if (weight == 0) continue;
        constant += BigInt(weight) * ops[k].offset;
        if (ops[k].term) terms.push_back(weight == 1 ? *ops[k].term : t.scale(Rational(weight), *ops[k].term));
      }
      terms.push_back(t.int_const(Rational(constant)));
      Term acc = t.variable("qnn_acc_" + id(i, j), Sort::integer());
      out.assertions.push_back(t.eq(acc, t.add(terms)));
      if (!quantized) {
        // A real output: acc / 2^F (power of two) or S acc + c (affine).
        Term real = t.scale(qnn.acc_scale(i, j), t.mk(Kind::TO_REAL, {acc}));
        Rational offset = qnn.acc_offset(i, j);
        out.qnn_output.push_back(offset == 0 ? real : t.add({real, t.real_const(offset)}));
        continue;
      }
      const int e = qnn.affine() ? 0 : qnn.activation_shift(i);
      Term rounded = acc;
      if (qnn.affine()) {
        rounded = t.variable("qnn_round_" + id(i, j), Sort::integer());
        const quant::RoundingRule rule = quant::narrow_rounding_rule(qnn.rounding_rule(i, j), bounds[i].acc_lo[j], bounds[i].acc_hi[j]);
        round_half_even_int(t, acc, rounded, rule, "qnn_half_" + id(i, j), out.assertions);
      } else if (e > 0) {
        // r = floor((acc + 2^(e-1)) / 2^e) as two linear constraints on an integer r.
        rounded = t.variable("qnn_round_" + id(i, j), Sort::integer());
        Rational step = Rational(BigInt(1) << e);
        Term shifted = t.add({acc, t.int_const(Rational(BigInt(1) << (e - 1)))});
        Term scaled = t.scale(step, rounded);
        out.assertions.push_back(t.mk(Kind::LE, {scaled, shifted}));
        out.assertions.push_back(t.mk(Kind::LE, {shifted, t.add({scaled, t.int_const(step - 1)})}));
      }
      if (!output) {
        out.qnn_pre.back().push_back(rounded);
        const dra::LayerReport& r = in.dra.layers[i];
        out.assertions.push_back(t.mk(Kind::GE, {rounded, t.int_const(r.qnn_pre_lo[j])}));
        out.assertions.push_back(t.mk(Kind::LE, {rounded, t.int_const(r.qnn_pre_hi[j])}));
      }
      dra::QnnPhase phase = clamp_phase(in, i, j);
      Term value = rounded;
      if (phase == dra::QnnPhase::CLAMP_LOW || phase == dra::QnnPhase::CLAMP_BOTH) {
        Term low = t.int_const(qnn.clamp_lo(i));
        value = t.ite(t.mk(Kind::LT, {value, low}), low, value);
      }
      if (phase == dra::QnnPhase::CLAMP_HIGH || phase == dra::QnnPhase::CLAMP_BOTH) {
        Term cap = t.int_const(qnn.clamp_hi(i));
        value = t.ite(t.mk(Kind::GT, {value, cap}), cap, value);
      }
      Term activation = t.variable("qnn_act_" + id(i, j), Sort::integer());
      out.assertions.push_back(t.eq(activation, value));
      Term real = t.scale(grid, t.mk(Kind::TO_REAL, {activation}));
      if (output) {
        out.qnn_output.push_back(real);
        continue;
      }
      if (phase != dra::QnnPhase::LINEAR) ++splits;
      next.push_back({0, activation});
      out.qnn_hidden.back().push_back(real);
    }
    ops = std::move(next);
  }
  return splits;
}

std::vector<Term> dnn_inputs(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out,
                             const std::function<Term(Term)>& real_value) {
  std::vector<Term> x;
  const Rational inverse = Rational(1) / in.pair.input_scale;
  for (std::size_t k = 0; k < in.box.dimension(); ++k) {
    Term offset = t.real_const(in.pair.dnn_input(out.input_offset[k]));
    if (!out.input_vars[k]) {
      x.push_back(offset);
      continue;
    }
    Term v = t.variable("dnn_x_" + std::to_string(k), Sort::real());
    out.assertions.push_back(t.eq(v, t.add({offset, t.scale(inverse, real_value(*out.input_vars[k]))})));
    x.push_back(v);
  }
  return x;
}

}  // namespace qeb::encodings
