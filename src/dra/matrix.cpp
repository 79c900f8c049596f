#include "dra/matrix.h"

#include <algorithm>

#include "core/check.h"

namespace qeb::dra {

void multiply(const Matrix& a, const Matrix& b, Matrix& out) {
  QEB_ASSERT(a.cols == b.rows);
  out.rows = a.rows;
  out.cols = b.cols;
  out.data.assign(a.rows * b.cols, 0.0);
  const std::size_t n = b.cols;
  for (std::size_t i = 0; i < a.rows; ++i) {
    double* __restrict target = out.row(i);
    const double* source = a.row(i);
    for (std::size_t k = 0; k < a.cols; ++k) {
      const double factor = source[k];
      if (factor == 0) continue;
      const double* __restrict b_row = b.row(k);
      for (std::size_t j = 0; j < n; ++j) target[j] += factor * b_row[j];
    }
  }
}

}  // namespace qeb::dra
