#include <doctest/doctest.h>

#include <cmath>

#include "core/error.h"
#include "core/int128.h"
#include "core/rational.h"

using namespace qeb;

TEST_CASE("doubles convert to their exact rational value") {
  CHECK(rational_from_double(0.375) == Rational(3, 8));
  CHECK(rational_from_double(-2.5) == Rational(-5, 2));
  CHECK(rational_from_double(0.0) == Rational(0));
  // 0.1 is not 1/10: its exact value has denominator 2^55.
  Rational tenth = rational_from_double(0.1);
  CHECK(tenth != Rational(1, 10));
  CHECK(boost::multiprecision::denominator(tenth) == BigInt(1) << 55);
  CHECK(to_double(tenth) == 0.1);
  CHECK(to_double(rational_from_double(float(1.2f))) == double(1.2f));
  CHECK_THROWS_AS(rational_from_double(std::nan("")), InputError);
}

TEST_CASE("dyadic builds n / 2^e for both signs of n and e") {
  CHECK(dyadic(3, 2) == Rational(3, 4));
  CHECK(dyadic(-3, 2) == Rational(-3, 4));
  CHECK(dyadic(5, -3) == Rational(40));
  i128 big = i128(1) << 100;
  CHECK(dyadic(big, 100) == Rational(1));
  i128 most_negative = -(i128(1) << 126) * 2;
  CHECK(dyadic(most_negative, 127) == Rational(-1));
}

TEST_CASE("rationals print exactly") {
  CHECK(to_string(Rational(-3, 8)) == "-0.375");
  CHECK(to_string(Rational(1, 40)) == "0.025");
  CHECK(to_string(Rational(7)) == "7");
  CHECK(to_string(Rational(1, 3)) == "1/3");
  CHECK(to_string(Rational(-1, 1024)) == "-0.0009765625");
}

TEST_CASE("decimal text parses exactly") {
  CHECK(parse_rational("0.1") == Rational(1, 10));
  CHECK(parse_rational("-2.5e-1") == Rational(-1, 4));
  CHECK(parse_rational("255") == Rational(255));
  CHECK(parse_rational("2/3") == Rational(2, 3));
  CHECK(parse_rational(".5") == Rational(1, 2));
  // Leading zeros are decimal, not an octal prefix (a real bug: "0.153" once read as 0.107).
  CHECK(parse_rational("0.153") == Rational(153, 1000));
  CHECK(parse_rational("0.09") == Rational(9, 100));
  CHECK(parse_rational("007") == Rational(7));
  CHECK(parse_rational("010/08") == Rational(10, 8));
  CHECK(parse_rational("-0/5") == Rational(0));
  CHECK_THROWS_AS(parse_rational("abc"), OptionError);
  CHECK_THROWS_AS(parse_rational("1/0"), OptionError);
  CHECK_THROWS_AS(parse_rational(""), OptionError);
}

TEST_CASE("128-bit helpers check overflow and shift arithmetically") {
  CHECK(to_string(i128(-1234567890123456789LL) * 1000) == "-1234567890123456789000");
  CHECK(to_string(i128(0)) == "0");
  CHECK(floor_shr(-5, 1) == -3);
  CHECK(floor_shr(5, 1) == 2);
  CHECK(floor_shr(-1, 200) == -1);
  i128 huge = i128(1) << 120;
  CHECK_THROWS_AS(checked_mul(huge, huge), OverflowError);
  CHECK_THROWS_AS(checked_shl(1, 127), OverflowError);
  CHECK(checked_shl(3, 4) == 48);
}
