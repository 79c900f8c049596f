// Rigorous bounds of a linear program from any dual vector (Neumaier and Shcherbina, "Safe bounds
// in linear and mixed-integer programming", Math. Prog. 2004): for every feasible v,
//   c^T v = y^T (A v) + (c - A^T y)^T v >= sum_i min(y_i lo_i, y_i hi_i) + sum_j min(d_j l_j, d_j u_j),
// with d = c - A^T y enclosed by a rigorous error bound. The dual y may come from a floating-point
// LP solver and be wrong in any digit: the bound stays valid, it only gets weaker.
#pragma once

#include <optional>
#include <vector>

#include "lp/linear_program.h"

namespace qeb::lp {

/**
 * A lower bound of min { c^T v : v feasible for `lp` } (without the objective's constant), valid
 * for the exact program, computed from the row multipliers `y` (one per row; entries whose sign
 * needs an infinite row end are treated as 0). -infinity if an unbounded column gets a reduced
 * cost of the wrong sign.
 */
double rigorous_lower_bound(const LinearProgram& lp, const std::vector<double>& c, const std::vector<double>& y);

/**
 * The same bound with the objective's exact constant added: a rigorous lower bound of
 * min objective(v), or nullopt if it is -infinity.
 */
std::optional<Rational> rigorous_minimum(const LinearProgram& lp, const Objective& objective,
                                         const std::vector<double>& y);

/**
 * True iff the ray `y` proves that `lp` has no feasible point: the bound above with c = 0 is
 * positive (tried with y and -y, since solvers differ in their sign convention for rays).
 */
bool proves_infeasible(const LinearProgram& lp, const std::vector<double>& ray);

}  // namespace qeb::lp
