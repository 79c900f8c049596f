// A time limit in seconds (a double, as the options give it) as a steady-clock deadline.
#pragma once

#include <chrono>

namespace qeb {

inline std::chrono::steady_clock::time_point deadline_after(double seconds,
                                                            std::chrono::steady_clock::time_point from =
                                                                std::chrono::steady_clock::now()) {
  return from + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace qeb
