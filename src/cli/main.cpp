// qeb-smt entry point: dispatches to a subcommand and maps errors to exit codes (one place).
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "cli/commands.h"
#include "core/error.h"

namespace {

constexpr const char* kUsage = R"(qeb-smt: verify that a quantized network stays within an error bound of its real-valued network.

Usage: qeb-smt COMMAND [OPTIONS]      (qeb-smt COMMAND --help for the command's options)

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

}  // namespace

int main(int argc, char** argv) {
  using namespace qeb::cli;
  const std::map<std::string, int (*)(const Args&)> commands = {
      {"info", cmd_info}, {"quantize", cmd_quantize}, {"eval", cmd_eval}, {"oracle", cmd_oracle}, {"dra", cmd_dra}, {"verify", cmd_verify}, {"emit", cmd_emit},
      {"max-error", cmd_max_error}, {"refine", cmd_refine}};
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::cout << "qeb-smt 0.1.0\n";
    return 0;
  }
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::cerr << "qeb-smt: unknown command '" << argv[1] << "'\n\n" << kUsage;
    return 2;
  }
  Args args(argv + 2, argv + argc);
  try {
    return it->second(args);
  } catch (const qeb::UnsupportedError& e) {
    std::cerr << "qeb-smt: unsupported: " << printable(e.what()) << "\n";
    return 3;
  } catch (const qeb::OptionError& e) {
    std::cerr << "qeb-smt " << argv[1] << ": " << printable(e.what()) << "\n(see qeb-smt " << argv[1] << " --help)\n";
    return 2;
  } catch (const qeb::InputError& e) {
    std::cerr << "qeb-smt: error: " << printable(e.what()) << "\n";
    return 2;
  } catch (const qeb::ReplayError& e) {
    std::cerr << "qeb-smt: internal error: " << printable(e.what()) << "\n";
    return 1;
  } catch (const qeb::Error& e) {
    std::cerr << "qeb-smt: error: " << printable(e.what()) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "qeb-smt: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "qeb-smt: internal error: " << printable(e.what()) << "\n";
    return 1;
  }
}
