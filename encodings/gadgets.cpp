#include "encodings/gadgets.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace qeb::encodings {

using smt::Kind;
using smt::Sort;
using smt::Term;

uint32_t signed_width(const BigInt& lo, const BigInt& hi) {
  uint32_t w = 1;
  // [-2^(w-1), 2^(w-1) - 1] must contain [lo, hi].
  while (!(lo >= -(BigInt(1) << (w - 1)) && hi <= (BigInt(1) << (w - 1)) - 1)) ++w;
  return w;
}

Rational fact_constant(double v, bool lower, int bits) {
  if (bits <= 0) return rational_from_double(v);
  double scaled = std::ldexp(v, bits);  // exact: a power-of-two scaling
  if (!std::isfinite(scaled)) return rational_from_double(v);
  return rational_from_double(lower ? std::floor(scaled) : std::ceil(scaled)) * dyadic(1, bits);
}

uint32_t unsigned_width(const BigInt& hi) {
  uint32_t w = 1;
  while (hi > (BigInt(1) << w) - 1) ++w;
  return w;
}

Term bits_to_real(smt::TermManager& t, Term bv, bool is_signed, const Rational& scale) {
  uint32_t w = t.sort(bv).width;
  Term one = t.bv_const(1, 1), zero = t.real_const(0);
  std::vector<Term> parts;
  for (uint32_t b = 0; b < w; ++b) {
    Rational weight = scale * Rational(BigInt(1) << b);
    if (is_signed && b + 1 == w) weight = -weight;
    Term bit = t.mk(Kind::BV_EXTRACT, {bv}, b, b);
    parts.push_back(t.ite(t.eq(bit, one), t.real_const(weight), zero));
  }
  return t.add(parts);
}

Term nat_to_real(smt::TermManager& t, Term bv, const Rational& scale) {
  Term real = t.mk(Kind::TO_REAL, {t.mk(Kind::BV_TO_NAT, {bv})});
  return scale == 1 ? real : t.scale(scale, real);
}

std::size_t encode_dnn(smt::TermManager& t, const EncodingInput& in, const std::vector<Term>& real_inputs,
                       NetworkEncoding& out) {
  const model::Network& dnn = in.pair.dnn;
  std::vector<Term> current = real_inputs;
  std::size_t splits = 0;
  Term zero = t.real_const(0);
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& layer = dnn.layers[i];
    const dra::LayerReport& bounds = in.dra.layers[i];
    std::vector<Term> next;
    if (layer.relu) out.dnn_hidden.emplace_back();
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      // Constant inputs (fixed coordinates, inactive neurons) fold into the bias exactly.
      Rational constant = rational_from_double(layer.bias[j]);
      std::vector<Term> terms;
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        double w = layer.weight(j, k);
        if (w == 0) continue;
        const smt::Node& x = t.node(current[k]);
        if (x.kind == Kind::CONST_ARITH) constant += rational_from_double(w) * x.value;
        else terms.push_back(t.scale(rational_from_double(w), current[k]));
      }
      terms.push_back(t.real_const(constant));
      Term sum = t.add(terms);
      if (!layer.relu) {
        out.dnn_output.push_back(sum);
        continue;
      }
      std::string id = std::to_string(i + 1) + "_" + std::to_string(j);
      Term pre = t.variable("dnn_pre_" + id, Sort::real());
      out.assertions.push_back(t.eq(pre, sum));
      if (out.dnn_pre.size() <= i) out.dnn_pre.resize(i + 1);
      out.dnn_pre[i].push_back(pre);
      // DRA's sound bounds, redundant but they help the arithmetic solver.
      out.assertions.push_back(t.mk(Kind::GE, {pre, t.real_const(fact_constant(bounds.dnn_pre[j].lo, true, in.fact_bits))}));
      out.assertions.push_back(t.mk(Kind::LE, {pre, t.real_const(fact_constant(bounds.dnn_pre[j].hi, false, in.fact_bits))}));
      dra::DnnPhase phase = in.prune ? bounds.dnn_phase[j] : dra::DnnPhase::UNSTABLE;
      if (phase == dra::DnnPhase::ACTIVE) {
        next.push_back(pre);
      } else if (phase == dra::DnnPhase::INACTIVE) {
        next.push_back(zero);
      } else {
        Term post = t.variable("dnn_post_" + id, Sort::real());
        out.assertions.push_back(t.eq(post, t.ite(t.mk(Kind::GE, {pre, zero}), pre, zero)));
        next.push_back(post);
        ++splits;
      }
      out.dnn_hidden.back().push_back(next.back());
    }
    current = std::move(next);
  }
  return splits;
}

