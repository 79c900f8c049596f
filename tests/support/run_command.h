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

}  // namespace qeb::test
