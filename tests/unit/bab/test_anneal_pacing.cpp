// AnnealPacing: annealing pauses only after `patience` epochs in a row that barely close the
// distance to the goal, for `pause_ratio` epoch lengths, and any real progress ends the pauses.
#include <doctest/doctest.h>

#include "bab/anneal_pacing.h"

using qeb::bab::AnnealPacing;

TEST_CASE("annealing pauses after two stalled epochs, for twice the epoch, until it progresses again") {
  AnnealPacing p;  // 5% of the distance, patience 2, pause 2x
  const double goal = -2;
  CHECK(p.pause_after(-1.50, goal, 3.0) == 0);   // the first epoch sets the reference
  CHECK(p.pause_after(-1.60, goal, 3.0) == 0);   // 0.10 of 0.50 left: progress
  CHECK(p.pause_after(-1.61, goal, 3.0) == 0);   // 0.01 of 0.40: stalled once
  CHECK(p.stalled_epochs() == 1);
  CHECK(p.pause_after(-1.615, goal, 3.0) == doctest::Approx(6.0));  // stalled twice: pause 2 x 3 s
  CHECK(p.pause_after(-1.615, goal, 4.0) == doctest::Approx(8.0));  // still stalled: the epoch's own length
  CHECK(p.pause_after(-1.70, goal, 3.0) == 0);   // 0.085 of 0.385: progress ends the pauses
  CHECK(p.stalled_epochs() == 0);
  CHECK(p.pause_after(-1.70, goal, 3.0) == 0);   // stalls count again from zero
}

TEST_CASE("progress is measured against the distance left: a small step near the goal counts") {
  const double goal = -2;
  AnnealPacing near, far;
  near.pause_after(-1.95, goal, 1.0);
  far.pause_after(-1.50, goal, 1.0);
  for (int i = 1; i <= 4; ++i) {
    // The same steps of 0.005: at least 10% of the distance near the goal, 1% far from it.
    CHECK(near.pause_after(-1.95 - 0.005 * i, goal, 1.0) == 0);
    far.pause_after(-1.50 - 0.005 * i, goal, 1.0);
  }
  CHECK(near.stalled_epochs() == 0);
  CHECK(far.stalled_epochs() == 4);
}

TEST_CASE("the pacing's parameters are honoured") {
  AnnealPacing p(0.5, 1, 1.0);  // half the distance, pause at the first stall, for one epoch
  p.pause_after(-1.0, -2.0, 2.0);
  CHECK(p.pause_after(-1.4, -2.0, 2.0) == doctest::Approx(2.0));  // 0.4 of 1.0: stalled
  CHECK(p.pause_after(-1.8, -2.0, 2.0) == 0);                     // 0.4 of 0.6: progress
}
