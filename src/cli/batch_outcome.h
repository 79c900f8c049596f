// What one batch instance came to, read from its child process: the exit status, its JSON document
// (docs/result-schema.json) and the end of its stderr. A crash or a kill is an outcome too.
#pragma once

#include <string>

namespace qeb::cli {

struct InstanceOutcome {
  std::string verdict = "error";  ///< verified, falsified, unknown or error
  std::string how;                ///< the deciding stages, e.g. "dra", "dra+smt", "attack", "partition"
  double seconds = 0;             ///< wall time of the child
  std::string max_error_lower;    ///< the largest |QNN - DNN| a counterexample showed ("" = none)
  std::string max_error_upper;    ///< a proven bound on max |QNN - DNN| over the checked outputs ("" = none)
  int exit_code = -1;             ///< the child's, or -1 when a signal ended it
  std::string vnncomp;            ///< VNN-COMP's word: unsat (holds), sat (violated), timeout, unknown, error
  std::string reason;             ///< for unknown and error
};

/**
 * @param wait_status from waitpid
 * @param document the child's --json file ("" if it wrote none)
 * @param stderr_tail the last lines the child printed on stderr
 * @param killed_by_batch the batch killed it past its time limit
 */
InstanceOutcome interpret(int wait_status, const std::string& document, const std::string& stderr_tail,
                          bool killed_by_batch, double seconds);

}  // namespace qeb::cli
