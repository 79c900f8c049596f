// Which layer's quantization a counterexample is to be blamed on: the counterexample is re-run
// with one variable at a time widened to the top of its range, and the variable whose widening
// removes most of the error is blamed (refinement widens it first).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/rational.h"
#include "refine/search_space.h"

namespace qeb::refine {

struct Blame {
  /// Per variable: |diff| at the candidate minus |diff| with that variable widened (exact; may be
  /// negative: widening can increase the error at one point). Zero for a variable already at the top.
  std::vector<Rational> reduction;
  std::optional<std::size_t> blamed;  ///< the variable with the largest positive reduction, if any
};

/**
 * Blame for input `x`, output `output`, under candidate `bits`. `dnn_output` is the DNN's exact
 * output there (it does not depend on the candidate). A widened candidate whose shifts are invalid
 * counts as no reduction.
 */
Blame blame(const SearchSpace& space, const model::Network& dnn, const Bits& bits, const std::vector<int64_t>& x,
            std::size_t output, const Rational& dnn_output);

}  // namespace qeb::refine
