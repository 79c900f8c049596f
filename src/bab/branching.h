// Where branch and bound splits a node. Candidates are the relaxations the node's LP optimum
// leans on: an unstable DNN ReLU (its chord), a clamped QNN neuron (its envelope lines around the
// clamp's kinks at 0 and C), a QNN rounding whose integer value the LP took fractionally, and,
// for low-dimensional inputs, an input coordinate (ReluDiff-style).
//
// Score (BaBSR-like, Bunel et al. JMLR 2020, with the LP's own multipliers instead of a
// back-substituted estimate): |row multiplier| x how far that row's relaxation can lie about the
// function it relaxes (the chord's gap at the kink, the envelopes' gaps at the clamp's kinks, the
// distance of r to an integer). A multiplier is the objective's sensitivity to the row, so the
// product estimates the bound gained when the split removes the relaxation. The activation links
// of a neuron pair relax both phases at once, so their multipliers count for both neurons' splits.
// Cheap: one pass over the unstable neurons, no extra LP.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bounds/subproblem.h"
#include "dra/dra_result.h"
#include "lp/network_lp.h"
#include "lp/output_bounds.h"

namespace qeb::bab {

/** How to split: each child adds one restriction (together they cover the node). */
struct Branching {
  std::vector<bounds::Restriction> children;
  double score = 0;
  std::string kind;  ///< "dnn", "qnn-kink", "qnn-integer", "input"
};

struct BranchingOptions {
  /// Split input coordinates instead of neurons when the input has at most this many free
  /// coordinates (bisection pays only in low dimension; 784 pixels barely move DRA's gap).
  std::size_t input_split_dimension = 16;
  /// Strong branching: solve both children's LPs for this many of the best-scored neuron splits
  /// and take the one whose weaker child gains most (0: the score alone decides). 32: measured on
  /// RQ_2 against 4, 8 and 16 (bench/results/rq2.md).
  std::size_t strong_candidates = 32;
  /// Reliability branching: a candidate whose children have each been measured at least this
  /// many times (bab/pseudo_costs.h) is scored by its mean gains instead of being solved again;
  /// 0: every candidate is solved. Measured against 0 (bench/results/ab_reliability.md): the 21
  /// RQ_2 tasks branch and bound decides in 0.75x the time (median; 0.45-1.09x), every verdict the
  /// same; max-error on 784-100-10 Q=8 sample 3236 proves output 6 below 0.1863 in 11-13 s where
  /// it had reached 0.1925 in 16 s. 2 and 8 gave the same max-error brackets there as 4.
  uint64_t reliability = 4;
  /// With reliability: whether the split taken must have been solved. true: the best estimates
  /// are solved in turn until a solved candidate beats every estimate left; false: the best
  /// estimate wins unsolved. An estimate is a mean over other nodes: max-error, whose bound is
  /// its worst node's, sets it (784-100-10 Q=8 sample 5656, output 8: with estimates winning the
  /// bound stood still for 1,342 nodes; max-error's median over ten boxes is the same either way,
  /// sample 5656's width 14.9% -> 11.6%). verify does not: solving the winner took the 21 RQ_2
  /// branch-and-bound tasks from 0.75x to 0.83x the time (median) and lost a proof at 60 s
  /// (784-100-10 Q=4 eps=2 sample 5656).
  bool solve_winner = false;
  /// Strong branching only at nodes at most this many splits deep (deeper: the score alone);
  /// 0: 8 per hidden layer. Measured on RQ_2 (bench/results/rq2.md): on 784-100-10 Q=4, cheap
  /// score-only nodes below depth 8 prove a task open with strong branching throughout and find a
  /// counterexample it lost (depths 4, 10 and 12 left a task open further off, 6 about the same); the deeper networks need it deeper
  /// (at 8 they lost three proofs, at 16 they keep them). Rechecked with strong branching's
  /// fixing (bab/search.cpp): every depth again lost 784-100-10 Q=4 eps=2 sample 4544's
  /// counterexample and took P1 Q=4 proofs from 13-17 s to 30-36 s. max-error uses every depth.
  std::size_t strong_depth = 0;
  /// Split a QNN rounding at an integer only where its clamped value spans at most this many
  /// integer steps in the node (min(hi, clamp_hi) - max(lo, clamp_lo); 0: no limit). Over a wider range the LP
  /// escapes the split by moving the continuous inputs a little, so the split spends nodes without
  /// moving the bound. Measured on 784-100-10 at radius 3: at Q=4 every range is 1-3 steps (C = 15
  /// keeps any Q=4 range within the limit) and these splits are needed (P1 Q=4 eps=2 sample 9886:
  /// verified in 41 s with them, open at 60 s without); at Q=6 the ranges are 1-12; at Q=8 they are
  /// 5-43, and max-error on sample 3236 ends at [0.1625, 0.1969] instead of [0.1625, 0.2100].
  /// A node with nothing else to split (no unstable neuron, no clamp kink) still splits its best
  /// wide rounding rather than bisect one of many inputs: see branching_candidates.
  int64_t integer_split_range = 16;
};

/**
 * The `limit` best-scored splits of a node with sound `bounds` over `box`, whose LP `solution` (of
 * the network LP instantiated with these bounds) is given, best first. When no candidate has a
 * score: the `limit` widest relaxations, widest first (so strong branching still compares their
 * LP gains), else a single split: the best-scored fractional rounding over a range wider than
 * integer_split_range, else an input bisection; empty if nothing is left to split (every neuron
 * stable, every rounding integral, a single input point).
 *
 * Why the wide rounding before the input: on 784-100-10 Q=8 (sample 3236, output 6, eps 0.18)
 * a quarter of the splits were pixel bisections of nodes whose phases were all fixed; each moved
 * nothing and cost a whole DRA (the box changes): 8.0 of the search's 19 s. A rounding
 * split keeps the box, so its children need no DRA: 5,474 -> 8,272 nodes in 20 s on one thread.
 */
std::vector<Branching> branching_candidates(const quant::ModelPair& pair, const lp::NetworkLp& network,
                                            const spec::Box& box, const dra::DraResult& bounds,
                                            const lp::LpBound& solution, const BranchingOptions& options,
                                            std::size_t limit);

/**
 * The input split of a node with nothing else to split: the LP optimum's most fractional free
 * coordinate at its floor, which cuts the optimum off; an integral optimum (or none) bisects the
 * widest coordinate. nullopt for a single point. Measured on 784-100-10 Q=4 eps=2 sample 3236:
 * bisecting the widest pixel at its middle left the optimum in a child, and from 150 s on the
 * proven bound stood still (8,527 pixel bisections in 240 s).
 */
std::optional<Branching> input_split(const spec::Box& box, const lp::LpBound& solution, const lp::NetworkLp& network);

}  // namespace qeb::bab
