#include "smt/term.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace qeb::smt {

namespace {
[[noreturn]] void misuse(const std::string& what) { throw std::logic_error("smt term misuse: " + what); }
}  // namespace

std::string Sort::to_string() const {
  switch (kind) {
    case SortKind::BOOL: return "Bool";
    case SortKind::INT: return "Int";
    case SortKind::REAL: return "Real";
    case SortKind::BITVEC: return "(_ BitVec " + std::to_string(width) + ")";
  }
  return "?";
}

Term TermManager::push(Node n) {
  d_nodes.push_back(std::move(n));
  return Term(d_nodes.size() - 1);
}

Term TermManager::bool_const(bool v) { return push({Kind::CONST_BOOL, Sort::boolean(), {}, 0, 0, Rational(v ? 1 : 0), {}}); }

Term TermManager::int_const(const Rational& v) {
  if (boost::multiprecision::denominator(v) != 1) misuse("non-integral Int constant");
  return push({Kind::CONST_ARITH, Sort::integer(), {}, 0, 0, v, {}});
}

Term TermManager::real_const(const Rational& v) { return push({Kind::CONST_ARITH, Sort::real(), {}, 0, 0, v, {}}); }

Term TermManager::bv_const(const BigInt& v, uint32_t width) {
  if (width == 0) misuse("zero-width bit-vector");
  BigInt modulus = BigInt(1) << width;
  BigInt r = v % modulus;
  if (r < 0) r += modulus;
  return push({Kind::CONST_BV, Sort::bitvec(width), {}, 0, 0, Rational(r), {}});
}

Term TermManager::variable(const std::string& name, Sort sort) {
  if (sort.kind == SortKind::BITVEC && sort.width == 0) misuse("zero-width bit-vector variable");
  Term t = push({Kind::VARIABLE, sort, {}, 0, 0, Rational(0), name});
  d_variables.push_back(t);
  return t;
}

Term TermManager::and_(std::vector<Term> args) {
  if (args.empty()) return bool_const(true);
  if (args.size() == 1) return args[0];
  return mk(Kind::AND, std::move(args));
}

Term TermManager::or_(std::vector<Term> args) {
  if (args.empty()) return bool_const(false);
  if (args.size() == 1) return args[0];
  return mk(Kind::OR, std::move(args));
}

Term TermManager::add(std::vector<Term> args) {
  if (args.empty()) misuse("empty sum");
  if (args.size() == 1) return args[0];
  return mk(Kind::ADD, std::move(args));
}

Term TermManager::scale(const Rational& c, Term a) {
  Sort s = sort(a);
  Term k = s.kind == SortKind::INT ? int_const(c) : real_const(c);
  return mk(Kind::MUL, {k, a});
}

