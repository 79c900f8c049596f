// fork() in a process with other threads copies only the calling thread: a lock another thread
// held at that moment (the allocator's, stdio's) stays locked in the child for good. Threads that
// may run while the process forks hold this mutex around work that can take such locks, and code
// that forks holds it across fork(). (Measured: the child that reads an .h5 file hung in
// AddressSanitizer's allocator, whose lock the --timeout watchdog thread held.)
#pragma once

#include <mutex>

namespace qeb {

inline std::mutex& fork_guard() {
  static std::mutex guard;
  return guard;
}

}  // namespace qeb
