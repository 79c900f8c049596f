// Pieces of VNN-LIB text the property-reader tests assemble their cases from.
#pragma once

#include <string>

#include "core/fixed_point.h"

namespace qeb::test {

/** MNIST-like inputs: integers 0..255, scale 255. */
inline const FixedPointFormat kU8{false, 8, 8};

/** The declarations of X_0.. and Y_0.. */
inline std::string vnnlib_declare(std::size_t inputs, std::size_t outputs = 0) {
  std::string s;
  for (std::size_t k = 0; k < inputs; ++k) s += "(declare-const X_" + std::to_string(k) + " Real)\n";
  for (std::size_t k = 0; k < outputs; ++k) s += "(declare-const Y_" + std::to_string(k) + " Real)\n";
  return s;
}

}  // namespace qeb::test
