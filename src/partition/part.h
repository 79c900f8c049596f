// One part of a partitioned task and what solving it gives. The same function serves the thread
// pool and the MPI workers, so both decide every part the same way.
#pragma once

#include <atomic>
#include <optional>
#include <vector>

#include "bounds/subproblem.h"
#include "lp/clp_solver.h"
#include "partition/partitioned_verifier.h"
#include "verify/residual.h"

namespace qeb::partition {

struct Part {
  spec::Box box;
  unsigned depth = 0;
  std::vector<std::size_t> path;  ///< split coordinates from the root
  /// What DRA left open over this part when its parent was split (dra_gap): the queue hands out
  /// the widest gaps first, since they tend to be the slowest to verify and the likeliest to hold a
  /// counterexample (starting the longest parts first shortens the parallel tail). 0 for the root.
  double gap = 0;
  /// Neuron splitting (PartitionOptions::split_neurons): the part is the box under these
  /// restrictions (a branch-and-bound node, rebuilt by bounds::replay), and only `goal` is left to
  /// decide in it; without a goal every checked output is.
  std::vector<bounds::Restriction> restrictions;
  std::optional<verify::Query> goal;
  lp::Basis basis;  ///< with a goal: the LP basis of the node's parent (a warm start; may be empty)
  /// With restrictions: the node's bounds as branch and bound left them (Subproblem::within), when
  /// the part stays in this process; null after a trip through MPI (then bounds::replay rebuilds them).
  std::shared_ptr<const dra::DraResult> within;

  /** A part of the input space alone: no restrictions, no goal (the rest filled in by name). */
  static Part of_box(spec::Box box, unsigned depth = 0, std::vector<std::size_t> path = {}, double gap = 0) {
    Part p;
    p.box = std::move(box);
    p.depth = depth;
    p.path = std::move(path);
    p.gap = gap;
    return p;
  }
};

struct PartOutcome {
  PartRecord record;
  std::optional<verify::Counterexample> counterexample;  ///< exact; set iff the part is falsified
  std::vector<Part> children;                            ///< the two halves when the part was split
  bool undecided_leaf = false;                           ///< unknown and not split (depth limit, single point)
};

/**
 * Decides or splits one part: exact enumeration when it is small, else verify (DRA, attack and,
 * from solver_depth on, the solver for at most min(part_timeout, time_left) seconds); an
 * undecided part is bisected where DRA gains most. With split_neurons, verify stops after the LP
 * and each direction it leaves open becomes a part of its own; such a part runs branch and bound
 * for part_nodes nodes, and the nodes it leaves open become its children (the closed ones are
 * proved for that direction, so the children cover every violation of it).
 * `outputs` must be explicit (not empty).
 */
PartOutcome solve_part(const quant::ModelPair& pair, const Part& part, const verify::VerifyOptions& options,
                       const PartitionOptions& partition, const std::vector<std::size_t>& outputs, double time_left,
                       const std::atomic<bool>* cancel);

/** The checked outputs: options.outputs, or every output when it is empty. */
std::vector<std::size_t> checked_outputs(const quant::ModelPair& pair, const verify::VerifyOptions& options);

}  // namespace qeb::partition
