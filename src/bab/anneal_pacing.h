// How much of the machine the annealing thread beside branch and bound takes. Annealing and the
// workers share the cores (two workers and the annealer on two cores: a third each), and on a task
// that is a proof every annealing cycle is lost to the tree. So annealing runs flat out while it
// closes in on the goal, and once it stalls (its best barely moves towards a violation for a few
// epochs) it pauses between epochs, handing its core to the workers; any real progress ends the
// pauses. Measured on 784-100-10 Q=4 eps=2 sample 7219 (a proof): annealing's best moved 0.046
// towards the goal, 0.38 away, in 70 s, nearly all in its first two epochs.
#pragma once

#include <limits>

namespace qeb::bab {

class AnnealPacing {
 public:
  /// `min_progress`: the share of its distance to the goal an epoch must close to count as
  /// progress; `patience`: stalled epochs in a row before pausing; `pause_ratio`: pause length in
  /// epoch lengths (2: annealing runs a third of the time).
  explicit AnnealPacing(double min_progress = 0.05, unsigned patience = 2, double pause_ratio = 2.0)
      : d_min_progress(min_progress), d_patience(patience), d_pause_ratio(pause_ratio) {}

  /**
   * After an epoch that took `seconds` and ended with the best value `best` (lower is better;
   * annealing has found a violation once `best < goal`): how many seconds to pause before the next.
   */
  double pause_after(double best, double goal, double seconds);

  unsigned stalled_epochs() const { return d_stalled; }

 private:
  double d_min_progress;
  unsigned d_patience;
  double d_pause_ratio;
  double d_last = std::numeric_limits<double>::infinity();  ///< the best after the previous epoch
  unsigned d_stalled = 0;
};

}  // namespace qeb::bab
