#include "lp/activation_link.h"

#include <algorithm>
#include <cmath>

#include "dra/interval.h"

namespace qeb::lp {

namespace {
using dra::down;
using dra::up;

// s rounded to a multiple of 2^-52 within [0, 1]: then 1 - s is a double exactly, so rows that
// merge a column's two coefficients (step (1 - s), s - 1) state the line they mean.
double grid_slope(double s) { return std::clamp(std::ldexp(std::nearbyint(std::ldexp(s, 52)), -52), 0.0, 1.0); }
}  // namespace

// One-signed ranges: the function is 0 or d itself, met exactly by slope 0 or 1 and offset 0.
// Otherwise the chord: max(0, d) - s d is convex, so its largest value on [lo, hi] is at an end,
// -s lo or (1 - s) hi, each rounded up.
LinkLine upper_link(double lo, double hi) {
  if (lo >= 0) return {1, 0};
  if (hi <= 0) return {0, 0};
  const double s = grid_slope(hi / (hi - lo));
  return {s, std::max(up(-down(s * lo)), up((1 - s) * hi))};
}

// min(0, d) - s d is concave, so its least value on [lo, hi] is at an end: (1 - s) lo or -s hi,
// each rounded down.
LinkLine lower_link(double lo, double hi) {
  if (hi <= 0) return {1, 0};
  if (lo >= 0) return {0, 0};
  const double s = grid_slope(-lo / (hi - lo));
  return {s, std::min(down((1 - s) * lo), -up(s * hi))};
}

}  // namespace qeb::lp
