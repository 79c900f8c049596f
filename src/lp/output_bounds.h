// The LP stage's basic question: rigorous bounds of QNN_g - DNN_g over a region, given sound
// bounds of every neuron there (DRA's), by the LP relaxation of lp/network_lp.h.
#pragma once

#include <optional>
#include <vector>

#include "lp/clp_solver.h"
#include "lp/network_lp.h"

namespace qeb::lp {

/** One optimisation of the LP: a rigorous bound (if the dual gave one) and the LP's optimum point. */
struct LpBound {
  LpStatus status = LpStatus::OTHER;
  std::optional<Rational> bound;  ///< rigorous: below every value (minimising) / above (maximising)
  bool infeasible = false;        ///< proved (by the ray): the region holds no point
  double lp_value = 0;            ///< CLP's floating-point optimum, constant included (a hint)
  std::vector<double> point;      ///< CLP's optimum (all columns; inputs first)
  std::vector<double> row_dual;   ///< CLP's row multipliers at the optimum (of the minimised objective)
  Basis basis;
  int iterations = 0;
  double seconds = 0;
};

/**
 * Minimises (or, with `maximise`, maximises) `objective` over the program `lp` loaded in `solver`,
 * warm-started from `warm`, and turns the dual into a rigorous bound.
 */
LpBound optimise(ClpLp& solver, const LinearProgram& lp, const Objective& objective, bool maximise,
                 const Basis* warm = nullptr, double seconds = 0);

}  // namespace qeb::lp
