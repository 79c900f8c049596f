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
  // No explicit zeros reach CLP (update() deletes the entries it zeroes): its reuse of work areas
  // between solves (minimize) trips its own assertions on them.
  std::vector<CoinBigIndex> start(d_rows + 1, 0);
  std::vector<int> length(d_rows), index;
  std::vector<double> value;
  for (std::size_t i = 0; i < d_rows; ++i) {
    for (std::size_t e = lp.row_start[i]; e < lp.row_start[i + 1]; ++e)
      if (lp.value[e] != 0) index.push_back(lp.index[e]), value.push_back(lp.value[e]);
    start[i + 1] = CoinBigIndex(index.size());
    length[i] = int(start[i + 1] - start[i]);
  }
  CoinPackedMatrix matrix(false, int(d_columns), int(d_rows), CoinBigIndex(index.size()), value.data(), index.data(),
                          start.data(), length.data());
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
  bool rows_changed = false;
  for (std::size_t j = 0; j < d_columns; ++j)
    if (lp.col_lo[j] != d_loaded.col_lo[j] || lp.col_hi[j] != d_loaded.col_hi[j])
      m.setColumnBounds(int(j), clp_bound(lp.col_lo[j]), clp_bound(lp.col_hi[j]));
  for (std::size_t i = 0; i < d_rows; ++i) {
    if (lp.row_lo[i] != d_loaded.row_lo[i] || lp.row_hi[i] != d_loaded.row_hi[i]) {
      m.setRowBounds(int(i), clp_bound(lp.row_lo[i]), clp_bound(lp.row_hi[i]));
      rows_changed = true;
    }
    for (std::size_t e = lp.row_start[i]; e < lp.row_start[i + 1]; ++e)
      if (lp.value[e] != d_loaded.value[e]) m.modifyCoefficient(int(i), lp.index[e], lp.value[e], false);
  }
  // Kept work areas are reused only when column bounds alone changed (Cbc's resolves): row bounds
  // changed in place made the dual simplex cycle (867,627 iterations on a 53 x 33 LP, test_bab),
  // so then CLP sets up afresh. A changed coefficient makes it do so by itself.
  if (rows_changed) m.setWhatsChanged(m.whatsChanged() & ~ROW_COLUMN_COUNTS_SAME);
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
  m.setMaximumSeconds(seconds > 0 ? seconds : -1);
  // Same objective (a node's bounds changed): the old basis stays dual feasible, so dual simplex.
  // New objective over the same bounds: the old basis stays primal feasible, so primal simplex.
  // Dual solves keep CLP's work areas (start-finish options 1 + 4, as Cbc's resolves do): a solve
  // after a change of column bounds alone then skips rebuilding CLP's row copy and re-checking the
  // matrix (784-100-10 Q=4 eps=2 sample 7389, one thread: proved in 0.84x the time).
  if (c == d_objective || !warm_start) m.dual(0, 1 + 4);
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
