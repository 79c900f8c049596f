// Writes terms as an SMT-LIB 2.6 script (our own printer: exact literals, portable symbols, shared
// subterms named once), so a benchmark file states exactly what the backends solve.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "smt/term.h"

namespace qeb::smt {

/** One check of an incremental script: (push 1) (assert ...) (set-info :status s) (check-sat) (pop 1). */
struct ScopedCheck {
  std::vector<Term> assertions;
  std::string status = "unknown";  ///< sat, unsat or unknown
};

/** A whole benchmark: header, top-level assertions, then checks. */
struct Script {
  std::string logic;               ///< (set-logic L)
  std::string source;              ///< the text of (set-info :source |...|); must not contain '|'
  std::string status = "unknown";  ///< the header's (set-info :status ...)
  std::vector<Term> assertions;    ///< asserted once, at top level
  /// Empty: one (check-sat) of the top-level assertions (a non-incremental benchmark).
  /// Otherwise one scoped check each, and no top-level check.
  std::vector<ScopedCheck> checks;
};

/**
 * Prints `script` over the terms of `terms`. Every variable reachable from an assertion is declared;
 * every non-leaf term used more than once is printed once as (define-fun _tN () S e), so the text
 * is linear in the DAG's size. Int constants print as k / (- k), Real constants always as decimals
 * ((/ 1.0 3.0)), bit-vectors as #b... (or (_ bvN w) when wide). Throws std::logic_error on a
 * malformed script (bad status, '|' in the source).
 */
void print_smtlib(std::ostream& out, const TermManager& terms, const Script& script);

/** A single term in SMT-LIB syntax, without sharing (for messages and tests). */
std::string to_smtlib(const TermManager& terms, Term t);

}  // namespace qeb::smt