namespace {

// The value of v's bits as a signed bit-vector of width `width` (>= its own, +1 if unsigned).
Term extend_signed(smt::TermManager& t, const ScaledBv& v, uint32_t width) {
  uint32_t w = t.sort(v.bits).width;
  if (width == w) return v.bits;
  return t.mk(v.is_signed ? Kind::BV_SIGN_EXTEND : Kind::BV_ZERO_EXTEND, {v.bits}, width - w);
}

uint32_t signed_bits(const smt::TermManager& t, const ScaledBv& v) { return t.sort(v.bits).width + (v.is_signed ? 0 : 1); }

}  // namespace

ScaledBv bv_difference(smt::TermManager& t, const ScaledBv& a, const ScaledBv& b) {
  const BigInt l = boost::multiprecision::lcm(a.denominator, b.denominator);
  const BigInt ca = l / a.denominator, cb = l / b.denominator;
  // |a| <= 2^(wa-1) and ca < 2^uw(ca): a * ca fits in wa + uw(ca) signed bits; the difference in one more.
  auto scaled_width = [&](const ScaledBv& v, const BigInt& c) {
    return signed_bits(t, v) + (c == 1 ? 0 : unsigned_width(c));
  };
  const uint32_t w = std::max(scaled_width(a, ca), scaled_width(b, cb)) + 1;
  auto scaled = [&](const ScaledBv& v, const BigInt& c) {
    Term x = extend_signed(t, v, w);
    return c == 1 ? x : t.mk(Kind::BV_MUL, {t.bv_const(c, w), x});
  };
  return {t.mk(Kind::BV_SUB, {scaled(a, ca), scaled(b, cb)}), true, l};
}

Term bv_compare(smt::TermManager& t, const ScaledBv& v, Relation relation, const Rational& c) {
  const Rational scaled = c * Rational(v.denominator);
  const BigInt k = relation == Relation::GT || relation == Relation::LE ? floor_of(scaled) : ceil_of(scaled);
  const uint32_t w = std::max(signed_bits(t, v), signed_width(k, k));
  Term x = extend_signed(t, v, w), constant = t.bv_const(k, w);
  switch (relation) {
    case Relation::GT: return t.mk(Kind::BV_SLT, {constant, x});
    case Relation::GE: return t.mk(Kind::BV_SLE, {constant, x});
    case Relation::LT: return t.mk(Kind::BV_SLT, {x, constant});
    case Relation::LE: return t.mk(Kind::BV_SLE, {x, constant});
  }
  throw std::logic_error("bv_compare: bad relation");
}

void add_difference_cuts(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out) {
  if (!in.difference_cuts) return;
  if (out.scaled_bitvectors) {
    for (std::size_t i = 0; i < out.qnn_hidden_bv.size(); ++i)
      for (std::size_t j = 0; j < out.qnn_hidden_bv[i].size(); ++j) {
        const dra::Interval& d = in.dra.layers[i].delta[j];
        ScaledBv diff = bv_difference(t, out.qnn_hidden_bv[i][j], out.dnn_hidden_bv[i][j]);
        out.assertions.push_back(bv_compare(t, diff, Relation::GE, fact_constant(d.lo, true, in.fact_bits)));
        out.assertions.push_back(bv_compare(t, diff, Relation::LE, fact_constant(d.hi, false, in.fact_bits)));
      }
    return;
  }
  for (std::size_t i = 0; i < out.qnn_hidden.size(); ++i)
    for (std::size_t j = 0; j < out.qnn_hidden[i].size(); ++j) {
      const dra::Interval& d = in.dra.layers[i].delta[j];
      Term diff = t.mk(Kind::SUB, {out.qnn_hidden[i][j], out.dnn_hidden[i][j]});
      out.assertions.push_back(t.mk(Kind::GE, {diff, t.real_const(fact_constant(d.lo, true, in.fact_bits))}));
      out.assertions.push_back(t.mk(Kind::LE, {diff, t.real_const(fact_constant(d.hi, false, in.fact_bits))}));
    }
}

}  // namespace qeb::encodings
