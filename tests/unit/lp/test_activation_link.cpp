// The lines tying a neuron's activation difference to its pre-activation difference
// (lp/activation_link.h), checked in exact rationals: each holds at both ends of its range and
// at random points inside (max(0, d) and min(0, d) are convex and concave, so the ends decide),
// its slope leaves 1 - slope exact, and where the range straddles 0 it is the chord, tight at
// both ends up to rounding.
#include <doctest/doctest.h>

#include <random>

#include "core/rational.h"
#include "lp/activation_link.h"

using namespace qeb;
using namespace qeb::lp;

namespace {

Rational r(double v) { return rational_from_double(v); }

// Does post - slope d <= offset (upper) or >= offset (lower) hold at d with post = max(0, d) / min(0, d)?
bool holds(const LinkLine& line, const Rational& d, bool upper) {
  const Rational post = upper ? (d > 0 ? d : Rational(0)) : (d < 0 ? d : Rational(0));
  const Rational lhs = post - r(line.slope) * d;
  return upper ? lhs <= r(line.offset) : lhs >= r(line.offset);
}

double random_end(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  const double scale = std::ldexp(1.0, int(rng() % 20) - 10);
  return rng() % 8 == 0 ? 0.0 : u(rng) * scale;
}

}  // namespace

TEST_CASE("activation links hold over their whole range, exactly, and are chords where the range straddles 0") {
  std::mt19937_64 rng(14);
  int straddling = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    double lo = random_end(rng), hi = random_end(rng);
    if (lo > hi) std::swap(lo, hi);
    CAPTURE(lo);
    CAPTURE(hi);
    for (bool upper : {true, false}) {
      const LinkLine line = upper ? upper_link(lo, hi) : lower_link(lo, hi);
      REQUIRE(line.slope >= 0);
      REQUIRE(line.slope <= 1);
      CHECK(r(1 - line.slope) == 1 - r(line.slope));
      CHECK(holds(line, r(lo), upper));
      CHECK(holds(line, r(hi), upper));
      for (int k = 0; k < 3; ++k) {
        const Rational t = Rational(int64_t(rng() % 1001), 1000);
        CHECK(holds(line, r(lo) + t * (r(hi) - r(lo)), upper));
      }
      if (lo < 0 && hi > 0) {
        // The chord: at each end the line is within a relative 1e-9 of the function it bounds.
        const double width = hi - lo;
        const Rational at_lo = (upper ? Rational(0) : r(lo)) - r(line.slope) * r(lo);
        const Rational at_hi = (upper ? r(hi) : Rational(0)) - r(line.slope) * r(hi);
        const Rational gap = upper ? r(line.offset) - std::min(at_lo, at_hi) : std::max(at_lo, at_hi) - r(line.offset);
        CHECK(gap <= r(width * 1e-9));
        straddling += upper;
      }
    }
  }
  CHECK(straddling > 5000);
}

TEST_CASE("activation links on one-signed ranges are the identity or zero lines") {
  CHECK(upper_link(0.5, 2).slope == 1);   // post <= d
  CHECK(upper_link(0.5, 2).offset <= 1e-300);
  CHECK(upper_link(-2, -0.5).slope == 0);  // post <= 0
  CHECK(upper_link(-2, -0.5).offset == 0);
  CHECK(lower_link(-2, -0.5).slope == 1);  // post >= d
  CHECK(lower_link(-2, -0.5).offset >= -1e-300);
  CHECK(lower_link(0.5, 2).slope == 0);    // post >= 0
  CHECK(lower_link(0.5, 2).offset == 0);
}
