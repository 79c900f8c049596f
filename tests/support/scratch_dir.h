// A directory for the files a test writes (properties, reports, a command's output), one per test
// process, removed with everything in it when the process exits: a suite run leaves nothing in
// the system's temporary directory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace qeb::test {

inline const std::filesystem::path& scratch_dir() {
  struct Directory {
    pid_t owner = ::getpid();  // before `path`, which is made from it
    std::filesystem::path path;
    Directory() : path(std::filesystem::temp_directory_path() / ("qeb_test_" + std::to_string(owner))) {
      std::filesystem::remove_all(path);  // a dead process's, with the same pid
      std::filesystem::create_directories(path);
    }
    ~Directory() {
      std::error_code ignored;  // a forked child that exits normally must not remove its parent's
      if (::getpid() == owner) std::filesystem::remove_all(path, ignored);
    }
  };
  static const Directory directory;
  return directory.path;
}

/** The path of `name` in the scratch directory. */
inline std::string scratch_path(const std::string& name) { return (scratch_dir() / name).string(); }

}  // namespace qeb::test
