#include "cli/resource_limits.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <thread>

#include "cli/common_options.h"
#include "cli/report.h"
#include "core/error.h"
#include "core/fork_guard.h"

namespace qeb::cli {

namespace po = boost::program_options;

namespace {

// When the kernel started this process, in seconds since boot: /proc/self/stat field 22 (clock
// ticks). Loading the solver libraries takes a noticeable part of a second before main, and a
// user's stopwatch (or a batch scheduler) counts it.
double process_start_since_boot() {
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');  // the command name may contain spaces: fields count from its end
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int k = 3; k <= 22 && fields >> field; ++k)
    if (k == 22) return std::stod(field) / double(sysconf(_SC_CLK_TCK));
  return -1;
}

double seconds_since_boot() {
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

const double kProcessStart = [] {
  double start = process_start_since_boot();
  return start >= 0 ? start : seconds_since_boot();  // no /proc: from static initialisation
}();

constexpr double kMaxMegabytes = 1 << 24;  // 16 TiB

// Resident set size in MB from /proc/self/statm (second field, in pages); 0 if unreadable.
double resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Ends the process with verdict unknown, unless the command already wrote its result: then the
// watchdog just stops watching (returns false) and the command exits on its own.
bool give_up(const std::string& reason, int exit_code) {
  if (!report::stop(reason, exit_code)) return false;
  std::printf("verdict: unknown (%s)\n", reason.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(exit_code);  // no destructors: other threads may be inside a solver
}

}  // namespace

po::options_description resource_options(const std::string& what) {
  po::options_description o("Resource limits (verdict unknown, with the reason, when one is reached)");
  o.add_options()
    ("timeout", po::value<double>()->default_value(0)->value_name("SECONDS"),
     ("wall-time limit for the whole " + what + ", counted from the start of qeb-smt; 0 = none").c_str())
    ("memory-limit", po::value<double>()->default_value(0)->value_name("MB"),
     "resident-memory limit of the process in MiB (solvers included); 0 = none");
  return o;
}

ResourceLimits read_resource_limits(const po::variables_map& vm) {
  ResourceLimits limits;
  limits.timeout_seconds = seconds_option(vm, "timeout", true);
  limits.memory_mb = vm["memory-limit"].as<double>();
  // NaN fails every comparison, so this test rejects it too.
  if (!(limits.memory_mb == 0 || (limits.memory_mb >= 16 && limits.memory_mb <= kMaxMegabytes)))
    throw OptionError("--memory-limit must be 0 (none) or from 16 to 16777216 MiB, got " +
                      std::to_string(limits.memory_mb));
  return limits;
}

double seconds_since_start() { return seconds_since_boot() - kProcessStart; }

double solver_time_budget(const ResourceLimits& limits) {
  if (limits.timeout_seconds <= 0) return 0;
  return std::max(0.001, limits.timeout_seconds - seconds_since_start());
}

void start_watchdog(const ResourceLimits& limits, int unknown_exit_code) {
  if (limits.timeout_seconds <= 0 && limits.memory_mb <= 0) return;
  // The caller may fork next (the .h5 reader does): a thread still starting up holds allocator
  // locks the child would inherit locked, so wait until this one is in its loop.
  std::promise<void> running;
  std::future<void> started = running.get_future();
  std::thread([limits, unknown_exit_code, running = std::move(running)]() mutable {
    const double deadline = limits.timeout_seconds * 1.03;
    running.set_value();
    while (true) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      std::lock_guard no_fork(fork_guard());  // reading /proc allocates: see core/fork_guard.h
      if (limits.timeout_seconds > 0 && seconds_since_start() >= deadline) {
        if (!give_up("timeout: the task did not stop in time and was ended", unknown_exit_code)) return;
      }
      if (limits.memory_mb > 0) {
        double used = resident_mb();
        if (used > limits.memory_mb) {
          char reason[160];
          std::snprintf(reason, sizeof reason, "memory limit: %.1f MiB resident, limit %.0f MiB", used, limits.memory_mb);
          if (!give_up(reason, unknown_exit_code)) return;
        }
      }
    }
  }).detach();
  started.wait();
}

ResourceLimits enforce_resource_limits(const po::variables_map& vm) {
  ResourceLimits limits = read_resource_limits(vm);
  start_watchdog(limits, 20);
  return limits;
}

}  // namespace qeb::cli
