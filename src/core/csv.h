// CSV text (RFC 4180: quoted fields may hold commas, quotes as "" and newlines), with the line each
// record starts on, for messages.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace qeb {

struct CsvRecord {
  std::size_t line = 0;             ///< 1-based line where the record starts
  std::vector<std::string> fields;
};

/**
 * Every record of `text` (a final line break is optional; \r before \n is dropped). Throws
 * InputError "source: line N: ..." for a quote left open at the end of the text.
 */
std::vector<CsvRecord> parse_csv(const std::string& text, const std::string& source);

/** One field as CSV writes it: quoted (with "" for ") when it holds a comma, a quote or a line break. */
std::string csv_field(const std::string& value);

}  // namespace qeb
