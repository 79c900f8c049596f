#include "bab/anneal_pacing.h"

#include <algorithm>
#include <cmath>

namespace qeb::bab {

double AnnealPacing::pause_after(double best, double goal, double seconds) {
  // Progress is measured against the distance left before the epoch: a step of 0.01 matters 0.02
  // from the goal, not 0.4 from it. The first epoch (d_last still infinite) only sets the reference.
  const bool progressed = !std::isfinite(d_last) || (d_last - best) >= d_min_progress * std::max(0.0, d_last - goal);
  d_last = best;
  d_stalled = progressed ? 0 : d_stalled + 1;
  return d_stalled >= d_patience ? d_pause_ratio * std::max(0.0, seconds) : 0.0;
}

}  // namespace qeb::bab
