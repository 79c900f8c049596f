// A linear program stated exactly in doubles: min c^T v + c0 s.t. row_lo <= A v <= row_hi,
// col_lo <= v <= col_hi. Every number is read as the exact value it holds, so a bound proved
// for this program (lp/dual_bound.h) is proved for the constraints it states.
#pragma once

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "core/rational.h"

namespace qeb::lp {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

/** Sparse rows (row-major), column and row bounds. Rows may be ranges; infinite ends are allowed. */
struct LinearProgram {
  std::vector<double> col_lo, col_hi;
  std::vector<double> row_lo, row_hi;
  std::vector<std::size_t> row_start{0};  ///< row i holds entries row_start[i] .. row_start[i+1]-1
  std::vector<int> index;                 ///< column of each entry
  std::vector<double> value;              ///< coefficient of each entry

  std::size_t columns() const { return col_lo.size(); }
  std::size_t rows() const { return row_lo.size(); }
  std::size_t nonzeros() const { return value.size(); }

  /** Appends a column with bounds [lo, hi]; returns its index. */
  int add_column(double lo, double hi);
  /**
   * Appends the row lo <= sum_k coef_k v_{col_k} <= hi; returns its index. Entry e of the row is
   * stored at row_start[row] + e (callers keep these slots to update coefficients in place).
   */
  int add_row(const std::vector<std::pair<int, double>>& entries, double lo, double hi);
};

/** A linear objective sum_k coef_k v_k + constant; the constant is exact. */
struct Objective {
  std::vector<std::pair<int, double>> terms;
  Rational constant = 0;

  /** -objective (maximising f is minimising -f). */
  Objective negated() const;
  /** Dense coefficients over `columns` columns; a repeated column is a logic_error (its sum would round). */
  std::vector<double> dense(std::size_t columns) const;
};

}  // namespace qeb::lp
