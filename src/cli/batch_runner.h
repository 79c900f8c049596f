// Runs batch instances as child qeb-smt processes, N at a time: a crash, a hang or a kill of one
// instance is its outcome, and the batch goes on.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/batch_instances.h"
#include "cli/batch_outcome.h"

namespace qeb::cli {

struct BatchRunOptions {
  std::string executable;  ///< the qeb-smt to run (its `verify` command)
  unsigned jobs = 1;
  std::string work_dir;    ///< each instance's document and stderr go here
  bool keep_files = false; ///< keep them (--log-dir) instead of removing each after reading
  /** Called as each instance ends (in completion order): its index and outcome. */
  std::function<void(std::size_t, const InstanceOutcome&)> done;
  /** Called about every second with the instances running and their seconds so far. */
  std::function<void(const std::string&)> running;
};

/** An instance's child is killed this long after its start: its --timeout plus a grace. */
double kill_deadline(double timeout);

/** Runs every instance; outcomes in instance order. */
std::vector<InstanceOutcome> run_instances(const std::vector<BatchInstance>& instances, const BatchRunOptions& options);

}  // namespace qeb::cli
