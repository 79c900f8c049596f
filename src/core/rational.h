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

/** n / 2^exponent exactly (exponent may be negative). */
Rational dyadic(i128 numerator, int exponent);

/** The nearest double (ties to even) of an exact rational. */
double to_double(const Rational& r);

/** Exact decimal string if the denominator is a power of 2 or 5 only, else "n/d". */
std::string to_string(const Rational& r);

/** Parses an exact decimal ("-0.125", "3", "1e-3", "2/3") into a rational; throws OptionError. */
Rational parse_rational(const std::string& text);

}  // namespace qeb
