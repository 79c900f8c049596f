// Runs the qeb-smt binary in a shell and captures its output and exit code (CLI tests).
#pragma once

#include <string>

namespace qeb::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/** Runs `QEB_BINARY arguments` via /bin/sh (arguments are shell words). */
CommandResult run_qeb(const std::string& arguments);

/** Runs any shell command line (e.g. a solver binary on a file) and captures it the same way. */
CommandResult run_shell(const std::string& command);

}  // namespace qeb::test
