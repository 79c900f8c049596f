// The activation transfer (Theorem 1's case table) against brute force over random configurations.
#include <doctest/doctest.h>

#include <random>

#include "dra/transfer.h"

using namespace qeb::dra;

namespace {
double clamp(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }
}  // namespace

TEST_CASE("the transfer contains clamp(q,0,t) - relu(p) for every consistent (p, q)") {
  std::mt19937_64 rng(42);
  // Values on a coarse grid hit every case boundary (0, t, equal ends) often.
  auto grid = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng) / 4.0; };
  const double t = 3.75;
  int checked = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    double l = grid(-24, 24), u = grid(-24, 24), lq = grid(-24, 24), uq = grid(-24, 24);
    if (l > u) std::swap(l, u);
    if (lq > uq) std::swap(lq, uq);
    double dl = grid(-40, 40), du = grid(-40, 40);
    if (dl > du) std::swap(dl, du);
    Interval published = activation_transfer({l, u}, {lq, uq}, {dl, du}, t, Semantics::PUBLISHED);
    Interval sound = activation_transfer({l, u}, {lq, uq}, {dl, du}, t, Semantics::SOUND);
    CHECK(published.lo <= sound.lo);  // the sound variant only intersects
    CHECK(sound.hi <= published.hi);
    for (int point = 0; point < 20; ++point) {
      double p = l + (u - l) * std::uniform_real_distribution<double>(0, 1)(rng);
      double q = lq + (uq - lq) * std::uniform_real_distribution<double>(0, 1)(rng);
      if (point < 4) {  // the corners too
        p = point & 1 ? u : l;
        q = point & 2 ? uq : lq;
      }
      if (q - p < dl || q - p > du) continue;
      double diff = clamp(q, 0, t) - std::max(p, 0.0);
      CHECK(sound.contains(diff));
      CHECK(published.contains(diff));
      ++checked;
    }
  }
  CHECK(checked > 50000);
}

TEST_CASE("the output rule intersects only in the sound semantics (P3)") {
  Interval d = output_transfer({1, 2}, {1.5, 2.5}, {-3, 3}, Semantics::SOUND);
  CHECK(d.lo == doctest::Approx(-0.5));
  CHECK(d.hi == doctest::Approx(1.5));
  Interval p = output_transfer({1, 2}, {1.5, 2.5}, {-3, 3}, Semantics::PUBLISHED);
  CHECK(p == Interval{-3, 3});
}
