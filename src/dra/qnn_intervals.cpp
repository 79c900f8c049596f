#include "dra/qnn_intervals.h"

#include <algorithm>
#include <cmath>

#include "dra/dra_result.h"
#include "eval/eval_qnn.h"

namespace qeb::dra {

namespace {
// Pre-activation integers beyond +-2^62 only matter through the clamp; keep them in 64 bits.
int64_t saturate(i128 v) { return int64_t(std::clamp<i128>(v, -(i128(1) << 62), i128(1) << 62)); }
}  // namespace

Interval rational_interval(const Rational& lo, const Rational& hi) {
  double l = to_double(lo), h = to_double(hi);
  if (rational_from_double(l) > lo) l = down(l);
  if (rational_from_double(h) < hi) h = up(h);
  return {l, h};
}

Interval dyadic_interval(i128 lo, i128 hi, int f) {
  // Converting a 128-bit integer to double rounds to nearest; one ulp outward makes it a bound.
  double l = std::ldexp(double(lo), -f), h = std::ldexp(double(hi), -f);
  if (i128(double(lo)) != lo) l = down(l);
  if (i128(double(hi)) != hi) h = up(h);
  return {l, h};
}

std::vector<QnnLayerIntervals> propagate_qnn_intervals(const quant::QNetwork& qnn, const spec::Box& box,
                                                       Semantics semantics) {
  return propagate_qnn_intervals(qnn, box, semantics, nullptr, nullptr);
}

std::vector<QnnLayerIntervals> propagate_qnn_intervals(const quant::QNetwork& qnn, const spec::Box& box,
                                                       Semantics semantics, const std::vector<LayerReport>* within,
                                                       bool* empty) {
  std::vector<QnnLayerIntervals> out;
  std::vector<int64_t> in_lo = box.lo, in_hi = box.hi;
  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const quant::QLayer& layer = qnn.layers[i];
    QnnLayerIntervals r;
    r.acc_lo.resize(layer.outputs);
    r.acc_hi.resize(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      i128 lo = qnn.acc_constant(i, j), hi = lo;
      for (std::size_t k = 0; k < layer.inputs; ++k) {
        int64_t w = layer.weight(j, k);
        lo = checked_add(lo, checked_mul(w, w >= 0 ? in_lo[k] : in_hi[k]));
        hi = checked_add(hi, checked_mul(w, w >= 0 ? in_hi[k] : in_lo[k]));
      }
      r.acc_lo[j] = lo;
      r.acc_hi[j] = hi;
    }
    if (qnn.is_output(i) && !qnn.quantized(i)) {
      for (std::size_t j = 0; j < layer.outputs; ++j) {
        if (qnn.affine()) {
          r.real_pre.push_back(rational_interval(qnn.output_value(j, r.acc_lo[j]), qnn.output_value(j, r.acc_hi[j])));
        } else if (semantics == Semantics::PUBLISHED) {
          int frac = qnn.acc_frac_bits(i);
          int unit = qnn.input_frac_bits(i);  // the previous layer's grid (F_h in the artifact)
          int e = frac - unit;
          r.real_pre.push_back(dyadic_interval(eval::round_half_up_shift(r.acc_lo[j], e),
                                               eval::round_half_up_shift(r.acc_hi[j], e), unit));
        } else {
          r.real_pre.push_back(dyadic_interval(r.acc_lo[j], r.acc_hi[j], qnn.acc_frac_bits(i)));
        }
      }
      r.real_post = r.real_pre;
      out.push_back(std::move(r));
      break;
    }
    const int64_t clamp_lo = qnn.clamp_lo(i), clamp_hi = qnn.clamp_hi(i);
    const Rational step = qnn.step(i);
    const int frac = qnn.affine() ? 0 : layer.activation_format->frac_bits;
    auto real = [&](i128 lo, i128 hi) {
      return qnn.affine() ? rational_interval(dyadic(lo, 0) * step, dyadic(hi, 0) * step) : dyadic_interval(lo, hi, frac);
    };
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      // Rounding and clamping are monotone, so the ends map to the ends.
      i128 pre_lo = qnn.rounded(i, j, r.acc_lo[j]);
      i128 pre_hi = qnn.rounded(i, j, r.acc_hi[j]);
      if (within && !qnn.is_output(i)) {
        pre_lo = std::max<i128>(pre_lo, (*within)[i].qnn_pre_lo[j]);
        pre_hi = std::min<i128>(pre_hi, (*within)[i].qnn_pre_hi[j]);
        if (pre_lo > pre_hi) {
          *empty = true;
          pre_hi = pre_lo;  // keep the rest well-formed; the caller discards it
        }
      }
      r.pre_lo.push_back(saturate(pre_lo));
      r.pre_hi.push_back(saturate(pre_hi));
      r.post_lo.push_back(int64_t(std::clamp<i128>(pre_lo, clamp_lo, clamp_hi)));
      r.post_hi.push_back(int64_t(std::clamp<i128>(pre_hi, clamp_lo, clamp_hi)));
      r.real_pre.push_back(real(pre_lo, pre_hi));
      r.real_post.push_back(real(r.post_lo.back(), r.post_hi.back()));
    }
    if (qnn.is_output(i)) {
      out.push_back(std::move(r));
      break;
    }
    in_lo = r.post_lo;
    in_hi = r.post_hi;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace qeb::dra
