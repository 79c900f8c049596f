// The DNN in exact integer bit-vector arithmetic (QF_BV). With the inputs of layer i holding
// H_k = h_k * S_(i-1) (integers) and the layer's weights and bias integers over 2^a, the
// pre-activation times S_i = S_(i-1) * 2^a is an integer; ReLU keeps integrality. S_0 folds in
// the input scale D = n/m: H_k = m * x̂_k, S_0 = n.
#include "encodings/bv_exact.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

#include "encodings/gadgets.h"
#include "encodings/qnn_encoders.h"

namespace qeb::encodings {

using smt::Kind;
using smt::Sort;
using smt::Term;

namespace {

// One integer input of a layer: offset + coefficient * (value of `term`), term in [0, term_hi].
struct ScaledOperand {
  BigInt offset = 0;
  BigInt coefficient = 1;
  std::optional<ScaledBv> term;  ///< non-negative: unsigned, or signed with a clear sign bit
  BigInt term_hi = 0;
};

// The k with v * 2^k an integer (v is a double, hence dyadic).
uint32_t dyadic_exponent(double v) {
  BigInt den = boost::multiprecision::denominator(rational_from_double(v));
  return den == 1 ? 0 : uint32_t(boost::multiprecision::msb(den));
}

BigInt to_integer(const Rational& r) {
  if (boost::multiprecision::denominator(r) != 1) throw std::logic_error("bv encoding: a scaled weight is not an integer");
  return boost::multiprecision::numerator(r);
}

std::size_t encode_dnn_bitvector(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out) {
  const model::Network& dnn = in.pair.dnn;
  const BigInt n = boost::multiprecision::numerator(in.pair.input_scale);
  const BigInt m = boost::multiprecision::denominator(in.pair.input_scale);
  if (n <= 0) throw std::logic_error("bv encoding: the input scale must be positive");
  std::vector<ScaledOperand> ops;
  for (std::size_t k = 0; k < in.box.dimension(); ++k) {
    ScaledOperand op{m * (out.input_offset[k] - in.pair.qnn.input_zero_point), m, std::nullopt, 0};
    if (out.input_vars[k]) op.term = ScaledBv{*out.input_vars[k], false, 1}, op.term_hi = in.box.hi[k] - in.box.lo[k];
    ops.push_back(op);
  }
  BigInt scale = n;  // S_(i-1)
  std::size_t splits = 0;
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& layer = dnn.layers[i];
    uint32_t a = 0;
    for (double w : layer.weights) a = std::max(a, dyadic_exponent(w));
    for (double b : layer.bias) a = std::max(a, dyadic_exponent(b));
    const Rational lift = Rational(BigInt(1) << a);
    const BigInt next_scale = scale << a;  // S_i
    const dra::LayerReport& dra_layer = in.dra.layers[i];
    if (layer.relu) out.dnn_hidden_bv.emplace_back();
    std::vector<ScaledOperand> next;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      BigInt constant = to_integer(rational_from_double(layer.bias[j]) * lift) * scale;
      struct Product {
        BigInt c;
        ScaledBv x;
      };
      std::vector<Product> products;
      // |every partial sum| <= bound, so the width of the bound means no operation overflows.
      BigInt bound = 0;
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        if (layer.weight(j, k) == 0) continue;
        BigInt w = to_integer(rational_from_double(layer.weight(j, k)) * lift);
        constant += w * ops[k].offset;
        if (!ops[k].term || ops[k].term_hi == 0) continue;
        BigInt c = w * ops[k].coefficient;
        products.push_back({c, *ops[k].term});
        bound += abs(c) * ops[k].term_hi;
      }
      bound += abs(constant);
      const uint32_t w = signed_width(-bound, bound);
      std::vector<Term> terms;
      for (const Product& p : products) {
        Term x = p.x.bits;
        uint32_t xw = t.sort(x).width;  // <= w: the operand's value is at most bound
        if (xw < w) x = t.mk(p.x.is_signed ? Kind::BV_SIGN_EXTEND : Kind::BV_ZERO_EXTEND, {x}, w - xw);
        terms.push_back(p.c == 1 ? x : t.mk(Kind::BV_MUL, {t.bv_const(p.c, w), x}));
      }
      if (constant != 0 || terms.empty()) terms.push_back(t.bv_const(constant, w));
      Term sum = balanced_sum(terms, [&](Term l, Term r) { return t.mk(Kind::BV_ADD, {l, r}); });
      if (!layer.relu) {
        out.dnn_output_bv.push_back({sum, true, next_scale});
        continue;
      }
      std::string id = std::to_string(i + 1) + "_" + std::to_string(j);
      Term pre = t.variable("dnn_pre_" + id, Sort::bitvec(w));
      out.assertions.push_back(t.eq(pre, sum));
      // DRA's sound bounds (outward-rounded doubles, exact here once scaled), within [-bound, bound].
      BigInt lo = std::max<BigInt>(-bound, -floor_of(-rational_from_double(dra_layer.dnn_pre[j].lo) * Rational(next_scale)));
      BigInt hi = std::min<BigInt>(bound, floor_of(rational_from_double(dra_layer.dnn_pre[j].hi) * Rational(next_scale)));
      out.assertions.push_back(t.mk(Kind::BV_SLE, {t.bv_const(lo, w), pre}));
      out.assertions.push_back(t.mk(Kind::BV_SLE, {pre, t.bv_const(hi, w)}));
      dra::DnnPhase phase = in.prune ? dra_layer.dnn_phase[j] : dra::DnnPhase::UNSTABLE;
      BigInt post_hi = std::max<BigInt>(hi, 0);
      if (phase == dra::DnnPhase::INACTIVE || post_hi == 0) {
        Term zero = t.bv_const(0, 1);
        next.push_back({0, 1, std::nullopt, 0});
        out.dnn_hidden_bv.back().push_back({zero, false, next_scale});
        continue;
      }
      Term post = pre;
      if (phase == dra::DnnPhase::UNSTABLE) {
        Term zero = t.bv_const(0, w);
        post = t.ite(t.mk(Kind::BV_SLT, {pre, zero}), zero, pre);
        ++splits;
      }
      // The activation lies in [0, post_hi] (asserted above): its low bits hold it exactly.
      const uint32_t aw = signed_width(0, post_hi);
      Term activation = t.variable("dnn_act_" + id, Sort::bitvec(aw));
      out.assertions.push_back(t.eq(activation, aw < w ? t.mk(Kind::BV_EXTRACT, {post}, aw - 1, 0) : post));
      ScaledBv value{activation, true, next_scale};
      next.push_back({0, 1, value, post_hi});
      out.dnn_hidden_bv.back().push_back(value);
    }
    ops = std::move(next);
    scale = next_scale;
  }
  return splits;
}

}  // namespace

NetworkEncoding BvExactEncoding::encode_impl(smt::TermManager& t, const EncodingInput& in) const {
  NetworkEncoding out;
  out.logic = "QF_BV";
  out.scaled_bitvectors = true;
  out.hidden_case_splits = encode_qnn_bitvector(t, in, RealLink::NONE, out);
  out.hidden_case_splits += encode_dnn_bitvector(t, in, out);
  add_difference_cuts(t, in, out);
  return out;
}

}  // namespace qeb::encodings
