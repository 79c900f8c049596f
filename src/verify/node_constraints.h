// A branch-and-bound node stated over a residual encoding: its box, as bounds of the input
// variables where it is narrower than the encoded box, and its neuron restrictions, as bounds of
// the encoding's pre-activation terms. The SMT leaves assume them (literals); `emit` asserts them
// in one scoped check per open node.
#pragma once

#include <vector>

#include "bounds/subproblem.h"
#include "core/rational.h"
#include "encodings/encoding.h"
#include "smt/term.h"
#include "spec/region.h"

namespace qeb::verify {

/** term >= value (lower) or term <= value; an Int term takes an integer value. */
struct TermBound {
  smt::Term term;
  bool lower = true;
  Rational value;
  bool integer = false;
};

/**
 * The bounds that confine `encoding` (made over `encoded_box`) to the node (`box`, a sub-box, and
 * `restrictions`). A QNN restriction of a neuron the encoding folded to a constant states nothing
 * (the root bounds fix it already). Throws UnsupportedError for an encoding without the
 * pre-activation terms (only the integer encoding "lira" has QNN ones).
 */
std::vector<TermBound> node_bounds(const encodings::NetworkEncoding& encoding, const spec::Box& encoded_box,
                                   const spec::Box& box, const std::vector<bounds::Restriction>& restrictions);

/** The formula of one bound. */
smt::Term bound_formula(smt::TermManager& terms, const TermBound& bound);

}  // namespace qeb::verify
