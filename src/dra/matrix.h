// A dense row-major matrix of doubles: all the linear algebra back-substitution needs.
#pragma once

#include <cstddef>
#include <vector>

namespace qeb::dra {

struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), data(r * c, 0.0) {}
  double* row(std::size_t i) { return data.data() + i * cols; }
  const double* row(std::size_t i) const { return data.data() + i * cols; }
  double& at(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  double at(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

/** out = a * b (rows of a times b), cache-friendly i-k-j order; zero entries of a are skipped. */
void multiply(const Matrix& a, const Matrix& b, Matrix& out);

}  // namespace qeb::dra
