#include "lp/output_bounds.h"

#include <chrono>

#include "lp/dual_bound.h"

namespace qeb::lp {

LpBound optimise(ClpLp& solver, const LinearProgram& lp, const Objective& objective, bool maximise,
                 const Basis* warm, double seconds) {
  auto start = std::chrono::steady_clock::now();
  Objective minimised = maximise ? objective.negated() : objective;
  LpSolution s = solver.minimize(minimised.dense(lp.columns()), warm, seconds);
  LpBound out;
  out.status = s.status;
  out.iterations = s.iterations;
  out.basis = std::move(s.basis);
  if (s.status == LpStatus::INFEASIBLE) {
    out.infeasible = !s.ray.empty() && proves_infeasible(lp, s.ray);
  } else {
    // Any multipliers give a valid bound; an optimal dual gives (nearly) the LP optimum.
    if (auto b = rigorous_minimum(lp, minimised, s.row_dual)) out.bound = maximise ? Rational(-*b) : *b;
    double value = s.objective + to_double(minimised.constant);
    out.lp_value = maximise ? -value : value;
    out.point = std::move(s.primal);
    out.row_dual = std::move(s.row_dual);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace qeb::lp
