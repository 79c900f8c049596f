#include "cli/report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <typeinfo>

#include "cli/resource_limits.h"
#include "core/error.h"
#include "smt/backend.h"

#ifndef QEB_SMT_VERSION
#error "QEB_SMT_VERSION must come from CMake's project(VERSION) (src/CMakeLists.txt)"
#endif

namespace qeb::cli::report {

namespace po = boost::program_options;

namespace {

struct State {
  std::mutex mutex;
  std::string command;
  std::string path;        ///< "" = no document, "-" = the original stdout
  int stdout_fd = -1;      ///< the original stdout, once "-" moved the text report to stderr
  nlohmann::json envelope = nlohmann::json::object();
  nlohmann::json fields = nlohmann::json::object();
  bool closed = false;
};

State& state() {
  static State s;
  return s;
}

// Creates or truncates the file now: an unwritable path fails before the run, not after it.
void check_writable(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw InputError(path, "cannot write the JSON file: it is a directory");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path, std::string("cannot write the JSON file: ") + std::strerror(errno));
  ::close(fd);
}

// With --json -, stdout belongs to the document: the text report goes to stderr from now on.
void move_text_to_stderr(State& s) {
  if (s.stdout_fd >= 0) return;
  std::fflush(stdout);
  s.stdout_fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (s.stdout_fd < 0) throw Error(std::string("cannot duplicate stdout: ") + std::strerror(errno));
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep the text in order with the progress lines
}

void use_path(State& s, const std::string& path) {
  if (path == s.path) return;
  if (path == "-") move_text_to_stderr(s);
  else check_writable(path);
  s.path = path;
}

nlohmann::json solvers() {
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : smt::available_backends()) {
    std::string version;
    try {
      version = smt::backend_version(name);
    } catch (const std::exception& e) {
      version = std::string("unavailable: ") + e.what();
    }
    list.push_back({{"name", name}, {"version", version}});
  }
  return list;
}

// A boost::any option value as JSON; every option type the commands declare.
nlohmann::json option_value(const po::variable_value& v) {
  const std::type_info& t = v.value().type();
  if (t == typeid(std::string)) return v.as<std::string>();
  if (t == typeid(bool)) return v.as<bool>();
  if (t == typeid(int)) return v.as<int>();
  if (t == typeid(unsigned)) return v.as<unsigned>();
  if (t == typeid(long long)) return v.as<long long>();
  if (t == typeid(unsigned long long)) return v.as<unsigned long long>();
  if (t == typeid(double)) return v.as<double>();
  if (t == typeid(std::vector<std::string>)) return v.as<std::vector<std::string>>();
  if (t == typeid(std::vector<long long>)) return v.as<std::vector<long long>>();
  return std::string("(value of type ") + t.name() + ")";
}

// The document as written: envelope, the command's fields, the outcome; seconds.total always.
nlohmann::json document(const State& s, const std::string& verdict, int exit_code) {
  nlohmann::json doc = s.envelope;
  doc.update(s.fields);
  doc["verdict"] = verdict;
  doc["exit_code"] = exit_code;
  if (!doc.contains("seconds") || !doc["seconds"].is_object()) doc["seconds"] = nlohmann::json::object();
  doc["seconds"]["total"] = seconds_since_start();
  if (!doc.contains("outputs")) doc["outputs"] = nlohmann::json::array();
  return doc;
}

void write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += std::size_t(n);
  }
}

// Called with the mutex held; never throws (it runs in catch blocks and in the watchdog).
void write(State& s, const nlohmann::json& doc) {
  s.closed = true;
  if (s.path.empty()) return;
  std::string text;
  try {
    text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } catch (const std::exception& e) {
    text = "{\"schema_version\": " + std::to_string(kSchemaVersion) +
           ", \"verdict\": \"error\", \"error\": {\"kind\": \"internal\", \"message\": \"JSON: " + e.what() + "\"}}\n";
  }
  std::fflush(stdout);
  if (s.path == "-") {
    write_all(s.stdout_fd >= 0 ? s.stdout_fd : STDOUT_FILENO, text);
    return;
  }
  std::ofstream out(s.path, std::ios::trunc);
  out << text;
  out.flush();
  if (!out) std::fprintf(stderr, "qeb-smt: error: %s: could not write the JSON file\n", s.path.c_str());
}

}  // namespace

const char* qeb_smt_version() { return QEB_SMT_VERSION; }

std::optional<std::string> find_json_path(const std::vector<std::string>& args) {
  std::optional<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--json" && i + 1 < args.size()) path = args[++i];
    else if (args[i].starts_with("--json=")) path = args[i].substr(7);
  }
  return path;
}

void open(const std::string& command, const std::string& json_path) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.command = command;
  s.envelope = {{"schema", "qeb-smt-result"},
                {"schema_version", kSchemaVersion},
                {"qeb_smt_version", qeb_smt_version()},
                {"command", command},
                {"options", nlohmann::json::object()}};
  if (json_path.empty()) return;
  use_path(s, json_path);
  s.envelope["solvers"] = solvers();
}

void set_json_path(const std::string& json_path) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  bool had = !s.path.empty();
  use_path(s, json_path);
  if (!had) s.envelope["solvers"] = solvers();
}

bool wanted() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return !s.path.empty();
}

void set_options(const po::variables_map& vm) {
  nlohmann::json options = nlohmann::json::object();
  for (const auto& [name, value] : vm)
    if (name != "help" && name != "json" && name != "quiet" && !value.empty()) options[name] = option_value(value);
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.envelope["options"] = options;
}

void update(const nlohmann::json& fields) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.fields.update(fields);
}

int finish(const nlohmann::json& fields, const std::string& verdict, int exit_code) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.closed) return exit_code;
  s.fields.update(fields);
  write(s, document(s, verdict, exit_code));
  return exit_code;
}

void fail(const std::string& kind, const std::string& message, int exit_code) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.closed) return;
  nlohmann::json doc = document(s, "error", exit_code);
  doc["error"] = {{"kind", kind}, {"message", message}};
  doc["reason"] = message;
  write(s, doc);
}

bool stop(const std::string& reason, int exit_code) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.closed) return false;
  nlohmann::json doc = document(s, "unknown", exit_code);
  doc["reason"] = reason;
  write(s, doc);
  return true;
}

void cancel() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.closed = true;
}

bool closed() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.closed;
}

nlohmann::json envelope() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.envelope;
}

}  // namespace qeb::cli::report
