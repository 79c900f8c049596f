// Exact evaluation of terms under an assignment of their variables: the oracle every solver model
// is replayed against before it is believed.
#pragma once

#include <map>
#include <unordered_map>

#include "core/rational.h"
#include "smt/term.h"

namespace qeb::smt {

/**
 * Evaluates terms of one TermManager under one assignment, caching every sub-term's value so that
 * many terms over a shared DAG (e.g. all assertions of a query) cost one pass. Values are encoded
 * as in Backend::value: Bool as 0/1, Int/Real exactly, BitVec as the unsigned value in [0, 2^w).
 * Signed bit-vector operations use two's complement; INT_DIV is floor division.
 *
 * Both the TermManager and the assignment must outlive the Evaluator.
 */
class Evaluator {
 public:
  Evaluator(const TermManager& terms, const std::map<Term, Rational>& variable_values)
      : d_terms(terms), d_values(variable_values) {}

  /** Throws qeb::Error if a variable reached has no value or a value outside its sort. */
  const Rational& operator()(Term t);

 private:
  Rational compute(Term t);
  const TermManager& d_terms;
  const std::map<Term, Rational>& d_values;
  std::unordered_map<Term, Rational> d_cache;
};

/** The exact value of `t` (see Evaluator). Throws qeb::Error if a variable has no value. */
Rational evaluate(const TermManager& terms, Term t, const std::map<Term, Rational>& variable_values);

}  // namespace qeb::smt
