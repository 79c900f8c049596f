#include "support/run_command.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/scratch_dir.h"

namespace qeb::test {

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

CommandResult run_qeb(const std::string& arguments) { return run_shell(std::string(QEB_BINARY) + " " + arguments); }

CommandResult run_shell(const std::string& command_line) {
  static int counter = 0;
  const std::filesystem::path& dir = scratch_dir();
  std::string out = (dir / ("out" + std::to_string(counter))).string();
  std::string err = (dir / ("err" + std::to_string(counter++))).string();
  std::string command = command_line + " >" + out + " 2>" + err + " </dev/null";
  int status = std::system(command.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace qeb::test
