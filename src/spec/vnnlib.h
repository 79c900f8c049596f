// VNN-LIB property files as input regions: the box of integer inputs whose real value lies within
// the file's bounds on X_i (spec section 2: the DNN sees integer input x̂ as x̂ / input_scale).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/rational.h"
#include "spec/region.h"

namespace qeb::spec {

/** The integer box of a property file, and what the loader left out or changed. */
struct VnnlibBox {
  Box box;
  /** One line each: output assertions ignored, coordinates clipped to the input format. */
  std::vector<std::string> notes;
  bool clipped = false;  ///< some coordinate was clipped to the input format's integer range
};

/**
 * Parses the VNN-LIB subset qeb-smt takes as a region: `;` comments, `(declare-const X_i Real)`,
 * `(declare-const Y_j Real)`, and assertions of bounds `(<= X_i c)`, `(>= X_i c)`, `(< X_i c)`,
 * `(> X_i c)`, `(= X_i c)` (either operand order), possibly under `and`. Numbers are exact decimals
 * (`0.1`, `-3.5e-2`, `1E3`, `(- 0.5)`). Each X_i must get a lower and an upper bound; several bounds
 * intersect. A real bound l <= X_i becomes ceil(l * input_scale) <= x̂_i exactly (a strict one
 * floor(l * input_scale) + 1), an upper bound likewise; the result is clipped to the input format.
 * Assertions over Y variables only (output constraints) are ignored, with a note.
 * @param source names the text in error messages (a file path)
 * Throws InputError "source: line N: problem" for anything else (unknown variables, disjunctions
 * over inputs, bad numbers, unbalanced parentheses, missing bounds, an empty region).
 */
VnnlibBox parse_vnnlib_box(const std::string& text, std::size_t input_size, const Rational& input_scale,
                           const FixedPointFormat& input_format, const std::string& source = "property");

/** Reads `path` and parses it with parse_vnnlib_box; a missing or unreadable file is an InputError. */
VnnlibBox load_vnnlib_box(const std::string& path, std::size_t input_size, const Rational& input_scale,
                          const FixedPointFormat& input_format);

}  // namespace qeb::spec
