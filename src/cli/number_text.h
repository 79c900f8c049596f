// Numbers as the text reports show them: %.10g decimals, never 100-digit exact fractions (the
// JSON document keeps the exact values).
#pragma once

#include <string>

namespace qeb::cli {

/**
 * `v` as %.10g. Magnitudes below 1e-200 print as 0: the sound analyses pad exact zeros with such
 * slack (DRA bounds an output that is exactly 0 by [-1e-300, 1e-300]), which says nothing to a reader.
 */
std::string decimal(double v);

/**
 * `line` with every long exact fraction n/d (7 or more digits in n or d) and every decimal longer
 * than 12 significant digits rewritten as %.10g; the rest (1/4, "[3/20]", words with digits)
 * unchanged. For progress lines, whose numbers the library formats exactly.
 */
std::string readable_numbers(const std::string& line);

}  // namespace qeb::cli
