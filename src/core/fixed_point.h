// A fixed-point format <sign, Q total bits, F fractional bits> (spec section 1.1).
#pragma once

#include <cstdint>
#include <string>

namespace qeb {

struct FixedPointFormat {
  bool is_signed = false;
  int total_bits = 8;  ///< Q, 1..32
  int frac_bits = 0;   ///< F, 0..Q: the real value of integer v is v / 2^F

  /** Smallest representable integer: 0 (unsigned) or -2^(Q-1) (signed). */
  int64_t min_int() const { return is_signed ? -(int64_t(1) << (total_bits - 1)) : 0; }
  /** Largest representable integer: 2^Q - 1 (unsigned) or 2^(Q-1) - 1 (signed). */
  int64_t max_int() const {
    return is_signed ? (int64_t(1) << (total_bits - 1)) - 1 : (int64_t(1) << total_bits) - 1;
  }
  /** "u8.8", "s4.3": the form accepted by parse_fixed_point_format. */
  std::string to_string() const;

  bool operator==(const FixedPointFormat&) const = default;
};

/**
 * Parses "u8.8" / "s4.3" (sign letter, Q, '.', F).
 * @param what names the tensor in error messages ("weights", "in", ...).
 * Throws OptionError for malformed text, Q outside 1..32, F < 0 or F > Q.
 */
FixedPointFormat parse_fixed_point_format(const std::string& text, const std::string& what);

/** Validates Q and F ranges; throws OptionError naming `what`. */
void validate_format(const FixedPointFormat& format, const std::string& what);

}  // namespace qeb