Term TermManager::mk(Kind kind, std::vector<Term> args, uint32_t p0, uint32_t p1) {
  for (Term a : args)
    if (a >= d_nodes.size()) misuse("argument does not exist");
  auto arity = [&](std::size_t n) {
    if (args.size() != n) misuse("wrong number of arguments");
  };
  auto all_sort = [&](Sort s) {
    for (Term a : args)
      if (!(sort(a) == s)) misuse("argument of sort " + sort(a).to_string() + " where " + s.to_string() + " expected");
  };
  Sort result = Sort::boolean();
  switch (kind) {
    case Kind::CONST_BOOL: case Kind::CONST_ARITH: case Kind::CONST_BV: case Kind::VARIABLE:
      misuse("leaves have their own constructors");
    case Kind::NOT: arity(1); all_sort(Sort::boolean()); break;
    case Kind::AND: case Kind::OR:
      if (args.size() < 2) misuse("and/or need two arguments");
      all_sort(Sort::boolean());
      break;
    case Kind::IMPLIES: arity(2); all_sort(Sort::boolean()); break;
    case Kind::ITE:
      arity(3);
      if (!(sort(args[0]) == Sort::boolean()) || !(sort(args[1]) == sort(args[2]))) misuse("ite sorts");
      result = sort(args[1]);
      break;
    case Kind::EQUAL:
      arity(2);
      if (!(sort(args[0]) == sort(args[1]))) misuse("= of different sorts");
      break;
    case Kind::ADD: case Kind::SUB: case Kind::NEG: case Kind::MUL:
      if (args.empty() || !sort(args[0]).is_arith()) misuse("arithmetic on a non-arithmetic sort");
      result = sort(args[0]);
      all_sort(result);
      if (kind == Kind::SUB || kind == Kind::MUL) arity(2);
      if (kind == Kind::NEG) arity(1);
      if (kind == Kind::ADD && args.size() < 2) misuse("sum of fewer than two terms");
      if (kind == Kind::MUL && node(args[0]).kind != Kind::CONST_ARITH) misuse("non-linear multiplication");
      break;
    case Kind::LE: case Kind::LT: case Kind::GE: case Kind::GT:
      arity(2);
      if (!sort(args[0]).is_arith()) misuse("comparison of non-arithmetic terms");
      all_sort(sort(args[0]));
      break;
    case Kind::TO_REAL: arity(1); all_sort(Sort::integer()); result = Sort::real(); break;
    case Kind::INT_DIV:
      arity(2);
      all_sort(Sort::integer());
      if (node(args[1]).kind != Kind::CONST_ARITH || node(args[1]).value <= 0) misuse("div by a non-positive or non-constant");
      result = Sort::integer();
      break;
    case Kind::BV_ADD: case Kind::BV_SUB: case Kind::BV_MUL:
      arity(2);
      if (sort(args[0]).kind != SortKind::BITVEC) misuse("bit-vector operation on another sort");
      result = sort(args[0]);
      all_sort(result);
      break;
    case Kind::BV_NEG: case Kind::BV_ASHR:
      arity(1);
      if (sort(args[0]).kind != SortKind::BITVEC) misuse("bit-vector operation on another sort");
      result = sort(args[0]);
      if (kind == Kind::BV_ASHR && p0 >= result.width) misuse("shift by the whole width");
      break;
    case Kind::BV_EXTRACT:
      arity(1);
      if (sort(args[0]).kind != SortKind::BITVEC || p0 < p1 || p0 >= sort(args[0]).width) misuse("bad extract");
      result = Sort::bitvec(p0 - p1 + 1);
      break;
    case Kind::BV_SIGN_EXTEND: case Kind::BV_ZERO_EXTEND:
      arity(1);
      if (sort(args[0]).kind != SortKind::BITVEC) misuse("extend of a non-bit-vector");
      result = Sort::bitvec(sort(args[0]).width + p0);
      break;
    case Kind::BV_SLE: case Kind::BV_SLT: case Kind::BV_ULE: case Kind::BV_ULT:
      arity(2);
      if (sort(args[0]).kind != SortKind::BITVEC) misuse("bit-vector comparison of another sort");
      all_sort(sort(args[0]));
      break;
    case Kind::BV_TO_NAT:
      arity(1);
      if (sort(args[0]).kind != SortKind::BITVEC) misuse("bv2nat of a non-bit-vector");
      result = Sort::integer();
      break;
  }
  return push({kind, result, std::move(args), p0, p1, Rational(0), {}});
}

}  // namespace qeb::smt

namespace qeb::smt {

std::vector<Term> TermManager::missing_cone(Term root, const std::function<bool(Term)>& known) const {
  std::vector<Term> todo, stack{root};
  std::unordered_set<Term> seen{root};
  while (!stack.empty()) {
    Term t = stack.back();
    stack.pop_back();
    todo.push_back(t);
    for (Term a : node(t).args)
      if (!known(a) && seen.insert(a).second) stack.push_back(a);
  }
  std::sort(todo.begin(), todo.end());
  return todo;
}

}  // namespace qeb::smt
