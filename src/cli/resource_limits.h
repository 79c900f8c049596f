// --timeout and --memory-limit for the solving commands. Solvers do not always stop when asked
// (cvc5 1.0 cannot be interrupted; DRA and encoding are not interruptible either), so a watchdog
// thread enforces both limits on the whole process: past them it prints verdict unknown with the
// reason (text and, if asked, JSON) and ends the process with the "unknown" exit code.
#pragma once

#include <boost/program_options.hpp>
#include <string>

namespace qeb::cli {

struct ResourceLimits {
  double timeout_seconds = 0;  ///< wall time of the whole command, from process start; 0 = none
  double memory_mb = 0;        ///< resident memory of the process; 0 = none
};

/** --timeout SECONDS and --memory-limit MB, described for `what` ("task", "search"). */
boost::program_options::options_description resource_options(const std::string& what);

/** Reads and checks them (OptionError for negative, NaN or absurd values). */
ResourceLimits read_resource_limits(const boost::program_options::variables_map& vm);

/** Seconds since the kernel started the process (library loading included): the timeout's clock. */
double seconds_since_start();

/**
 * The time a command may still give its own solver calls so that it stops cleanly before the
 * watchdog: what is left of the timeout, or 0 (none) without one. Never below 1 ms.
 */
double solver_time_budget(const ResourceLimits& limits);

/**
 * Starts the watchdog (no-op without limits). It checks every 10 ms; time runs out at 1.03 x the
 * timeout (the command's own deadline comes first), memory when the resident set passes the limit.
 * It then prints verdict unknown with the reason, stops the run's report (cli/report.h: the
 * document keeps the envelope and whatever results the command recorded) and ends the process
 * with `unknown_exit_code`; a run whose report is already written is left to exit by itself.
 */
void start_watchdog(const ResourceLimits& limits, int unknown_exit_code);

/** read_resource_limits, then start_watchdog with the "unknown" exit code 20: what every command does. */
ResourceLimits enforce_resource_limits(const boost::program_options::variables_map& vm);

}  // namespace qeb::cli
