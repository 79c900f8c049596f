#include "spec/sexpr.h"

#include <cctype>
#include <cstdlib>

#include "core/error.h"

namespace qeb::spec {

namespace {

constexpr std::size_t kMaxDepth = 100;        // VNN-LIB nests 4 or 5 deep; more is garbage
constexpr std::size_t kMaxNumberLength = 400;  // digits beyond this are not a real bound
constexpr long kMaxExponent = 1000;

[[noreturn]] void fail(const std::string& source, std::size_t line, const std::string& problem) {
  throw InputError(source, (line ? "line " + std::to_string(line) + ": " : "") + problem);
}

std::string lower(const std::string& s) {
  std::string out;
  for (char ch : s) out += char(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

std::string SExpr::show() const {
  if (!is_list) return "'" + (atom.size() > 40 ? atom.substr(0, 40) + "..." : atom) + "'";
  return items.empty() || items[0].is_list ? "a list" : "(" + items[0].atom + " ...)";
}

std::vector<SExpr> parse_sexprs(const std::string& text, const std::string& source) {
  std::vector<SExpr> top, open;  // `open`: the lists not closed yet, innermost last
  std::size_t line = 1;
  auto add = [&](SExpr n) { (open.empty() ? top : open.back().items).push_back(std::move(n)); };
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '\n') ++line, ++i;
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') ++i;
    else if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '(') {
      if (open.size() >= kMaxDepth) fail(source, line, "parentheses nested deeper than " + std::to_string(kMaxDepth));
      open.push_back(SExpr{true, "", {}, line});
      ++i;
    } else if (c == ')') {
      if (open.empty()) fail(source, line, "unbalanced ')': no '(' is open");
      SExpr done = std::move(open.back());
      open.pop_back();
      add(std::move(done));
      ++i;
    } else {
      std::size_t start = i;
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != '(' &&
             text[i] != ')' && text[i] != ';')
        ++i;
      if (open.empty())
        fail(source, line, "'" + text.substr(start, std::min<std::size_t>(i - start, 40)) +
                               "' outside parentheses (expected a command such as (assert ...))");
      add(SExpr{false, text.substr(start, i - start), {}, line});
    }
  }
  if (!open.empty())
    fail(source, 0, "truncated file or unbalanced parentheses: " + std::to_string(open.size()) +
                        " '(' still open at the end (the innermost opened at line " + std::to_string(open.back().line) + ")");
  return top;
}

bool looks_numeric(const std::string& s) {
  std::string l = lower(s);
  return std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.' || s[0] == '+' || s[0] == '-' ||
         l.find("nan") != std::string::npos || l.find("inf") != std::string::npos;
}

bool is_decimal(const std::string& s) {
  std::size_t i = 0, n = s.size(), mantissa = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

Rational parse_decimal(const SExpr& n, const std::string& source) {
  const std::string& s = n.atom;
  if (n.is_list || !is_decimal(s)) {
    std::string l = lower(s);
    bool special = !n.is_list && (l.find("nan") != std::string::npos || l.find("inf") != std::string::npos);
    fail(source, n.line, n.show() + " is not a number" + (special ? " (NaN and infinities are not bounds)" : ""));
  }
  if (s.size() > kMaxNumberLength) fail(source, n.line, "a number of " + std::to_string(s.size()) + " characters is not a bound");
  std::size_t i = 0;
  bool negative = s[0] == '-';
  if (s[0] == '+' || s[0] == '-') ++i;
  std::string digits;
  long exponent = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) digits += s[i];
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) digits += s[i], --exponent;
  if (i < s.size()) {  // e / E: at most a few characters, checked against an absurd magnitude
    std::string e = s.substr(i + 1);
    std::size_t first = e.find_first_of("0123456789");
    std::size_t nonzero = e.find_first_not_of('0', first);
    if (nonzero != std::string::npos && e.size() - nonzero > 6) fail(source, n.line, n.show() + " has an absurd exponent");
    long value = nonzero == std::string::npos ? 0 : std::stol(e.substr(nonzero));
    if (value > kMaxExponent) fail(source, n.line, n.show() + " has an absurd exponent");
    exponent += e[0] == '-' ? -value : value;
  }
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));  // no octal prefix for Boost
  BigInt mantissa(digits.empty() ? "0" : digits), ten = 1;
  for (long k = 0; k < std::labs(exponent); ++k) ten *= 10;
  Rational v = exponent >= 0 ? Rational(mantissa * ten) : Rational(mantissa, ten);
  return negative ? Rational(-v) : v;
}

}  // namespace qeb::spec
