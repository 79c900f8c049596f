#include "core/fixed_point.h"

#include <regex>

#include "core/error.h"

namespace qeb {

std::string FixedPointFormat::to_string() const {
  return std::string(is_signed ? "s" : "u") + std::to_string(total_bits) + "." + std::to_string(frac_bits);
}

void validate_format(const FixedPointFormat& f, const std::string& what) {
  if (f.total_bits < 1 || f.total_bits > 32)
    throw OptionError(what + ": bit-width Q=" + std::to_string(f.total_bits) + " is outside 1..32");
  if (f.frac_bits < 0)
    throw OptionError(what + ": fractional bits F=" + std::to_string(f.frac_bits) + " is negative");
  if (f.frac_bits > f.total_bits)
    throw OptionError(what + ": fractional bits F=" + std::to_string(f.frac_bits) +
                      " exceed the bit-width Q=" + std::to_string(f.total_bits));
}

FixedPointFormat parse_fixed_point_format(const std::string& text, const std::string& what) {
  static const std::regex form(R"(^([us])(\d{1,6})\.(-?\d{1,6})$)");
  std::smatch m;
  if (!std::regex_match(text, m, form))
    throw OptionError(what + ": '" + text + "' is not a fixed-point format; expected u<Q>.<F> or s<Q>.<F>, e.g. s4.3");
  FixedPointFormat f;
  f.is_signed = m[1].str() == "s";
  f.total_bits = std::stoi(m[2].str());
  f.frac_bits = std::stoi(m[3].str());
  validate_format(f, what);
  return f;
}

}  // namespace qeb
