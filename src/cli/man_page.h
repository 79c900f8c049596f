// The manual page, generated from the help texts (so it never drifts from --help).
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"

namespace qeb::cli {

using Command = std::pair<std::string, int (*)(const Args&)>;

/**
 * Writes qeb-smt(1) in roff: the top-level usage, then each command's `--help` text verbatim.
 * @param usage the text `qeb-smt --help` prints
 */
void print_man_page(std::ostream& out, const std::string& usage, const std::vector<Command>& commands);

}  // namespace qeb::cli
