// VNN-LIB 1.0 property files (the subset local-robustness and equivalence benchmarks use): input
// boxes, several of them through disjunctions, and linear constraints on the outputs (the
// violation, spec/output_property.h). The DNN sees integer input x̂ as (x̂ - z) / input_scale (spec
// section 2; z = 0 but for an affine QNN's input zero point): real bounds on X_i become integer
// boxes, rounded inward exactly.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/rational.h"
#include "spec/output_property.h"
#include "spec/region.h"

namespace qeb::spec {

/** One input box of a property and the output violation to look for in it. */
struct VnnlibRegion {
  Box box;
  OutputProperty violation;  ///< empty when the file has no output constraint
};

/** A property file: its regions (one per distinct input box, in file order) and what the reader changed. */
struct VnnlibProperty {
  std::vector<VnnlibRegion> regions;
  bool has_output_constraints = false;
  std::size_t output_assertions = 0;  ///< assertions over outputs only (for the note when they are ignored)
  /** One line each: coordinates clipped to the input format, input disjuncts without integer points. */
  std::vector<std::string> notes;
  bool clipped = false;  ///< some coordinate was clipped to the input format's integer range
};

/**
 * Parses VNN-LIB text: `;` comments, `(declare-const X_i Real)`, `(declare-const Y_j Real)`, and
 * assertions built from `and`, `or` and comparisons `<=`, `>=`, `<`, `>`, `=` (either operand order).
 * Over inputs a comparison bounds one X_i by a number; over outputs it compares linear terms of
 * the Y_j (`+`, `-`, `*` by a number, numbers). A comparison may not mix X and Y. Numbers are exact
 * decimals (`0.1`, `-3.5e-2`, `(- 0.5)`). The conjunction of the assertions is multiplied out into
 * cases (at most 10000): each case's input bounds give a box (every X_i bounded above and below;
 * l <= X_i becomes ceil(l * input_scale) + z <= x̂_i exactly (z: zero_point), a strict bound floor(l * scale) + 1, and
 * likewise above; clipped to the input format), its output comparisons one disjunct of that box's
 * violation. Cases whose box holds no integer point are dropped with a note (an error if all are).
 * @param output_size the network's outputs (a larger Y_j is an error); 0: not checked
 * @param source names the text in error messages (a file path)
 * Throws InputError "source: line N: problem" for anything else.
 */
VnnlibProperty parse_vnnlib(const std::string& text, std::size_t input_size, std::size_t output_size,
                            const Rational& input_scale, const FixedPointFormat& input_format,
                            const std::string& source = "property", int64_t zero_point = 0);

/** Reads `path` and parses it with parse_vnnlib; a missing or unreadable file is an InputError. */
VnnlibProperty load_vnnlib(const std::string& path, std::size_t input_size, std::size_t output_size,
                           const Rational& input_scale, const FixedPointFormat& input_format, int64_t zero_point = 0);

/** The box of a property with exactly one, for commands that take one region. */
struct VnnlibBox {
  Box box;
  /** The reader's notes, and one saying that output assertions are ignored. */
  std::vector<std::string> notes;
  bool clipped = false;
};

/**
 * parse_vnnlib for a command that takes one box and ignores output constraints (with a note). A
 * disjunction of input boxes is an InputError naming the count.
 */
VnnlibBox parse_vnnlib_box(const std::string& text, std::size_t input_size, const Rational& input_scale,
                           const FixedPointFormat& input_format, const std::string& source = "property");

/** Reads `path` and parses it with parse_vnnlib_box. */
VnnlibBox load_vnnlib_box(const std::string& path, std::size_t input_size, const Rational& input_scale,
                          const FixedPointFormat& input_format);

}  // namespace qeb::spec
