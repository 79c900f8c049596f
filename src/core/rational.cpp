#include "core/rational.h"

#include <algorithm>
#include <cmath>
#include <regex>

#include "core/error.h"

namespace qeb {

Rational rational_from_double(double v) {
  if (!std::isfinite(v)) throw InputError("non-finite value has no rational value");
  if (v == 0) return Rational(0);
  int exponent = 0;
  double mantissa = std::frexp(v, &exponent);  // v = mantissa * 2^exponent, 0.5 <= |m| < 1
  // 53 bits of mantissa become an exact integer.
  auto integer_mantissa = static_cast<long long>(std::ldexp(mantissa, 53));
  return dyadic(i128(integer_mantissa), 53 - exponent);
}

BigInt big_int(i128 v) {
  bool negative = v < 0;
  // Build the BigInt from the magnitude in two 64-bit halves.
  unsigned __int128 magnitude = negative ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  BigInt n = BigInt(static_cast<unsigned long long>(magnitude >> 64));
  n <<= 64;
  n += BigInt(static_cast<unsigned long long>(magnitude));
  return negative ? BigInt(-n) : n;
}

i128 to_i128(const BigInt& v) {
  if (v < -(BigInt(1) << 127) || v >= (BigInt(1) << 127)) throw OverflowError("an integer does not fit 128 bits");
  BigInt m = abs(v);
  unsigned __int128 magnitude = (unsigned __int128)static_cast<unsigned long long>(m >> 64) << 64;
  magnitude |= static_cast<unsigned long long>(m & BigInt(~0ULL));
  return v < 0 ? i128(-magnitude) : i128(magnitude);
}

Rational dyadic(i128 numerator, int exponent) {
  BigInt n = big_int(numerator);
  if (exponent >= 0) {
    BigInt d = 1;
    d <<= exponent;
    return Rational(n, d);
  }
  n <<= -exponent;
  return Rational(n);
}

BigInt floor_of(const Rational& r) {
  BigInt n = boost::multiprecision::numerator(r), d = boost::multiprecision::denominator(r);
  BigInt q = n / d;  // truncates toward zero
  return (n < 0 && q * d != n) ? BigInt(q - 1) : q;
}

BigInt ceil_of(const Rational& r) { return -floor_of(-r); }

BigInt round_half_even(const Rational& r) {
  BigInt f = floor_of(r);
  Rational rest = r - Rational(f);  // in [0, 1)
  if (rest > Rational(1, 2) || (rest == Rational(1, 2) && boost::multiprecision::bit_test(abs(f), 0))) return f + 1;
  return f;
}

double to_double(const Rational& r) { return r.convert_to<double>(); }

std::string to_string(const Rational& r) {
  BigInt num = boost::multiprecision::numerator(r);
  BigInt den = boost::multiprecision::denominator(r);
  if (den == 1) return num.str();
  // Exact decimal exists iff den = 2^a 5^b; scale to 10^max(a,b).
  BigInt d = den;
  int twos = 0, fives = 0;
  while (d % 2 == 0) { d /= 2; ++twos; }
  while (d % 5 == 0) { d /= 5; ++fives; }
  if (d != 1) return num.str() + "/" + den.str();
  int digits = std::max(twos, fives);
  BigInt scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  BigInt scaled = num * (scale / den);
  bool negative = scaled < 0;
  if (negative) scaled = -scaled;
  std::string s = scaled.str();
  if (int(s.size()) <= digits) s = std::string(digits - s.size() + 1, '0') + s;
  s.insert(s.size() - digits, ".");
  return (negative ? "-" : "") + s;
}

Rational parse_rational(const std::string& text) {
  static const std::regex fraction(R"(^\s*([+-]?\d+)\s*/\s*(\d+)\s*$)");
  static const std::regex decimal(R"(^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$)");
  std::smatch m;
  if (std::regex_match(text, m, fraction)) {
    std::string num = m[1].str(), den = m[2].str();
    auto strip = [](std::string v) {
      std::size_t sign = (!v.empty() && (v[0] == '-' || v[0] == '+')) ? 1 : 0;
      std::size_t first = v.find_first_not_of('0', sign);
      v.erase(sign, (first == std::string::npos ? v.size() : first) - sign);
      if (v.size() == sign) v += '0';
      return v[0] == '+' ? v.substr(1) : v;
    };
    BigInt d(strip(den));
    if (d == 0) throw OptionError("'" + text + "' divides by zero");
    return Rational(BigInt(strip(num)), d);
  }
  if (!std::regex_match(text, m, decimal) || (m[2].length() == 0 && m[3].length() == 0))
    throw OptionError("'" + text + "' is not a number");
  std::string digits = m[2].str() + m[3].str();
  // Boost reads a leading 0 as an octal prefix: strip leading zeros.
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  int exponent10 = -int(m[3].length());
  if (m[4].matched) {
    // Checked on the text first: std::stol throws out_of_range on exponents beyond 64 bits.
    std::string e_text = m[4].str();
    std::size_t e_digits = e_text.size() - (e_text[0] == '+' || e_text[0] == '-');
    long e = e_digits <= 6 ? std::stol(e_text) : 1000000;
    if (e > 10000 || e < -10000) throw OptionError("'" + text + "' has an absurd exponent");
    exponent10 += int(e);
  }
  Rational value{BigInt(digits.empty() ? "0" : digits)};
  BigInt ten = 1;
  for (int i = 0; i < std::abs(exponent10); ++i) ten *= 10;
  value = exponent10 >= 0 ? value * Rational(ten) : value / Rational(ten);
  return m[1].str() == "-" ? Rational(-value) : value;
}

}  // namespace qeb
