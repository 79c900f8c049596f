#include "dra/relaxations.h"

#include <cmath>

namespace qeb::dra {

namespace {

DiagonalStep sized(const std::vector<Interval>& pre) {
  DiagonalStep s;
  std::size_t n = pre.size();
  s.lower_slope.assign(n, 0);
  s.lower_const.assign(n, 0);
  s.upper_slope.assign(n, 0);
  s.upper_const.assign(n, 0);
  s.input_magnitude.resize(n);
  for (std::size_t j = 0; j < n; ++j) s.input_magnitude[j] = std::max(std::fabs(pre[j].lo), std::fabs(pre[j].hi));
  return s;
}

void identity(DiagonalStep& s, std::size_t j) {
  s.lower_slope[j] = s.upper_slope[j] = 1;
  s.lower_const[j] = s.upper_const[j] = 0;
}

// Upper chord of a convex function through (l, f_l) and (u, f_u): slope rounded up over a width
// rounded down, offset rounded up, so the line stays above both end points, hence above f on [l, u].
void upper_chord(DiagonalStep& s, std::size_t j, double l, double u, double f_l, double f_u) {
  double slope = up((f_u - f_l) / down(u - l));
  s.upper_slope[j] = slope;
  // offset >= f_l - slope*l and >= f_u - slope*u
  s.upper_const[j] = std::max(up(f_l - down(slope * l)), up(f_u - down(slope * u)));
}

// Lower chord of a concave function through (l, f_l) and (u, f_u), offset rounded down.
void lower_chord(DiagonalStep& s, std::size_t j, double l, double u, double f_l, double f_u) {
  double slope = (f_u - f_l) / (u - l);
  s.lower_slope[j] = slope;
  s.lower_const[j] = std::min(down(f_l - up(slope * l)), down(f_u - up(slope * u)));
}

}  // namespace

DiagonalStep relu_step(const std::vector<Interval>& pre) {
  DiagonalStep s = sized(pre);
  for (std::size_t j = 0; j < pre.size(); ++j) {
    double l = pre[j].lo, u = pre[j].hi;
    if (l >= 0) {
      identity(s, j);
    } else if (u <= 0) {
      continue;  // constant zero
    } else {
      upper_chord(s, j, l, u, 0.0, u);
      if (l + u > 0) s.lower_slope[j] = 1;
    }
  }
  return s;
}

DiagonalStep rounding_step(const std::vector<Interval>& pre, double rho) {
  DiagonalStep s = sized(pre);
  for (std::size_t j = 0; j < pre.size(); ++j) {
    identity(s, j);
    s.lower_const[j] = -rho;
    s.upper_const[j] = rho;
  }
  return s;
}

DiagonalStep min_cap_step(const std::vector<Interval>& pre, double cap, double grid) {
  DiagonalStep s = sized(pre);
  for (std::size_t j = 0; j < pre.size(); ++j) {
    double l = pre[j].lo, u = pre[j].hi;
    if (u <= cap) {
      identity(s, j);
    } else if (l >= cap) {
      s.lower_const[j] = s.upper_const[j] = cap;
    } else {
      lower_chord(s, j, l, u, l, cap);
      if (l + u >= 2 * (cap - grid)) s.upper_const[j] = cap;
      else s.upper_slope[j] = 1;
    }
  }
  return s;
}

}  // namespace qeb::dra
