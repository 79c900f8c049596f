// Exact rational arithmetic (Boost.Multiprecision) and exact conversions from doubles and dyadics.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <string>

#include "core/int128.h"

namespace qeb {

using Rational = boost::multiprecision::cpp_rational;
using BigInt = boost::multiprecision::cpp_int;

/** The exact value of a finite double (every double is a dyadic rational). */
Rational rational_from_double(double v);

/** The BigInt of a 128-bit integer, and back (OverflowError outside the 128-bit range). */
BigInt big_int(i128 v);
i128 to_i128(const BigInt& v);

/** n / 2^exponent exactly (exponent may be negative). */
Rational dyadic(i128 numerator, int exponent);

/** floor(r), ceil(r), and r rounded to the nearest integer with ties to even (ONNX's rounding). */
BigInt floor_of(const Rational& r);
BigInt ceil_of(const Rational& r);
BigInt round_half_even(const Rational& r);

/** The nearest double (ties to even) of an exact rational. */
double to_double(const Rational& r);

/** Exact decimal string if the denominator is a power of 2 or 5 only, else "n/d". */
std::string to_string(const Rational& r);

/** Parses an exact decimal ("-0.125", "3", "1e-3", "2/3") into a rational; throws OptionError. */
Rational parse_rational(const std::string& text);

}  // namespace qeb
