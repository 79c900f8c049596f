// The output part of a VNN-LIB property. VNN-LIB states the violation: an input whose outputs
// satisfy every constraint of one disjunct is a counterexample, and the property holds when no
// input of the region does. The outputs Y_j are the QNN's, the DNN's or their difference
// (OutputsOf), as the user chooses.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/rational.h"

namespace qeb::spec {

/** sum_j coefficient_j * Y_j + constant < 0 (strict) or <= 0: one linear constraint on the outputs. */
struct OutputConstraint {
  std::vector<std::pair<std::size_t, Rational>> terms;  ///< (j, coefficient): j ascending, coefficients non-zero
  Rational constant = 0;
  bool strict = false;
  std::size_t line = 0;  ///< where the file states it
};

/** A disjunction of conjunctions of output constraints (the violation); no disjunct: no constraint at all. */
struct OutputProperty {
  std::vector<std::vector<OutputConstraint>> disjuncts;
  bool empty() const { return disjuncts.empty(); }
  /** The largest output index used, plus one (0 without constraints). */
  std::size_t outputs_used() const;
};

/** What Y_j means when a property is checked. */
enum class OutputsOf { QNN, DNN, DIFF };
const char* to_string(OutputsOf o);                   ///< "qnn", "dnn", "diff"
OutputsOf parse_outputs_of(const std::string& name);  ///< OptionError for another name
/** "QNN output j" / "DNN output j" / "QNN_j - DNN_j": for reports. */
std::string describe(OutputsOf o);

/** sum coefficient_j * y_j + constant. */
Rational left_side(const OutputConstraint& c, const std::vector<Rational>& y);
/** True when `y` satisfies every constraint of `conjunction`. */
bool satisfies(const std::vector<OutputConstraint>& conjunction, const std::vector<Rational>& y);
/** The first disjunct `y` satisfies, or -1. */
long satisfied_disjunct(const OutputProperty& p, const std::vector<Rational>& y);

/** "Y_0 - Y_1 + 0.5 <= 0" (with %.10g constants). */
std::string to_string(const OutputConstraint& c);

}  // namespace qeb::spec
