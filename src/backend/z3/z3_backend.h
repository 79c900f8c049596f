// The Z3 adapter (Z3 4.8.12 C/C++ API, a tactic-built solver).
#pragma once

#include <memory>

#include "smt/backend.h"

namespace qeb::smt {

/**
 * A Backend over a Z3 solver built from the tactics simplify, propagate-values, solve-eqs, smt
 * (kept under assumptions, unlike the default solver's preprocessing). options.extra holds Z3
 * solver parameters ("smt.arith.solver" -> "2", "random_seed" -> "3"; a bad name or value throws
 * OptionError) and our own key "tactic": a comma-separated tactic chain, or "default" for Z3's
 * default solver.
 */
std::unique_ptr<Backend> make_z3_backend(const TermManager& terms, const BackendOptions& options);

/** The linked Z3 library's version, e.g. "4.8.12.0". */
std::string z3_version();

}  // namespace qeb::smt
