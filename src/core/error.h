// Error hierarchy: thrown where a problem is detected, caught once in the CLI (exit codes there).
#pragma once

#include <stdexcept>
#include <string>

namespace qeb {

/** Base of every error qeb-smt reports to a user. */
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/** A malformed or inconsistent input file or value (model, region, dataset). */
class InputError : public Error {
 public:
  using Error::Error;
  /** @param file the file at fault, named first in the message. */
  InputError(const std::string& file, const std::string& problem)
      : Error(file + ": " + problem) {}
};

/** A well-formed input that uses a feature qeb-smt does not support (layer, operator, ...). */
class UnsupportedError : public Error {
 public:
  using Error::Error;
  UnsupportedError(const std::string& file, const std::string& problem)
      : Error(file + ": " + problem) {}
};

/** A bad command-line option or option combination. */
class OptionError : public Error {
 public:
  using Error::Error;
};

/** Exact arithmetic would leave its range (e.g. a 128-bit accumulator would overflow). */
class OverflowError : public Error {
 public:
  using Error::Error;
};

/** A solver model that does not replay on the exact evaluators: a bug, never a verdict. */
class ReplayError : public Error {
 public:
  using Error::Error;
};

}  // namespace qeb
