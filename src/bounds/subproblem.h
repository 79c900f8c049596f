// A subproblem: part of the verification region, as branch and bound makes it. The integer box,
// plus restrictions of neurons of either network (a fixed DNN ReLU phase, a QNN clamp phase or a
// range of a QNN neuron's integer pre-activation), plus the bounds every neuron keeps from the
// region it was cut from. Cheap to copy: the bounds are shared and never modified.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dra/dra_result.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::bounds {

/** What a restriction narrows. */
enum class Target {
  INPUT,    ///< an input coordinate (the box itself)
  DNN_PRE,  ///< a DNN hidden pre-activation z: [lo, hi] is [0, inf) (active) or (-inf, 0] (inactive)
  QNN_PRE,  ///< a QNN hidden neuron's rounded pre-activation r (an integer, units of 2^-F_h)
};

/** One split decision: neuron (layer, neuron) of `target` lies in [lo, hi]. */
struct Restriction {
  Target target = Target::INPUT;
  std::size_t layer = 0, neuron = 0;  ///< INPUT: neuron is the coordinate
  double lo = 0, hi = 0;              ///< QNN_PRE and INPUT: integers

  /** "DNN 1:17 >= 0", "QNN 2:5 in [0, 3]", "x 12 <= 127". */
  std::string to_string() const;
};

struct Subproblem {
  /** The root of a task: the box, nothing else. */
  static Subproblem root(spec::Box box);
  /**
   * A node whose bounds are already known: `within` holds every neuron's sound bounds over it
   * with all of `restrictions` applied (as within() returned them, e.g. carried by a part).
   */
  static Subproblem with_bounds(spec::Box box, std::shared_ptr<const dra::DraResult> within,
                                std::vector<Restriction> restrictions);

  const spec::Box& box() const { return *d_box; }
  /// Sound bounds of every neuron over the region this one was cut from, with the restrictions
  /// applied (run_dra's `within`); null for a root subproblem (the box alone). Made on each call
  /// from the parent's bounds, which both children share: a node keeps no copy of its own.
  std::shared_ptr<const dra::DraResult> within() const;
  /** The same as a copy of its own, for a caller that changes it (needs has_bounds()). */
  dra::DraResult within_copy() const;
  bool has_bounds() const { return d_bounds != nullptr; }

  std::vector<Restriction> restrictions;  ///< every split from the root, in order

  /** A one-line description: the restrictions, or "the whole box". */
  std::string to_string() const;

 private:
  friend Subproblem restrict(const Subproblem&, const std::shared_ptr<const dra::DraResult>&, const Restriction&);
  // Why shared: open nodes are most of branch and bound's memory, and a node split on a neuron
  // has its parent's box and, but for that neuron, its parent's bounds (784-100-10 MNIST: 12.5 KB
  // and about 12 KB a node when each child held copies).
  std::shared_ptr<const spec::Box> d_box;
  std::shared_ptr<const dra::DraResult> d_bounds;  ///< over the parent region, or over this one
  std::optional<Restriction> d_pending;  ///< set: d_bounds is the parent's, and this split still narrows it
};

/** `box` narrowed by the INPUT restrictions among `restrictions`. */
spec::Box narrowed(spec::Box box, const std::vector<Restriction>& restrictions);

/**
 * The child of `parent` where `restriction` holds, given sound bounds of the parent region
 * (`parent_bounds`, e.g. its DRA): the child keeps those bounds, narrowed by the restriction.
 * An INPUT restriction narrows the box as well.
 */
Subproblem restrict(const Subproblem& parent, const std::shared_ptr<const dra::DraResult>& parent_bounds,
                    const Restriction& restriction);

/**
 * The bounds of `sub`, a child split on a neuron (its last restriction), as branch and bound takes
 * them without a DRA run: its parent's with that neuron narrowed and its phase classified again,
 * marked infeasible when the split left the neuron's range empty. Sound for the child; exact for
 * a split in the last hidden layer, which changes no other neuron's bounds.
 */
std::shared_ptr<const dra::DraResult> split_bounds(const quant::QNetwork& qnn, const Subproblem& sub);

/**
 * The subproblem of `box` under `restrictions` (in the order branch and bound made them), with its
 * bounds rebuilt as branch and bound builds them: each restriction narrows the bounds of the region
 * before it, and SOUND DRA within those gives the next region's. `root_bounds` must be sound over
 * the box. For a node that travels without its bounds (an MPI message, a part queue).
 */
Subproblem replay(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                  const std::vector<Restriction>& restrictions);

}  // namespace qeb::bounds
