// The one interface every SMT solver is used through (Z3, cvc5). Small on purpose.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "smt/term.h"

namespace qeb::smt {

enum class SatResult { SAT, UNSAT, UNKNOWN };
const char* to_string(SatResult r);

/** A solver failed in a way that is not a verdict (exception inside the solver, bad option). */
class SolverError : public Error {
 public:
  using Error::Error;
};

struct BackendOptions {
  double timeout_seconds = 0;  ///< per check(); 0 = none
  unsigned seed = 0;
  std::map<std::string, std::string> extra;  ///< solver-specific options, passed through
};

/**
 * One incremental solver over the terms of one TermManager (which must outlive it). Terms are
 * translated on first use and cached.
 */
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual void assert_formula(Term formula) = 0;
  virtual void push() = 0;
  virtual void pop() = 0;
  /** Checks the assertions together with `assumptions` (Bool terms, usually variables). */
  virtual SatResult check(const std::vector<Term>& assumptions = {}) = 0;
  /**
   * After SAT: the model value of a variable or term. Int/Real: the exact rational; BitVec: the
   * unsigned value of its bits; Bool: 0 or 1.
   */
  virtual Rational value(Term term) = 0;
  /** After UNKNOWN: the solver's explanation (e.g. "timeout"). */
  virtual std::string reason_unknown() = 0;
  /**
   * Asks a check() running in another thread to stop soon; it then returns UNKNOWN. Thread-safe.
   * Best effort: a solver without such a call (cvc5 1.0) ignores it and runs to its timeout.
   */
  virtual void interrupt() {}
  /** The time limit of each later check() (seconds, > 0): callers pass what is left of their budget. */
  virtual void set_timeout(double seconds) = 0;
};

/** Names of the backends compiled in ("z3", "cvc5"). */
std::vector<std::string> available_backends();

/** The version of backend `name`'s library ("4.8.12.0"); OptionError for an unknown name. */
std::string backend_version(const std::string& name);

/** Creates a backend by name; throws OptionError for an unknown or absent one. */
std::unique_ptr<Backend> make_backend(const std::string& name, const TermManager& terms, const BackendOptions& options);

}  // namespace qeb::smt
