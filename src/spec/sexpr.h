// S-expressions as VNN-LIB (an SMT-LIB subset) writes them, and its decimal numbers: the reader is
// iterative, depth-limited and linear in the text; every error names the source and the line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/rational.h"

namespace qeb::spec {

/** An atom, or a parenthesised list, with the line it starts on. */
struct SExpr {
  bool is_list = false;
  std::string atom;
  std::vector<SExpr> items;
  std::size_t line = 0;

  /** True for a list whose first item is the atom `name`. */
  bool head_is(const char* name) const { return is_list && !items.empty() && !items[0].is_list && items[0].atom == name; }
  /** 'atom' (cut at 40 characters), (head ...) or "a list": for messages. */
  std::string show() const;
};

/** Top-level expressions of `text`; `;` comments are skipped. Throws InputError "source: line N: ...". */
std::vector<SExpr> parse_sexprs(const std::string& text, const std::string& source);

/** Decimal syntax: [+-] digits [. digits] [(e|E) [+-] digits], a digit before or after the point. */
bool is_decimal(const std::string& s);

/** A failed attempt at a number: starts like one, or spells NaN / infinity. */
bool looks_numeric(const std::string& s);

/**
 * The exact value of a decimal atom (never through a double). Throws InputError naming `source`
 * and the line for anything else, NaN and infinities included, and for absurd lengths or exponents.
 */
Rational parse_decimal(const SExpr& atom, const std::string& source);

}  // namespace qeb::spec
