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
  int64_t max = in.pair.qnn.layers[i].activation_format->max_int();
  return std::clamp<int64_t>(in.dra.layers[i].qnn_pre_lo[j], 0, max);
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
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    const bool output = qnn.is_output(i);
    const int e = output ? 0 : qnn.activation_shift(i);
    const Rational grid = output ? Rational(0) : dyadic(1, layer.activation_format->frac_bits);
    const bool reals = link != RealLink::NONE;
    const BigInt grid_denominator = output ? BigInt(1) : BigInt(1) << layer.activation_format->frac_bits;
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
        else out.qnn_hidden_bv.back().push_back({t.bv_const(value, unsigned_width(value)), false, grid_denominator});
        continue;
      }
      BigInt lo(qeb::to_string(bounds[i].acc_lo[j])), hi(qeb::to_string(bounds[i].acc_hi[j]));
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
      if (output) {
        Rational scale = dyadic(1, qnn.acc_frac_bits(i));
        if (link == RealLink::NONE) {
          out.qnn_output_bv.push_back({acc, true, BigInt(1) << qnn.acc_frac_bits(i)});
        } else if (link == RealLink::BITWISE) {
          out.qnn_output.push_back(bits_to_real(t, acc, true, scale));
        } else {
          // Signed value = bv2nat(acc) - 2^w * sign bit.
          Term sign = t.mk(Kind::BV_EXTRACT, {acc}, w - 1, w - 1);
          Term correction = t.ite(t.eq(sign, t.bv_const(1, 1)), t.real_const(-scale * Rational(BigInt(1) << w)),
                                  t.real_const(0));
          out.qnn_output.push_back(t.add({nat_to_real(t, acc, scale), correction}));
        }
        continue;
      }
      // floor(acc / 2^e + 1/2) by arithmetic shift; w leaves room for the + 2^(e-1).
      Term rounded = e == 0 ? acc : t.mk(Kind::BV_ASHR, {t.mk(Kind::BV_ADD, {acc, t.bv_const(BigInt(1) << (e - 1), w)})}, e);
      const int64_t max = layer.activation_format->max_int();
      const dra::LayerReport& r = in.dra.layers[i];
      // DRA's sound rounded pre-activation bounds, as redundant facts.
      BigInt pre_lo = std::max<BigInt>(BigInt(r.qnn_pre_lo[j]), -(BigInt(1) << (w - 1)));
      BigInt pre_hi = std::min<BigInt>(BigInt(r.qnn_pre_hi[j]), (BigInt(1) << (w - 1)) - 1);
      out.assertions.push_back(t.mk(Kind::BV_SLE, {t.bv_const(pre_lo, w), rounded}));
      out.assertions.push_back(t.mk(Kind::BV_SLE, {rounded, t.bv_const(pre_hi, w)}));
      dra::QnnPhase phase = phase_of(in, i, j);
      Term value = rounded;
      const uint32_t max_width = signed_width(0, max);
      const bool max_fits = max_width <= w;
      if (phase == dra::QnnPhase::CLAMP_LOW || phase == dra::QnnPhase::CLAMP_BOTH) {
        Term zero = t.bv_const(0, w);
        value = t.ite(t.mk(Kind::BV_SLT, {value, zero}), zero, value);
      }
      if ((phase == dra::QnnPhase::CLAMP_HIGH || phase == dra::QnnPhase::CLAMP_BOTH) && max_fits) {
        Term cap = t.bv_const(max, w);
        value = t.ite(t.mk(Kind::BV_SLT, {cap, value}), cap, value);
      }
      if (phase != dra::QnnPhase::LINEAR) ++splits;
      // The activation lies in [0, max]: its low bits hold it exactly.
      uint32_t aw = std::min<uint32_t>(w, unsigned_width(max));
      Term activation = t.variable("qnn_act_" + id(i, j), Sort::bitvec(aw));
      out.assertions.push_back(t.eq(activation, aw < w ? t.mk(Kind::BV_EXTRACT, {value}, aw - 1, 0) : value));
      next.push_back({0, activation});
      if (link == RealLink::NONE) out.qnn_hidden_bv.back().push_back({activation, false, grid_denominator});
      else out.qnn_hidden.back().push_back(link == RealLink::BITWISE ? bits_to_real(t, activation, false, grid)
                                                                     : nat_to_real(t, activation, grid));
    }
    ops = std::move(next);
  }
  return splits;
}

std::size_t encode_qnn_integer(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out) {
  const quant::QNetwork& qnn = in.pair.qnn;
  std::vector<Operand> ops = input_operands(in, out, [&](std::size_t k, int64_t range) {
    Term d = t.variable("x_" + std::to_string(k), Sort::integer());
    out.assertions.push_back(t.mk(Kind::GE, {d, t.int_const(0)}));
    out.assertions.push_back(t.mk(Kind::LE, {d, t.int_const(range)}));
    return d;
  });
  std::size_t splits = 0;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    const bool output = qnn.is_output(i);
    const Rational grid = output ? Rational(0) : dyadic(1, layer.activation_format->frac_bits);
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
      if (output) {
        out.qnn_output.push_back(t.scale(dyadic(1, qnn.acc_frac_bits(i)), t.mk(Kind::TO_REAL, {acc})));
        continue;
      }
      const int e = qnn.activation_shift(i);
      Term rounded = acc;
      if (e > 0) {
        // r = floor((acc + 2^(e-1)) / 2^e) as two linear constraints on an integer r.
        rounded = t.variable("qnn_round_" + id(i, j), Sort::integer());
        Rational step = Rational(BigInt(1) << e);
        Term shifted = t.add({acc, t.int_const(Rational(BigInt(1) << (e - 1)))});
        Term scaled = t.scale(step, rounded);
        out.assertions.push_back(t.mk(Kind::LE, {scaled, shifted}));
        out.assertions.push_back(t.mk(Kind::LE, {shifted, t.add({scaled, t.int_const(step - 1)})}));
      }
      out.qnn_pre.back().push_back(rounded);
      const dra::LayerReport& r = in.dra.layers[i];
      out.assertions.push_back(t.mk(Kind::GE, {rounded, t.int_const(r.qnn_pre_lo[j])}));
      out.assertions.push_back(t.mk(Kind::LE, {rounded, t.int_const(r.qnn_pre_hi[j])}));
      dra::QnnPhase phase = phase_of(in, i, j);
      Term value = rounded;
      if (phase == dra::QnnPhase::CLAMP_LOW || phase == dra::QnnPhase::CLAMP_BOTH) {
        Term zero = t.int_const(0);
        value = t.ite(t.mk(Kind::LT, {value, zero}), zero, value);
      }
      if (phase == dra::QnnPhase::CLAMP_HIGH || phase == dra::QnnPhase::CLAMP_BOTH) {
        Term cap = t.int_const(layer.activation_format->max_int());
        value = t.ite(t.mk(Kind::GT, {value, cap}), cap, value);
      }
      if (phase != dra::QnnPhase::LINEAR) ++splits;
      Term activation = t.variable("qnn_act_" + id(i, j), Sort::integer());
      out.assertions.push_back(t.eq(activation, value));
      next.push_back({0, activation});
      out.qnn_hidden.back().push_back(t.scale(grid, t.mk(Kind::TO_REAL, {activation})));
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
    Term offset = t.real_const(Rational(out.input_offset[k]) * inverse);
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
