#include "smt/evaluate.h"

#include <vector>

#include "core/error.h"

namespace qeb::smt {

namespace {

namespace mp = boost::multiprecision;

BigInt integer(const Rational& r) {
  // Every value reaching a bit-vector or Int operation is integral (checked at the variables).
  return mp::numerator(r);
}

BigInt modulus(uint32_t width) { return BigInt(1) << width; }

/** x mod 2^width in [0, 2^width). */
BigInt wrap(const BigInt& x, uint32_t width) {
  BigInt m = modulus(width);
  BigInt r = x % m;  // truncating: sign of x
  if (r < 0) r += m;
  return r;
}

/** The two's complement value of the unsigned bit pattern u of the given width. */
BigInt to_signed(const BigInt& u, uint32_t width) {
  if (mp::bit_test(u, width - 1)) return u - modulus(width);
  return u;
}

/** floor(a / b) for b > 0. */
BigInt floor_div(const BigInt& a, const BigInt& b) {
  BigInt q = a / b;  // truncates toward zero
  if (a < 0 && q * b != a) q -= 1;
  return q;
}

Rational boolean(bool b) { return Rational(b ? 1 : 0); }

std::string describe(const TermManager& terms, Term t) {
  const Node& n = terms.node(t);
  return "variable '" + n.name + "' (term " + std::to_string(t) + ", sort " + n.sort.to_string() + ")";
}

}  // namespace

const Rational& Evaluator::operator()(Term root) {
  if (auto it = d_cache.find(root); it != d_cache.end()) return it->second;
  // Iterative post-order over the uncached part of the DAG: deep terms must not overflow the stack.
  std::vector<Term> stack{root};
  while (!stack.empty()) {
    Term t = stack.back();
    if (d_cache.count(t)) {
      stack.pop_back();
      continue;
    }
    bool ready = true;
    for (Term a : d_terms.node(t).args)
      if (!d_cache.count(a)) {
        stack.push_back(a);
        ready = false;
      }
    if (!ready) continue;
    d_cache.emplace(t, compute(t));
    stack.pop_back();
  }
  return d_cache.at(root);
}

Rational Evaluator::compute(Term t) {
  const Node& n = d_terms.node(t);
  auto arg = [&](std::size_t i) -> const Rational& { return d_cache.at(n.args[i]); };
  auto bv = [&](std::size_t i) { return integer(arg(i)); };
  auto sbv = [&](std::size_t i) { return to_signed(integer(arg(i)), d_terms.sort(n.args[i]).width); };
  auto truth = [&](std::size_t i) { return arg(i) != 0; };
  const uint32_t width = n.sort.width;

  switch (n.kind) {
    case Kind::CONST_BOOL:
    case Kind::CONST_ARITH:
    case Kind::CONST_BV:
      return n.value;
    case Kind::VARIABLE: {
      auto it = d_values.find(t);
      if (it == d_values.end()) throw Error("evaluate: no value for " + describe(d_terms, t));
      const Rational& v = it->second;
      bool ok = true;
      switch (n.sort.kind) {
        case SortKind::BOOL: ok = v == 0 || v == 1; break;
        case SortKind::INT: ok = mp::denominator(v) == 1; break;
        case SortKind::REAL: break;
        case SortKind::BITVEC: ok = mp::denominator(v) == 1 && v >= 0 && mp::numerator(v) < modulus(n.sort.width); break;
      }
      if (!ok) throw Error("evaluate: value " + to_string(v) + " is not of the sort of " + describe(d_terms, t));
      return v;
    }

    case Kind::NOT: return boolean(!truth(0));
    case Kind::AND:
      for (std::size_t i = 0; i < n.args.size(); ++i)
        if (!truth(i)) return boolean(false);
      return boolean(true);
    case Kind::OR:
      for (std::size_t i = 0; i < n.args.size(); ++i)
        if (truth(i)) return boolean(true);
      return boolean(false);
    case Kind::IMPLIES: return boolean(!truth(0) || truth(1));
    case Kind::ITE: return truth(0) ? arg(1) : arg(2);
    case Kind::EQUAL: return boolean(arg(0) == arg(1));

    case Kind::ADD: {
      Rational s = 0;
      for (std::size_t i = 0; i < n.args.size(); ++i) s += arg(i);
      return s;
    }
    case Kind::SUB: return arg(0) - arg(1);
    case Kind::NEG: return -arg(0);
    case Kind::MUL: return arg(0) * arg(1);
    case Kind::LE: return boolean(arg(0) <= arg(1));
    case Kind::LT: return boolean(arg(0) < arg(1));
    case Kind::GE: return boolean(arg(0) >= arg(1));
    case Kind::GT: return boolean(arg(0) > arg(1));
    case Kind::TO_REAL: return arg(0);
    case Kind::INT_DIV: return Rational(floor_div(integer(arg(0)), integer(arg(1))));

    case Kind::BV_ADD: return Rational(wrap(bv(0) + bv(1), width));
    case Kind::BV_SUB: return Rational(wrap(bv(0) - bv(1), width));
    case Kind::BV_NEG: return Rational(wrap(-bv(0), width));
    case Kind::BV_MUL: return Rational(wrap(bv(0) * bv(1), width));
    case Kind::BV_ASHR: return Rational(wrap(floor_div(sbv(0), BigInt(1) << n.p0), width));
    case Kind::BV_EXTRACT: return Rational(wrap(bv(0) >> n.p1, width));
    case Kind::BV_SIGN_EXTEND: return Rational(wrap(sbv(0), width));
    case Kind::BV_ZERO_EXTEND: return arg(0);
    case Kind::BV_SLE: return boolean(sbv(0) <= sbv(1));
    case Kind::BV_SLT: return boolean(sbv(0) < sbv(1));
    case Kind::BV_ULE: return boolean(bv(0) <= bv(1));
    case Kind::BV_ULT: return boolean(bv(0) < bv(1));
    case Kind::BV_TO_NAT: return arg(0);
  }
  throw Error("evaluate: unknown term kind");
}

Rational evaluate(const TermManager& terms, Term t, const std::map<Term, Rational>& variable_values) {
  Evaluator evaluator(terms, variable_values);
  return evaluator(t);
}

}  // namespace qeb::smt
