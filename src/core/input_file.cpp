#include "core/input_file.h"

#include <filesystem>

#include "core/error.h"

namespace qeb {

std::ifstream open_input_file(const std::string& path, const std::string& kind) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw InputError(path, "no such file");
  // A directory opens as a stream whose first read throws: say what it is instead.
  if (std::filesystem::is_directory(status)) throw InputError(path, "is a directory, not a " + kind);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  return in;
}

}  // namespace qeb
