// The Z3 adapter (Z3 4.8.12 C/C++ API, default solver).
#pragma once

#include <memory>

#include "smt/backend.h"

namespace qeb::smt {

/**
 * A Backend over Z3's default incremental solver. options.extra holds Z3 solver parameters
 * ("smt.arith.solver" -> "2", "random_seed" -> "3"); a bad name or value throws OptionError.
 */
std::unique_ptr<Backend> make_z3_backend(const TermManager& terms, const BackendOptions& options);

}  // namespace qeb::smt
