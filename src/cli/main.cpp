// qeb-smt entry point: dispatches to a subcommand and maps errors to exit codes (one place).
#include <unistd.h>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/man_page.h"
#include "cli/report.h"
#include "cli/signals.h"
#include "core/error.h"
#include "model/load_network.h"

namespace {

// An unknown command is a usage error (exit 2) with the command list.
struct UnknownCommand : qeb::OptionError {
  using qeb::OptionError::OptionError;
};

constexpr const char* kUsage = R"(qeb-smt: verify that a quantized network stays within an error bound of its real-valued network.

Usage: qeb-smt COMMAND [OPTIONS]      (qeb-smt COMMAND --help for the command's options)
       qeb-smt --version | --help | --man

Commands:
  info       show a network's shape, weights and quantization (shifts, ranges)
  quantize   derive the quantized network and write it as QNN JSON (for --qnn)
  eval       run both networks on one input, or measure accuracy on MNIST samples
  oracle     exact min/max of QNN - DNN per output over a region (brute force; ground truth)
  dra        differential reachability analysis: bounds on QNN - DNN per neuron; --eps gives a verdict
  verify     prove |QNN - DNN| <= eps over a region, or refute it with a replayed counterexample
  emit       write the problem verify solves as an SMT-LIB 2.6 benchmark (with the status obtained)
  max-error  the exact maximum |QNN - DNN| per output over a region, bracketed to a tolerance
  refine     the cheapest per-layer bit-widths for which every region verifies (counterexample-guided)
  batch      run verify on every instance of a CSV file (VNN-COMP style), N at a time; results.csv

Options of qeb-smt itself:
  --version  print the version      --help  this text      --man  the manual page (roff) on stdout

Every command takes --json FILE (- = stdout, the text report then goes to stderr): one
JSON document of the same shape for every outcome, errors and --timeout stops included
(docs/result-schema.json).

Exit codes:
  0  success / verified      10  falsified (verify)     20  unknown (verify, dra --eps)
  2  bad usage or input      3  unsupported feature      1  internal error
)";

// Messages quote names read from files: control bytes and invalid UTF-8 are shown as \xNN, so a
// corrupt file cannot garble the terminal or a log (valid UTF-8, e.g. in file names, is kept).
std::string printable(const std::string& text) {
  std::string out;
  auto hex = [&](unsigned char c) {
    const char* digits = "0123456789abcdef";
    out += "\\x";
    out += digits[c >> 4];
    out += digits[c & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += char(c);
      ++i;
      continue;
    }
    std::size_t length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (valid) {
      out.append(text, i, length);
      i += length;
    } else {
      hex(c);
      ++i;
    }
  }
  return out;
}

// The document's "kind" of an error, and its exit code, for the exception being handled.
struct Failure {
  const char* kind;
  const char* prefix;  ///< printed before the message
  int exit_code;
  std::string message;
};

Failure classify(const std::string& command) {
  try {
    throw;
  } catch (const qeb::UnsupportedError& e) {
    return {"unsupported", "qeb-smt: unsupported: ", 3, printable(e.what())};
  } catch (const qeb::OptionError& e) {
    return {"usage", "", 2, printable(e.what())};
  } catch (const qeb::InputError& e) {
    return {"input", "qeb-smt: error: ", 2, printable(e.what())};
  } catch (const qeb::ReplayError& e) {
    return {"internal", "qeb-smt: internal error: ", 1, printable(e.what())};
  } catch (const qeb::Error& e) {
    return {"internal", "qeb-smt: error: ", 1, printable(e.what())};
  } catch (const std::bad_alloc&) {
    return {"out-of-memory", "qeb-smt: ", 1, "out of memory"};
  } catch (const std::exception& e) {
    return {"internal", "qeb-smt: internal error: ", 1, printable(e.what())};
  }
}

bool asks_for_help(const qeb::cli::Args& args) {
  for (const std::string& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

// A command that returned without writing its document (a bug) still leaves one behind.
const char* verdict_of_exit_code(int code) {
  return code == 0 ? "done" : code == 10 ? "falsified" : code == 20 ? "unknown" : "error";
}

// The child that reads an .h5 file before this process does (model/load_keras_h5.cpp) is this
// program started again with this hidden first argument: a forked child of a process with threads
// (signals, watchdog, progress) can hang on a lock one of them held at the fork.
constexpr const char* kProbeHdf5 = "--internal-probe-h5";

void start_hdf5_probes_as_this_program() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;  // unknown: the loader forks instead
  self[n] = '\0';
  qeb::model::set_hdf5_probe_command(self, kProbeHdf5);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace qeb::cli;
  if (argc == 3 && !std::strcmp(argv[1], kProbeHdf5)) return qeb::model::probe_keras_h5(argv[2]);
  start_hdf5_probes_as_this_program();
  const std::vector<Command> list = {
      {"info", cmd_info}, {"quantize", cmd_quantize}, {"eval", cmd_eval},           {"oracle", cmd_oracle},
      {"dra", cmd_dra},   {"verify", cmd_verify},     {"max-error", cmd_max_error}, {"emit", cmd_emit},
      {"refine", cmd_refine}, {"batch", cmd_batch}};
  const std::map<std::string, int (*)(const Args&)> commands(list.begin(), list.end());
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "qeb-smt " << report::qeb_smt_version() << "\n";
    return 0;
  }
  if (!std::strcmp(argv[1], "--man")) {
    print_man_page(std::cout, kUsage, list);
    return 0;
  }
  const std::string command = argv[1];
  Args args(argv + 2, argv + argc);
  handle_termination_signals();  // before any other thread: they all inherit the blocked signals
  try {
    std::optional<std::string> json = report::find_json_path(args);
    report::open(command, json && !asks_for_help(args) ? *json : "");
    auto it = commands.find(command);
    if (it == commands.end()) throw UnknownCommand("unknown command '" + command + "'");
    int code = it->second(args);
    if (!report::closed()) report::finish({}, verdict_of_exit_code(code), code);
    return code;
  } catch (...) {
    Failure f = classify(command);
    if (f.exit_code == 2 && f.prefix[0] == '\0') {
      bool unknown_command = commands.find(command) == commands.end();
      std::cerr << "qeb-smt" << (unknown_command ? "" : " " + command) << ": " << f.message << "\n";
      if (unknown_command) std::cerr << "\n" << kUsage;
      else std::cerr << "(see qeb-smt " << command << " --help)\n";
    } else {
      std::cerr << f.prefix << f.message << "\n";
    }
    report::fail(f.kind, f.message, f.exit_code);
    return f.exit_code;
  }
}
