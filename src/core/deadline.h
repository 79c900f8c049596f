// A time limit in seconds (a double, as the options give it) as a steady-clock deadline, and the
// seconds elapsed since a start.
#pragma once

#include <chrono>

namespace qeb {

inline std::chrono::steady_clock::time_point deadline_after(double seconds,
                                                            std::chrono::steady_clock::time_point from =
                                                                std::chrono::steady_clock::now()) {
  return from + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

/** Seconds on the steady clock since start: the stage timings every report carries. */
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace qeb
