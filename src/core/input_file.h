// Opening a user's input file with the errors every loader gives the same way.
#pragma once

#include <fstream>
#include <string>

namespace qeb {

/**
 * Opens `path` for binary reading. Throws InputError naming the file when it does not exist, is a
 * directory ("is a directory, not a <kind>") or cannot be opened.
 */
std::ifstream open_input_file(const std::string& path, const std::string& kind);

}  // namespace qeb
