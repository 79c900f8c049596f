// A small solver-neutral term language: encodings build terms here, backends translate them to
// Z3 or cvc5, and the SMT-LIB printer writes them out. Terms form a DAG in one TermManager; every
// argument of a term was created before it (so ids are a topological order).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/rational.h"

namespace qeb::smt {

enum class SortKind { BOOL, INT, REAL, BITVEC };

struct Sort {
  SortKind kind = SortKind::BOOL;
  uint32_t width = 0;  ///< bit-vectors only

  static Sort boolean() { return {SortKind::BOOL, 0}; }
  static Sort integer() { return {SortKind::INT, 0}; }
  static Sort real() { return {SortKind::REAL, 0}; }
  static Sort bitvec(uint32_t w) { return {SortKind::BITVEC, w}; }
  bool is_arith() const { return kind == SortKind::INT || kind == SortKind::REAL; }
  bool operator==(const Sort&) const = default;
  std::string to_string() const;  ///< SMT-LIB: Bool, Int, Real, (_ BitVec w)
};

enum class Kind {
  // Leaves.
  CONST_BOOL,   ///< value 0/1
  CONST_ARITH,  ///< an Int (integral value) or Real constant
  CONST_BV,     ///< value in [0, 2^width)
  VARIABLE,     ///< a declared constant symbol
  // Boolean.
  NOT, AND, OR, IMPLIES,
  ITE,    ///< (ite c a b), a and b of any equal sort
  EQUAL,  ///< two args of equal sort
  // Linear arithmetic over Int or Real (args of the term's sort unless noted).
  ADD,       ///< n-ary
  SUB,       ///< binary
  NEG,
  MUL,       ///< binary; the first argument is a constant (linear)
  LE, LT, GE, GT,  ///< binary comparisons of two args of one arithmetic sort
  TO_REAL,   ///< Int -> Real
  INT_DIV,   ///< (div a c) for a positive Int constant c: floor division
  // Bit-vectors (two's complement; args of the term's width unless noted).
  BV_ADD,          ///< binary
  BV_SUB, BV_NEG,
  BV_MUL,          ///< binary
  BV_ASHR,         ///< arithmetic shift right by the constant p0
  BV_EXTRACT,      ///< bits p0 (high) .. p1 (low)
  BV_SIGN_EXTEND,  ///< by p0 bits
  BV_ZERO_EXTEND,  ///< by p0 bits
  BV_SLE, BV_SLT, BV_ULE, BV_ULT,  ///< comparisons -> Bool
  BV_TO_NAT,       ///< unsigned value as an Int (SMT-LIB bv2nat)
};

using Term = uint32_t;

struct Node {
  Kind kind;
  Sort sort;
  std::vector<Term> args;
  uint32_t p0 = 0, p1 = 0;  ///< indices of extract, extend amount, shift amount
  Rational value;           ///< constants
  std::string name;         ///< variables
};

/**
 * Owns the terms. Every constructor checks sorts and throws std::logic_error on misuse (an
 * encoding bug), so a malformed term never reaches a solver.
 */
class TermManager {
 public:
  Term bool_const(bool v);
  Term int_const(const Rational& v);   ///< v must be integral
  Term real_const(const Rational& v);
  Term bv_const(const BigInt& v, uint32_t width);  ///< v taken modulo 2^width (negative values wrap)
  Term variable(const std::string& name, Sort sort);

  Term mk(Kind kind, std::vector<Term> args, uint32_t p0 = 0, uint32_t p1 = 0);

  // Conveniences.
  Term not_(Term a) { return mk(Kind::NOT, {a}); }
  Term and_(std::vector<Term> args);
  Term or_(std::vector<Term> args);
  Term implies(Term a, Term b) { return mk(Kind::IMPLIES, {a, b}); }
  Term ite(Term c, Term a, Term b) { return mk(Kind::ITE, {c, a, b}); }
  Term eq(Term a, Term b) { return mk(Kind::EQUAL, {a, b}); }
  Term add(std::vector<Term> args);  ///< n-ary; a single argument is returned as is
  Term scale(const Rational& c, Term a);  ///< c * a (Int: c integral)

  const Node& node(Term t) const { return d_nodes.at(t); }
  Sort sort(Term t) const { return d_nodes.at(t).sort; }
  std::size_t size() const { return d_nodes.size(); }
  /**
   * The terms reachable from `root` (itself included) for which `known` is false, in increasing
   * id order: since arguments have smaller ids than their terms, visiting them in this order
   * handles each one after its arguments, with neither recursion nor a second visit.
   */
  std::vector<Term> missing_cone(Term root, const std::function<bool(Term)>& known) const;
  /** Variables in creation order. */
  const std::vector<Term>& variables() const { return d_variables; }

 private:
  Term push(Node n);
  std::vector<Node> d_nodes;
  std::vector<Term> d_variables;
};

}  // namespace qeb::smt
