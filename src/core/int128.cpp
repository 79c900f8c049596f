#include "core/int128.h"

#include <algorithm>

namespace qeb {

std::string to_string(i128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  std::string digits;
  // Work with negative values so the most negative i128 needs no special case.
  i128 n = negative ? v : -v;
  while (n != 0) {
    digits.push_back(char('0' - int(n % 10)));
    n /= 10;
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace qeb
