// The cvc5 adapter (cvc5 1.0.3 C++ API).
#pragma once

#include <memory>

#include "smt/backend.h"

namespace qeb::smt {

/**
 * A Backend over one incremental cvc5::Solver (logic ALL, bv-solver=bitblast-internal unless
 * options.extra says otherwise). options.extra holds cvc5 options ("bv-solver" -> "bitblast");
 * a bad name or value throws OptionError.
 *
 * cvc5 1.0.3 keeps its term store per thread: create, use and destroy a cvc5 backend on one thread
 * (a check() from another thread fails with "expecting bit-vector term").
 */
std::unique_ptr<Backend> make_cvc5_backend(const TermManager& terms, const BackendOptions& options);

/** The linked cvc5 library's version, e.g. "1.0.3" (asks a solver made on the calling thread, once). */
std::string cvc5_version();

}  // namespace qeb::smt
