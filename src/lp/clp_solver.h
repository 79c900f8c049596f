// COIN-OR CLP behind a small interface: load a LinearProgram, minimise an objective, warm-start
// from a basis. Floating point: its answers are hints (lp/dual_bound.h makes them proofs).
#pragma once

#include <memory>
#include <vector>

#include "lp/linear_program.h"

class ClpSimplex;

namespace qeb::lp {

/** A simplex basis: CLP's status of every column, then every row. */
using Basis = std::vector<unsigned char>;

enum class LpStatus { OPTIMAL, INFEASIBLE, OTHER };
const char* to_string(LpStatus s);

struct LpSolution {
  LpStatus status = LpStatus::OTHER;
  double objective = 0;              ///< CLP's optimum (no constant; floating point, not a bound)
  std::vector<double> primal;        ///< column values
  std::vector<double> row_dual;      ///< row multipliers (for a proof, see dual_bound.h)
  std::vector<double> ray;           ///< INFEASIBLE: CLP's infeasibility ray over the rows, if it gave one
  Basis basis;
  int iterations = 0;
};

/** One CLP model; not thread-safe (use one per thread). */
class ClpLp {
 public:
  ClpLp();
  ~ClpLp();
  ClpLp(const ClpLp&) = delete;
  ClpLp& operator=(const ClpLp&) = delete;

  /** Replaces the model by `lp` (its objective is set per call to minimize). */
  void load(const LinearProgram& lp);
  /**
   * Makes the model `lp`, which must have the structure of the one loaded (same rows, columns and
   * entry slots): only changed bounds and coefficients are passed to CLP, whose model (scaling,
   * work areas) is kept: measured 3x cheaper per branch-and-bound node than load().
   */
  void update(const LinearProgram& lp);
  /** True iff update(lp) applies (a model of lp's structure is loaded). */
  bool fits(const LinearProgram& lp) const;
  /**
   * Minimises c^T v (dense c) by dual simplex, starting from `warm` when it fits the model's size.
   * @param seconds CLP's time limit in wall-clock seconds (0: none)
   */
  LpSolution minimize(const std::vector<double>& c, const Basis* warm = nullptr, double seconds = 0);

 private:
  std::unique_ptr<ClpSimplex> d_model;
  std::size_t d_columns = 0, d_rows = 0;
  std::vector<double> d_objective;  ///< of the last solve
  LinearProgram d_loaded;           ///< what CLP holds now
};

}  // namespace qeb::lp
