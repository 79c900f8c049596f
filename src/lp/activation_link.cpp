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

// max(0, d) - s d is convex in d, so its largest value on [lo, hi] is at an end: -s lo or
// (1 - s) hi, each rounded up. The chord's slope makes the two equal.
LinkLine upper_link(double lo, double hi) {
  LinkLine line;
  if (lo >= 0) line.slope = 1;
  else if (hi > 0) line.slope = grid_slope(hi / (hi - lo));
  line.offset = std::max({up(-down(line.slope * lo)), up((1 - line.slope) * hi), 0.0});
  if (hi <= 0 && line.slope == 0) line.offset = 0;  // max(0, d) = 0 on the whole range
  return line;
}

// min(0, d) - s d is concave, so its least value on [lo, hi] is at an end: (1 - s) lo or -s hi,
// each rounded down.
LinkLine lower_link(double lo, double hi) {
  LinkLine line;
  if (hi <= 0) line.slope = 1;
  else if (lo < 0) line.slope = grid_slope(-lo / (hi - lo));
  line.offset = std::min({down((1 - line.slope) * lo), -up(line.slope * hi), 0.0});
  if (lo >= 0 && line.slope == 0) line.offset = 0;  // min(0, d) = 0 on the whole range
  return line;
}

}  // namespace qeb::lp
