// Closed real intervals with outward-rounded arithmetic helpers.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

namespace qeb::dra {

struct Interval {
  double lo = 0, hi = 0;

  double width() const { return hi - lo; }
  bool contains(double v) const { return lo <= v && v <= hi; }
  /** The intersection (the caller knows both contain the true value, so it is never empty in exact arithmetic). */
  Interval meet(const Interval& other) const { return {std::max(lo, other.lo), std::min(hi, other.hi)}; }
  bool operator==(const Interval&) const = default;
};

/** One ulp toward -inf / +inf: turns a round-to-nearest result into a sound lower / upper bound. */
inline double down(double v) { return std::nextafter(v, -std::numeric_limits<double>::infinity()); }
inline double up(double v) { return std::nextafter(v, std::numeric_limits<double>::infinity()); }

/** Unit roundoff of double and Higham's gamma_n = n u / (1 - n u): the error factor of an n-term sum. */
constexpr double kUnitRoundoff = 0x1p-53;
inline double gamma(std::size_t n) { return double(n) * kUnitRoundoff / (1 - double(n) * kUnitRoundoff); }

/**
 * Accumulates a sum of products in double together with the sum of absolute values, so the
 * result can be widened by the rigorous error bound gamma_{n+1} * sum|terms|.
 */
class OutwardSum {
 public:
  void add(double term) {
    d_sum += term;
    d_abs += std::fabs(term);
    ++d_terms;
  }
  double value() const { return d_sum; }
  /** A bound on |value() - exact sum| (terms being exact or each off by one rounding). */
  double error() const { return gamma(2 * d_terms + 2) * d_abs * (1 + 1e-6) + 1e-300; }
  double lower() const { return d_sum - error(); }
  double upper() const { return d_sum + error(); }

 private:
  double d_sum = 0, d_abs = 0;
  std::size_t d_terms = 0;
};

}  // namespace qeb::dra
