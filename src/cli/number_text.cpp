#include "cli/number_text.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/rational.h"

namespace qeb::cli {

namespace {

constexpr double kTiny = 1e-200;
constexpr std::size_t kLongDecimal = 12;
constexpr std::size_t kLongFraction = 7;  // digits in n or d: shorter fractions (1/4, "[3/20]") stay as written

bool digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string decimal(double v) {
  if (std::fabs(v) < kTiny) v = 0;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string readable_numbers(const std::string& line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    // A number starts at a digit not glued to a word ("x1", "QF_BV2" stay as they are).
    bool starts = digit(line[i]) && (i == 0 || !(std::isalnum(static_cast<unsigned char>(line[i - 1])) || line[i - 1] == '_' || line[i - 1] == '.'));
    if (!starts) {
      out += line[i++];
      continue;
    }
    std::size_t j = i, significant = 0;
    while (j < line.size() && digit(line[j])) significant += line[j] != '0' || significant > 0, ++j;
    bool fraction = false;
    if (j + 1 < line.size() && line[j] == '/' && digit(line[j + 1])) {
      std::size_t numerator = j - i, d = ++j;
      while (j < line.size() && digit(line[j])) ++j;
      fraction = numerator >= kLongFraction || j - d >= kLongFraction;
    } else if (j + 1 < line.size() && line[j] == '.' && digit(line[j + 1])) {
      ++j;
      while (j < line.size() && digit(line[j])) significant += line[j] != '0' || significant > 0, ++j;
    }
    std::string number = line.substr(i, j - i);
    if (fraction || significant > kLongDecimal) {
      try {
        number = decimal(to_double(parse_rational(number)));
      } catch (const std::exception&) {
        // not a number after all (e.g. a zero denominator): keep the text
      }
    }
    out += number;
    i = j;
  }
  return out;
}

}  // namespace qeb::cli
