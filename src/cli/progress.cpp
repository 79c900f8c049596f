#include "cli/progress.h"

#include <cstdio>
#include <cstdlib>

#include "cli/number_text.h"
#include "cli/resource_limits.h"
#include "core/fork_guard.h"

namespace qeb::cli {

namespace {

constexpr double kLongestSilence = 30;

// Under mpirun only rank 0 speaks (the other ranks are workers of the same run).
bool mpi_worker() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (!rank) rank = std::getenv("PMI_RANK");
  return rank && std::string(rank) != "0";
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Progress::Progress(std::string command, bool quiet, double first_beat)
    : d_command(std::move(command)), d_quiet(quiet || mpi_worker()), d_first_beat(first_beat),
      d_last_print(std::chrono::steady_clock::now()), d_next_beat(first_beat) {
  if (!d_quiet) d_thread = std::thread([this] { beat_loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(d_mutex);
    d_stop = true;
  }
  d_wake.notify_all();
  if (d_thread.joinable()) d_thread.join();
}

void Progress::print(const std::string& text) {
  // The .h5 loader forks: hold fork_guard around stdio, whose lock a child must not inherit held.
  std::lock_guard no_fork(fork_guard());
  std::fprintf(stderr, "%s: %s\n", d_command.c_str(), readable_numbers(text).c_str());
  std::fflush(stderr);
  d_last_print = std::chrono::steady_clock::now();
}

void Progress::line(const std::string& text) {
  if (d_quiet) return;
  std::lock_guard lock(d_mutex);
  print(text);
  d_last_line = text;
  d_status.clear();
  d_next_beat = d_first_beat;
}

void Progress::status(const std::string& text) {
  if (d_quiet) return;
  std::lock_guard lock(d_mutex);
  d_status = text;
}

void Progress::set_phase_hint(std::function<std::string(const std::string&)> hint) {
  std::lock_guard lock(d_mutex);
  d_hint = std::move(hint);
}

std::function<void(const std::string&)> Progress::callback() {
  if (d_quiet) return nullptr;
  return [this](const std::string& text) { line(text); };
}

void Progress::beat_loop() {
  std::unique_lock lock(d_mutex);
  while (!d_stop) {
    d_wake.wait_for(lock, std::chrono::milliseconds(200));
    if (d_stop) break;
    auto now = std::chrono::steady_clock::now();
    if (seconds(now - d_last_print) < d_next_beat) continue;
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds_since_start());  // the --timeout clock
    std::string phase = d_hint ? d_hint(d_last_line) : "";
    std::string what = !d_status.empty() ? d_status : phase.empty() ? std::string("working") : phase;
    if (d_status.empty() && !d_last_line.empty()) what += " (last step: " + d_last_line + ")";
    print(std::string(elapsed) + ": " + what);
    d_next_beat = std::min(2 * d_next_beat, kLongestSilence);
  }
}

}  // namespace qeb::cli
