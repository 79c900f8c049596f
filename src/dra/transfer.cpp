#include "dra/transfer.h"

namespace qeb::dra {

namespace {

double clamp(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }

// The case table. Subtractions round outward (down() on lower ends, up() on upper ends).
Interval case_table(const Interval& p, const Interval& q, const Interval& d, double t) {
  const double l = p.lo, u = p.hi, lq = q.lo, uq = q.hi, dl = d.lo, du = d.hi;
  if (u <= 0) return {clamp(lq, 0, t), clamp(uq, 0, t)};  // 1: DNN inactive
  if (l >= 0) {                                           // 2: DNN active
    if (lq >= 0 && uq <= t) return d;                                              // 2-3
    if (uq <= 0 || lq >= t) return {down(clamp(lq, 0, t) - u), up(clamp(uq, 0, t) - l)};  // 2-1, 2-2
    if (lq < 0 && uq <= t) return {std::max(dl, -u), std::max(du, -l)};           // 2-4
    if (lq >= 0 && uq > t) return {std::min(dl, down(t - u)), std::min(du, up(t - l))};  // 2-5
    return {std::max(-u, std::min(dl, down(t - u))), std::max(-l, std::min(du, up(t - l)))};  // 2-6
  }
  // 3: DNN unstable (l < 0 < u)
  if (lq >= 0 && uq <= t) return {std::min(lq, dl), std::min(uq, du)};               // 3-3
  if (lq >= t || uq <= 0) return {down(clamp(lq, 0, t) - u), clamp(uq, 0, t)};       // 3-1, 3-2
  if (lq < 0 && uq <= t) return {dl >= 0 ? 0.0 : std::max(dl, -u), du <= 0 ? 0.0 : std::min(du, uq)};  // 3-4
  if (lq >= 0 && uq > t) return {std::min({dl, lq, down(t - u)}), std::min(du, t)};  // 3-5
  return {std::min({down(t - u), 0.0, std::max(dl, -u)}), clamp(du, 0, t)};          // 3-6
}

}  // namespace

Interval activation_transfer(const Interval& dnn_pre, const Interval& qnn_pre, const Interval& delta_in, double t,
                             Semantics semantics) {
  Interval result = case_table(dnn_pre, qnn_pre, delta_in, t);
  if (semantics == Semantics::PUBLISHED) return result;
  Interval naive{down(clamp(qnn_pre.lo, 0, t) - std::max(dnn_pre.hi, 0.0)),
                 up(clamp(qnn_pre.hi, 0, t) - std::max(dnn_pre.lo, 0.0))};
  return result.meet(naive);
}

Interval output_transfer(const Interval& dnn_out, const Interval& qnn_out, const Interval& delta_in,
                         Semantics semantics, const std::optional<Interval>& clamp) {
  if (clamp) {
    const double a = clamp->lo, b = clamp->hi, l = dnn_out.lo, u = dnn_out.hi;
    Interval result{std::min(std::max(delta_in.lo, down(a - u)), down(b - u)),
                    std::min(std::max(delta_in.hi, up(a - l)), up(b - l))};
    if (semantics == Semantics::PUBLISHED) return result;
    const double lq = std::min(std::max(qnn_out.lo, a), b), uq = std::min(std::max(qnn_out.hi, a), b);
    return result.meet({down(lq - u), up(uq - l)});
  }
  if (semantics == Semantics::PUBLISHED) return delta_in;
  return delta_in.meet({down(qnn_out.lo - dnn_out.hi), up(qnn_out.hi - dnn_out.lo)});
}

}  // namespace qeb::dra
