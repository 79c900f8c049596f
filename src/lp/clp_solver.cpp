#include "lp/clp_solver.h"

#include <coin/ClpSimplex.hpp>
#include <coin/CoinPackedMatrix.hpp>

#include <cmath>

namespace qeb::lp {

namespace {
double clp_bound(double v) { return std::isinf(v) ? (v > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX) : v; }
}  // namespace

const char* to_string(LpStatus s) {
  switch (s) {
    case LpStatus::OPTIMAL: return "optimal";
    case LpStatus::INFEASIBLE: return "infeasible";
    case LpStatus::OTHER: return "other";
  }
  return "?";
}

ClpLp::ClpLp() : d_model(std::make_unique<ClpSimplex>()) { d_model->setLogLevel(0); }
ClpLp::~ClpLp() = default;

void ClpLp::load(const LinearProgram& lp) {
  d_columns = lp.columns();
  d_rows = lp.rows();
  std::vector<CoinBigIndex> start(lp.row_start.begin(), lp.row_start.end());
  std::vector<int> length(d_rows);
  for (std::size_t i = 0; i < d_rows; ++i) length[i] = int(lp.row_start[i + 1] - lp.row_start[i]);
  CoinPackedMatrix matrix(false, int(d_columns), int(d_rows), CoinBigIndex(lp.nonzeros()), lp.value.data(),
                          lp.index.data(), start.data(), length.data());
  std::vector<double> cl(d_columns), cu(d_columns), rl(d_rows), ru(d_rows), zero(d_columns, 0.0);
  for (std::size_t j = 0; j < d_columns; ++j) cl[j] = clp_bound(lp.col_lo[j]), cu[j] = clp_bound(lp.col_hi[j]);
  for (std::size_t i = 0; i < d_rows; ++i) rl[i] = clp_bound(lp.row_lo[i]), ru[i] = clp_bound(lp.row_hi[i]);
  d_model = std::make_unique<ClpSimplex>();
  d_model->setLogLevel(0);
  // Keep the infeasibility ray: it proves an empty node (dual_bound.h: proves_infeasible).
  d_model->setSpecialOptions(d_model->specialOptions() | 32);
  d_model->loadProblem(matrix, cl.data(), cu.data(), zero.data(), rl.data(), ru.data());
  d_loaded = lp;
  d_objective.clear();
}

bool ClpLp::fits(const LinearProgram& lp) const {
  return d_model && lp.columns() == d_loaded.columns() && lp.rows() == d_loaded.rows() &&
         lp.row_start == d_loaded.row_start && lp.index == d_loaded.index;
}

void ClpLp::update(const LinearProgram& lp) {
  if (!fits(lp)) return load(lp);
  ClpSimplex& m = *d_model;
  for (std::size_t j = 0; j < d_columns; ++j)
    if (lp.col_lo[j] != d_loaded.col_lo[j] || lp.col_hi[j] != d_loaded.col_hi[j])
      m.setColumnBounds(int(j), clp_bound(lp.col_lo[j]), clp_bound(lp.col_hi[j]));
  for (std::size_t i = 0; i < d_rows; ++i) {
    if (lp.row_lo[i] != d_loaded.row_lo[i] || lp.row_hi[i] != d_loaded.row_hi[i])
      m.setRowBounds(int(i), clp_bound(lp.row_lo[i]), clp_bound(lp.row_hi[i]));
    for (std::size_t e = lp.row_start[i]; e < lp.row_start[i + 1]; ++e)
      if (lp.value[e] != d_loaded.value[e]) m.modifyCoefficient(int(i), lp.index[e], lp.value[e], true);
  }
  d_loaded.col_lo = lp.col_lo;
  d_loaded.col_hi = lp.col_hi;
  d_loaded.row_lo = lp.row_lo;
  d_loaded.row_hi = lp.row_hi;
  d_loaded.value = lp.value;
}

LpSolution ClpLp::minimize(const std::vector<double>& c, const Basis* warm, double seconds) {
  ClpSimplex& m = *d_model;
  for (std::size_t j = 0; j < d_columns; ++j) m.setObjectiveCoefficient(int(j), c[j]);
  m.setOptimizationDirection(1);
  const bool warm_start = warm && warm->size() == d_columns + d_rows;
  if (warm_start) m.copyinStatus(warm->data());
  // Wall-clock, as every deadline here: CLP's plain seconds count this process's CPU time, which on
  // a loaded machine lags the clock (in CI a 6 s task's root LP ran past the 1.03x watchdog) and
  // with several busy threads runs ahead of it.
  m.setMaximumSeconds(-1);
  m.setMaximumWallSeconds(seconds > 0 ? seconds : -1);
  // Same objective (a node's bounds changed): the old basis stays dual feasible, so dual simplex.
  // New objective over the same bounds: the old basis stays primal feasible, so primal simplex.
  if (c == d_objective || !warm_start) m.dual();
  else m.primal();
  d_objective = c;
  LpSolution s;
  s.iterations = m.numberIterations();
  if (m.isProvenOptimal()) s.status = LpStatus::OPTIMAL;
  else if (m.isProvenPrimalInfeasible()) s.status = LpStatus::INFEASIBLE;
  s.objective = m.objectiveValue();
  s.primal.assign(m.primalColumnSolution(), m.primalColumnSolution() + d_columns);
  s.row_dual.assign(m.dualRowSolution(), m.dualRowSolution() + d_rows);
  if (s.status == LpStatus::INFEASIBLE) {
    if (double* ray = m.infeasibilityRay()) {
      s.ray.assign(ray, ray + d_rows);
      delete[] ray;
    }
  }
  s.basis.assign(m.statusArray(), m.statusArray() + d_columns + d_rows);
  return s;
}

}  // namespace qeb::lp
