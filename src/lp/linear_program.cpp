#include "lp/linear_program.h"

#include <stdexcept>
#include <string>

namespace qeb::lp {

int LinearProgram::add_column(double lo, double hi) {
  col_lo.push_back(lo);
  col_hi.push_back(hi);
  return int(col_lo.size()) - 1;
}

int LinearProgram::add_row(const std::vector<std::pair<int, double>>& entries, double lo, double hi) {
  for (const auto& [column, coefficient] : entries) {
    index.push_back(column);
    value.push_back(coefficient);
  }
  row_start.push_back(value.size());
  row_lo.push_back(lo);
  row_hi.push_back(hi);
  return int(row_lo.size()) - 1;
}

Objective Objective::negated() const {
  Objective o;
  o.terms = terms;
  for (auto& term : o.terms) term.second = -term.second;
  o.constant = -constant;
  return o;
}

std::vector<double> Objective::dense(std::size_t columns) const {
  std::vector<double> c(columns, 0.0);
  std::vector<bool> seen(columns, false);
  for (const auto& [column, coefficient] : terms) {
    // Adding two coefficients would round: the statement of the objective must stay exact.
    if (seen[column]) throw std::logic_error("Objective::dense: column " + std::to_string(column) + " repeated");
    seen[column] = true;
    c[column] = coefficient;
  }
  return c;
}

}  // namespace qeb::lp
