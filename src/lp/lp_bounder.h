// The LP stage over one task, as one worker uses it: the network LP (structure from the root's
// DRA), one CLP model, output-difference bounds and optimisation-based tightening of hidden
// neurons (OBBT). Every bound it returns is rigorous (lp/dual_bound.h).
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "dra/dra_result.h"
#include "lp/clp_solver.h"
#include "lp/network_lp.h"
#include "lp/output_bounds.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::lp {

struct TightenStats {
  std::size_t optimisations = 0;  ///< LPs solved
  std::size_t tightened = 0;      ///< neuron bounds that moved
  std::size_t stabilised = 0;     ///< neurons that became stable in a network
  double seconds = 0;
};

class LpBounder {
 public:
  /** @param root SOUND DRA over the task's root box: fixes the LP's structure. */
  LpBounder(const quant::ModelPair& pair, const dra::DraResult& root, bool difference_cuts);

  /**
   * Loads the LP over `box` with `bounds` (sound there, within the root's); later calls use it.
   * `lines` false: bounds only, the relaxation lines of the last load kept (NetworkLp::instantiate;
   * sound only when that load's bounds contain these).
   */
  void load(const spec::Box& box, const dra::DraResult& bounds, bool lines = true);

  /**
   * Minimises or maximises an objective of the loaded LP, warm-started from `warm` (or the last
   * basis), for at most `seconds` (0: no limit; a stopped solve still gives a valid, weaker bound).
   */
  LpBound optimise(const Objective& objective, bool maximise, const Basis* warm = nullptr, double seconds = 0);

  /**
   * Rigorous bounds of QNN_g - DNN_g for each of `outputs` over the loaded LP, intersected into
   * bounds.layers.back().delta (which must be the bounds loaded). Returns the optimisations, two per
   * output (min then max).
   */
  std::vector<LpBound> bound_outputs(dra::DraResult& bounds, const std::vector<std::size_t>& outputs);

  /**
   * Optimisation-based bound tightening: layer by layer, minimises and maximises the
   * pre-activation of every hidden neuron still unstable (DNN) or clamped (QNN), keeps the
   * rigorous bounds, then re-runs DRA within them so the deeper layers profit before they are
   * tightened in turn. Stops at `deadline`. Returns the tightened bounds (loaded).
   */
  dra::DraResult tighten(const spec::Box& box, dra::DraResult bounds, std::chrono::steady_clock::time_point deadline,
                         TightenStats* stats = nullptr);

  NetworkLp& network() { return d_network; }
  const NetworkLp& network() const { return d_network; }
  const LinearProgram& program() const { return d_network.program(); }
  const Basis& last_basis() const { return d_basis; }

 private:
  const quant::ModelPair& d_pair;
  NetworkLp d_network;
  ClpLp d_solver;
  Basis d_basis;
};

}  // namespace qeb::lp
