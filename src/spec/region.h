// Input regions: integer boxes over the QNN's integer input (spec section 2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/rational.h"

namespace qeb::spec {

/** The integer points x̂ with lo[k] <= x̂[k] <= hi[k]. */
struct Box {
  std::vector<int64_t> lo, hi;

  std::size_t dimension() const { return lo.size(); }
  /** Number of integer points, saturating at 2^62 (so "huge" compares correctly). */
  uint64_t point_count() const;
  /** Coordinates with lo < hi. */
  std::vector<std::size_t> free_dimensions() const;
  bool contains(const std::vector<int64_t>& x) const;
  /** "lo:hi,lo:hi,..." (the --box syntax). */
  std::string to_string() const;
};

/** Moves x to the box's next integer point, the first coordinate varying fastest; false after the last. */
inline bool next_point(const Box& box, std::vector<int64_t>& x) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (x[k] < box.hi[k]) {
      ++x[k];
      return true;
    }
    x[k] = box.lo[k];
  }
  return false;
}

/** Calls visit(x) for every integer point of the box, the first coordinate varying fastest. */
template <class Visit>
void for_each_point(const Box& box, Visit&& visit) {
  std::vector<int64_t> x = box.lo;
  do visit(static_cast<const std::vector<int64_t>&>(x));
  while (next_point(box, x));
}

/**
 * Checks the box has `input_size` coordinates, lo <= hi everywhere and lies within the input
 * format's integers. Throws OptionError naming the coordinate.
 */
void validate(const Box& box, std::size_t input_size, const FixedPointFormat& input_format);

/** Parses "lo:hi,lo:hi,..." (a bare "v" means v:v). Throws OptionError. */
Box parse_box(const std::string& text);

/** Parses "v,v,..." into integers. Throws OptionError naming `what`. */
std::vector<int64_t> parse_int_list(const std::string& text, const std::string& what);

/**
 * The region R(center, r): center ± radius per coordinate, clipped to the input format's integer
 * range (spec 2). Throws OptionError for a negative radius or a center outside the range.
 */
Box box_around(const std::vector<int64_t>& center, int64_t radius, const FixedPointFormat& input_format);

/** Parses "lo:hi,lo:hi,..." of exact rationals (a bare "v" means v:v). Throws OptionError. */
std::pair<std::vector<Rational>, std::vector<Rational>> parse_real_box(const std::string& text);

/** Parses "v,v,..." into exact rationals. Throws OptionError naming `what`. */
std::vector<Rational> parse_rational_list(const std::string& text, const std::string& what);

/**
 * The integer inputs x̂ whose real value (x̂ - zero_point) / input_scale lies in [lo_k, hi_k]:
 * [ceil(lo_k input_scale) + z, floor(hi_k input_scale) + z] exactly (rounded inward), clipped to the
 * input format's range (one line in `notes` says so). Throws OptionError for a coordinate that
 * holds no such integer.
 */
Box real_box(const std::vector<Rational>& lo, const std::vector<Rational>& hi, const Rational& input_scale,
             int64_t zero_point, const FixedPointFormat& in, std::vector<std::string>& notes);

}  // namespace qeb::spec
