#include "cli/batch_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace qeb::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kStderrTail = 4000;

struct Running {
  std::size_t index;
  pid_t pid;
  Clock::time_point start;
  std::string json_path, err_path;
  bool killed = false;
};

std::string read_file(const std::string& path, std::size_t tail = 0) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return tail && text.size() > tail ? text.substr(text.size() - tail) : text;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The child: stdin and stdout /dev/null (its result goes to its --json file), stderr to a file.
pid_t spawn(const std::string& executable, const std::vector<std::string>& args, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(executable.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The batch blocks SIGINT/SIGTERM/SIGHUP for its signal thread (cli/signals.h): children start unblocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) throw Error("cannot start " + executable + ": " + std::strerror(rc));
  return pid;
}

// A file name from the instance's name: letters, digits, '-', '_' and '.' only.
std::string file_stem(std::size_t index, const std::string& name) {
  std::string s = std::to_string(index + 1) + "-";
  for (char c : name.substr(0, 60)) s += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return s;
}

}  // namespace

double kill_deadline(double timeout) { return timeout * 1.1 + 2; }

std::vector<InstanceOutcome> run_instances(const std::vector<BatchInstance>& instances, const BatchRunOptions& options) {
  std::vector<InstanceOutcome> outcomes(instances.size());
  std::vector<Running> running;
  std::size_t next = 0;
  auto last_report = Clock::now();
  while (next < instances.size() || !running.empty()) {
    while (running.size() < std::max(1u, options.jobs) && next < instances.size()) {
      std::string stem = (std::filesystem::path(options.work_dir) / file_stem(next, instances[next].name)).string();
      Running r{next, 0, Clock::now(), stem + ".json", stem + ".err"};
      std::remove(r.json_path.c_str());
      r.pid = spawn(options.executable, verify_arguments(instances[next], r.json_path), r.err_path);
      running.push_back(r);
      ++next;
    }
    bool any_done = false;
    for (auto it = running.begin(); it != running.end();) {
      int status = 0;
      pid_t got = waitpid(it->pid, &status, WNOHANG);
      if (got == 0) {
        if (!it->killed && seconds_since(it->start) > kill_deadline(instances[it->index].timeout)) {
          kill(it->pid, SIGKILL);
          it->killed = true;
        }
        ++it;
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      InstanceOutcome o = interpret(status, read_file(it->json_path), read_file(it->err_path, kStderrTail), it->killed,
                                    seconds_since(it->start));
      outcomes[it->index] = o;
      if (!options.keep_files) {
        std::remove(it->json_path.c_str());
        std::remove(it->err_path.c_str());
      }
      if (options.done) options.done(it->index, o);
      it = running.erase(it);
      any_done = true;
    }
    if (options.running && !running.empty() && seconds_since(last_report) >= 1) {
      std::string text = "running";
      for (const Running& r : running) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " (%.0f s)", seconds_since(r.start));
        text += (&r == &running.front() ? ": " : ", ") + instances[r.index].name + buf;
      }
      options.running(text);
      last_report = Clock::now();
    }
    if (!any_done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return outcomes;
}

}  // namespace qeb::cli
