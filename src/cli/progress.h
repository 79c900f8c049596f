// Progress on stderr for one command run: the library's step lines as they come (numbers as %.10g
// decimals), and a heartbeat when nothing was printed for a while, so that no phase (an attack, a
// partitioned run, a solver call) stays silent for minutes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace qeb::cli {

class Progress {
 public:
  /**
   * @param command prefixes every line ("verify: ...")
   * @param quiet   print nothing (-q)
   * @param first_beat seconds of silence before the first heartbeat; later ones wait twice as long, up to 30 s
   */
  Progress(std::string command, bool quiet, double first_beat = 2.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /** Prints a finished step now. Thread-safe. */
  void line(const std::string& text);
  /** Records the current state ("40000 / 1000000 points"); the heartbeat prints it. Thread-safe, cheap. */
  void status(const std::string& text);
  /** line() as the std::function the library's options take (empty when quiet). */
  std::function<void(const std::string&)> callback();
  /**
   * What the heartbeat says is probably running, given the last step's line (e.g. "attack" after
   * verify's DRA line); "" leaves it at "working". A guess from the library's wording: the
   * heartbeat shows the last line too.
   */
  void set_phase_hint(std::function<std::string(const std::string& last_line)> hint);

 private:
  void beat_loop();
  void print(const std::string& text);  ///< with the mutex held

  std::string d_command;
  bool d_quiet;
  double d_first_beat;
  std::mutex d_mutex;
  std::condition_variable d_wake;
  bool d_stop = false;
  std::string d_last_line, d_status;
  std::function<std::string(const std::string&)> d_hint;
  std::chrono::steady_clock::time_point d_last_print;
  double d_next_beat;
  std::thread d_thread;
};

}  // namespace qeb::cli
