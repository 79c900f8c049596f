// Lines linking a hidden neuron's activation difference to its pre-activation difference.
// With y the QNN's rounded pre-activation (real units), z the DNN's and d = y - z: ReLU is
// monotone and 1-Lipschitz, so relu(y) - relu(z) lies in [min(0, d), max(0, d)]; a clamp of y at
// the top only lowers the QNN side, so the upper end stays (the lower one needs the clamp out of
// reach). Over d in [lo, hi] each end is bounded by a chord. The triangle relaxations of the two
// activations and DRA's constant bounds on their difference do not see this: the LP can put the
// DNN on its chord and the QNN on its floor at once, whatever d is.
#pragma once

namespace qeb::lp {

/** post - slope pre <= offset (upper) or >= offset (lower); slope is a multiple of 2^-52 in [0, 1], so 1 - slope is exact. */
struct LinkLine {
  double slope = 0;
  double offset = 0;
};

/** A line with post - slope pre <= offset whenever post <= max(0, pre) and pre in [lo, hi] (lo <= hi, finite). */
LinkLine upper_link(double lo, double hi);
/** A line with post - slope pre >= offset whenever post >= min(0, pre) and pre in [lo, hi] (lo <= hi, finite). */
LinkLine lower_link(double lo, double hi);

}  // namespace qeb::lp
