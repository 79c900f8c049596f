#include "cli/man_page.h"

#include <iostream>
#include <sstream>

#include "cli/report.h"

namespace qeb::cli {

namespace {

// A block of preformatted text: backslashes escaped, lines that roff would read as requests guarded.
void verbatim(std::ostream& out, const std::string& text) {
  out << ".nf\n";
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::string escaped;
    for (char c : line) escaped += c == '\\' ? std::string("\\e") : std::string(1, c);
    if (!escaped.empty() && (escaped[0] == '.' || escaped[0] == '\'')) escaped = "\\&" + escaped;
    out << escaped << "\n";
  }
  out << ".fi\n";
}

// What `qeb-smt COMMAND --help` prints (the commands write their help to std::cout).
std::string help_text(int (*command)(const Args&)) {
  std::ostringstream captured;
  std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
  try {
    command({"--help"});
  } catch (...) {
    std::cout.rdbuf(saved);
    throw;
  }
  std::cout.rdbuf(saved);
  return captured.str();
}

}  // namespace

void print_man_page(std::ostream& out, const std::string& usage, const std::vector<Command>& commands) {
  out << ".TH QEB-SMT 1 \"\" \"qeb-smt " << report::qeb_smt_version() << "\" \"User Commands\"\n"
      << ".SH NAME\nqeb-smt \\- verify that a quantized neural network stays within an error bound of its "
         "real-valued network\n"
      << ".SH SYNOPSIS\n.B qeb-smt\n.I COMMAND\n[\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n";
  verbatim(out, usage);
  out << ".SH COMMANDS\n";
  for (const auto& [name, command] : commands) {
    out << ".SS " << name << "\n";
    verbatim(out, help_text(command));
  }
  out << ".SH FILES\nThe JSON result document is described by docs/result-schema.json in the source tree "
         "(installed under share/doc/qeb-smt).\n"
      << ".SH SEE ALSO\n.BR z3 (1),\n.BR cvc5 (1)\n";
}

}  // namespace qeb::cli
