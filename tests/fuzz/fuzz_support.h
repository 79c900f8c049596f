// Shared by the fuzz targets. A loader must reject bad input with a qeb::Error (the CLI turns it
// into a message and exit code 2/3); any other exception, a crash or a sanitizer report is a bug,
// so only qeb::Error is caught here and everything else reaches libFuzzer (or the replay driver).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "core/error.h"

namespace qeb::fuzz {

/** Runs `body`, treating a qeb::Error as the expected rejection of bad input. */
template <class Body>
int expect_clean_rejection(Body&& body) {
  try {
    body();
  } catch (const qeb::Error&) {
  }
  return 0;
}

/**
 * Writes the bytes to a per-process file in /dev/shm (tmpfs: no disk I/O per execution) with the
 * given extension, so the loaders run through the same path-based entry points users reach. The
 * files go when the process exits (tmpfs is memory).
 */
inline std::string write_input_file(const uint8_t* data, std::size_t size, const char* extension) {
  struct Written {
    std::set<std::string> paths;
    pid_t owner = getpid();
    ~Written() {
      if (getpid() == owner)  // not from a forked child
        for (const std::string& p : paths) std::remove(p.c_str());
    }
  };
  static Written written;
  static const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string path = dir + "/qeb-fuzz-" + std::to_string(getpid()) + extension;
  written.paths.insert(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
  return path;
}

inline std::string as_text(const uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace qeb::fuzz
