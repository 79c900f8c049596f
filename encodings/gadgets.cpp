#include "encodings/gadgets.h"

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
      // DRA's sound bounds, redundant but they help the arithmetic solver.
      out.assertions.push_back(t.mk(Kind::GE, {pre, t.real_const(rational_from_double(bounds.dnn_pre[j].lo))}));
      out.assertions.push_back(t.mk(Kind::LE, {pre, t.real_const(rational_from_double(bounds.dnn_pre[j].hi))}));
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

void add_difference_cuts(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out) {
  if (!in.difference_cuts) return;
  for (std::size_t i = 0; i < out.qnn_hidden.size(); ++i)
    for (std::size_t j = 0; j < out.qnn_hidden[i].size(); ++j) {
      const dra::Interval& d = in.dra.layers[i].delta[j];
      Term diff = t.mk(Kind::SUB, {out.qnn_hidden[i][j], out.dnn_hidden[i][j]});
      out.assertions.push_back(t.mk(Kind::GE, {diff, t.real_const(rational_from_double(d.lo))}));
      out.assertions.push_back(t.mk(Kind::LE, {diff, t.real_const(rational_from_double(d.hi))}));
    }
}

}  // namespace qeb::encodings
