#include "lp/dual_bound.h"

#include <cmath>

#include "dra/interval.h"

namespace qeb::lp {

namespace {

using dra::down;
using dra::gamma;

// Sums terms that are each a lower bound of an exact quantity; lower() bounds the exact sum below.
class LowerSum {
 public:
  void add(double term) {
    if (term == -kInfinity) d_infinite = true;
    d_sum += term;
    d_abs += std::fabs(term);
    ++d_terms;
  }
  double lower() const {
    if (d_infinite) return -kInfinity;
    return down(d_sum - (gamma(d_terms + 1) * d_abs * (1 + 1e-9) + 1e-300));
  }

 private:
  double d_sum = 0, d_abs = 0;
  std::size_t d_terms = 0;
  bool d_infinite = false;
};

// A lower bound of min { d v : d in [dl, dh], v in [l, u] }.
double product_lower(double dl, double dh, double l, double u) {
  double best = kInfinity;
  for (double d : {dl, dh})
    for (double v : {l, u}) {
      if (d == 0) {
        best = std::min(best, 0.0);
        continue;
      }
      if (std::isinf(v)) {
        if ((d > 0) == (v > 0)) continue;  // +infinity: never the minimum
        return -kInfinity;
      }
      best = std::min(best, down(d * v));
    }
  return best;
}

}  // namespace

double rigorous_lower_bound(const LinearProgram& lp, const std::vector<double>& c, const std::vector<double>& y_in) {
  const std::size_t n = lp.columns(), m = lp.rows();
  // Multipliers usable with the row ends that exist.
  std::vector<double> y(m, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    double yi = i < y_in.size() ? y_in[i] : 0.0;
    if (!std::isfinite(yi)) continue;
    if ((yi > 0 && std::isfinite(lp.row_lo[i])) || (yi < 0 && std::isfinite(lp.row_hi[i]))) y[i] = yi;
  }
  // d = c - A^T y in double, with the sum of |terms| per column for its error bound.
  std::vector<double> d(c.begin(), c.end()), magnitude(n), count(n, 1.0);
  for (std::size_t j = 0; j < n; ++j) magnitude[j] = std::fabs(c[j]);
  for (std::size_t i = 0; i < m; ++i) {
    if (y[i] == 0) continue;
    for (std::size_t e = lp.row_start[i]; e < lp.row_start[i + 1]; ++e) {
      double t = lp.value[e] * y[i];
      d[lp.index[e]] -= t;
      magnitude[lp.index[e]] += std::fabs(t);
      count[lp.index[e]] += 1;
    }
  }
  LowerSum total;
  for (std::size_t i = 0; i < m; ++i) {
    if (y[i] > 0) total.add(down(y[i] * lp.row_lo[i]));
    else if (y[i] < 0) total.add(down(y[i] * lp.row_hi[i]));
  }
  for (std::size_t j = 0; j < n; ++j) {
    // Each product and each addition rounds once: gamma_{2k+1} covers them.
    double error = gamma(std::size_t(2 * count[j] + 1)) * magnitude[j] * (1 + 1e-9) + 1e-300;
    total.add(product_lower(down(d[j] - error), dra::up(d[j] + error), lp.col_lo[j], lp.col_hi[j]));
  }
  return total.lower();
}

std::optional<Rational> rigorous_minimum(const LinearProgram& lp, const Objective& objective,
                                         const std::vector<double>& y) {
  double bound = rigorous_lower_bound(lp, objective.dense(lp.columns()), y);
  if (!std::isfinite(bound)) return std::nullopt;
  return rational_from_double(bound) + objective.constant;
}

bool proves_infeasible(const LinearProgram& lp, const std::vector<double>& ray) {
  std::vector<double> zero(lp.columns(), 0.0), negated(ray.size());
  for (std::size_t i = 0; i < ray.size(); ++i) negated[i] = -ray[i];
  return rigorous_lower_bound(lp, zero, ray) > 0 || rigorous_lower_bound(lp, zero, negated) > 0;
}

}  // namespace qeb::lp
