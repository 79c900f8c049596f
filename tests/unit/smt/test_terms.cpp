// The term language: sort checking on construction, and the exact evaluator every model is
// replayed against.
#include <doctest/doctest.h>

#include <stdexcept>

#include "core/error.h"
#include "smt/evaluate.h"
#include "smt/term.h"
#include "support/powers.h"

using namespace qeb;
using namespace qeb::smt;

namespace {

/** Evaluates a closed term (no variables). */
Rational value_of(const TermManager& tm, Term t) { return evaluate(tm, t, {}); }

using qeb::test::pow2;

}  // namespace

TEST_CASE("sorts print in SMT-LIB syntax") {
  CHECK(Sort::boolean().to_string() == "Bool");
  CHECK(Sort::integer().to_string() == "Int");
  CHECK(Sort::real().to_string() == "Real");
  CHECK(Sort::bitvec(8).to_string() == "(_ BitVec 8)");
}

TEST_CASE("constants are stored normalised") {
  TermManager tm;
  CHECK(tm.node(tm.bv_const(-1, 8)).value == 255);
  CHECK(tm.node(tm.bv_const(-128, 8)).value == 128);
  CHECK(tm.node(tm.bv_const(256 + 5, 8)).value == 5);
  CHECK(tm.node(tm.bv_const(-(BigInt(1) << 100), 8)).value == 0);
  CHECK(tm.sort(tm.int_const(Rational(-3))) == Sort::integer());
  CHECK(tm.sort(tm.real_const(Rational(-3, 7))) == Sort::real());
  Term v = tm.variable("x", Sort::bitvec(3));
  CHECK(tm.variables() == std::vector<Term>{v});
}

TEST_CASE("misuse of the term constructors throws std::logic_error") {
  TermManager tm;
  Term p = tm.variable("p", Sort::boolean());
  Term x = tm.variable("x", Sort::integer());
  Term r = tm.variable("r", Sort::real());
  Term a = tm.variable("a", Sort::bitvec(8));
  Term b16 = tm.variable("b", Sort::bitvec(16));
  Term two = tm.int_const(2);
  Term half = tm.real_const(Rational(1, 2));

  CHECK_THROWS_AS(tm.int_const(Rational(1, 2)), std::logic_error);
  CHECK_THROWS_AS(tm.bv_const(1, 0), std::logic_error);
  CHECK_THROWS_AS(tm.variable("z", Sort::bitvec(0)), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::VARIABLE, {}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::CONST_BV, {}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::NOT, {Term(tm.size() + 5)}), std::logic_error);  // no such term
  // Boolean connectives.
  CHECK_THROWS_AS(tm.not_(x), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::NOT, {p, p}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::AND, {p}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::OR, {p, x}), std::logic_error);
  CHECK_THROWS_AS(tm.implies(p, a), std::logic_error);
  CHECK_THROWS_AS(tm.ite(x, p, p), std::logic_error);
  CHECK_THROWS_AS(tm.ite(p, x, r), std::logic_error);  // Int and Real never mix
  CHECK_THROWS_AS(tm.ite(p, a, b16), std::logic_error);
  CHECK_THROWS_AS(tm.eq(x, r), std::logic_error);
  CHECK_THROWS_AS(tm.eq(a, b16), std::logic_error);
  // Arithmetic.
  CHECK_THROWS_AS(tm.mk(Kind::ADD, {x, r}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::ADD, {x}), std::logic_error);
  CHECK_THROWS_AS(tm.add({}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::ADD, {a, a}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::SUB, {x, x, x}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::NEG, {p}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::MUL, {x, x}), std::logic_error);     // non-linear
  CHECK_THROWS_AS(tm.mk(Kind::MUL, {half, x}), std::logic_error);  // Real constant times Int
  CHECK_THROWS_AS(tm.scale(Rational(1, 2), x), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::LE, {x, r}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::LT, {a, a}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::GE, {p, p}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::TO_REAL, {r}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::INT_DIV, {x, x}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::INT_DIV, {x, tm.int_const(0)}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::INT_DIV, {x, tm.int_const(-2)}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::INT_DIV, {r, half}), std::logic_error);
  // Bit-vectors.
  CHECK_THROWS_AS(tm.mk(Kind::BV_ADD, {a, b16}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_MUL, {x, two}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_NEG, {x}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_ASHR, {a}, 8), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_EXTRACT, {a}, 8, 0), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_EXTRACT, {a}, 2, 3), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_SIGN_EXTEND, {x}, 2), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_SLT, {a, b16}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_ULE, {x, x}), std::logic_error);
  CHECK_THROWS_AS(tm.mk(Kind::BV_TO_NAT, {x}), std::logic_error);

  // Well-sorted uses are accepted and get the right sort.
  CHECK(tm.sort(tm.mk(Kind::BV_EXTRACT, {a}, 7, 4)) == Sort::bitvec(4));
  CHECK(tm.sort(tm.mk(Kind::BV_SIGN_EXTEND, {a}, 8)) == Sort::bitvec(16));
  CHECK(tm.sort(tm.mk(Kind::BV_ZERO_EXTEND, {a}, 0)) == Sort::bitvec(8));
  CHECK(tm.sort(tm.mk(Kind::BV_TO_NAT, {a})) == Sort::integer());
  CHECK(tm.sort(tm.mk(Kind::TO_REAL, {x})) == Sort::real());
  CHECK(tm.sort(tm.ite(p, x, two)) == Sort::integer());
  CHECK(tm.sort(tm.mk(Kind::BV_ULT, {a, a})) == Sort::boolean());
  CHECK(tm.and_({p}) == p);
  CHECK(tm.sort(tm.and_({})) == Sort::boolean());
}

TEST_CASE("evaluate: Boolean connectives, ite and equality") {
  TermManager tm;
  Term t = tm.bool_const(true), f = tm.bool_const(false);
  CHECK(value_of(tm, tm.not_(t)) == 0);
  CHECK(value_of(tm, tm.not_(f)) == 1);
  CHECK(value_of(tm, tm.and_({t, t, t})) == 1);
  CHECK(value_of(tm, tm.and_({t, f, t})) == 0);
  CHECK(value_of(tm, tm.or_({f, f, t})) == 1);
  CHECK(value_of(tm, tm.or_({f, f})) == 0);
  CHECK(value_of(tm, tm.implies(f, f)) == 1);
  CHECK(value_of(tm, tm.implies(t, f)) == 0);
  CHECK(value_of(tm, tm.implies(t, t)) == 1);
  Term x = tm.real_const(Rational(1, 3)), y = tm.real_const(Rational(-2));
  CHECK(value_of(tm, tm.ite(t, x, y)) == Rational(1, 3));
  CHECK(value_of(tm, tm.ite(f, x, y)) == -2);
  CHECK(value_of(tm, tm.eq(x, y)) == 0);
  CHECK(value_of(tm, tm.eq(x, tm.real_const(Rational(2, 6)))) == 1);
  CHECK(value_of(tm, tm.eq(t, tm.not_(f))) == 1);
  CHECK(value_of(tm, tm.eq(tm.bv_const(-1, 4), tm.bv_const(15, 4))) == 1);
}

TEST_CASE("evaluate: linear arithmetic over Int and Real, div is floor division") {
  TermManager tm;
  auto i = [&](long v) { return tm.int_const(Rational(v)); };
  auto q = [&](long n, long d) { return tm.real_const(Rational(n, d)); };
  CHECK(value_of(tm, tm.add({i(1), i(-5), i(7)})) == 3);
  CHECK(value_of(tm, tm.add({q(1, 3), q(1, 6)})) == Rational(1, 2));
  CHECK(value_of(tm, tm.mk(Kind::SUB, {i(2), i(9)})) == -7);
  CHECK(value_of(tm, tm.mk(Kind::NEG, {q(-3, 4)})) == Rational(3, 4));
  CHECK(value_of(tm, tm.scale(Rational(3, 2), q(-1, 3))) == Rational(-1, 2));
  CHECK(value_of(tm, tm.scale(Rational(-4), i(5))) == -20);
  CHECK(value_of(tm, tm.mk(Kind::LE, {i(3), i(3)})) == 1);
  CHECK(value_of(tm, tm.mk(Kind::LT, {i(3), i(3)})) == 0);
  CHECK(value_of(tm, tm.mk(Kind::GE, {q(1, 3), q(1, 4)})) == 1);
  CHECK(value_of(tm, tm.mk(Kind::GT, {q(1, 4), q(1, 3)})) == 0);
  CHECK(value_of(tm, tm.mk(Kind::TO_REAL, {i(-8)})) == -8);
  auto div = [&](long a, long c) { return value_of(tm, tm.mk(Kind::INT_DIV, {i(a), i(c)})); };
  CHECK(div(7, 2) == 3);
  CHECK(div(-7, 2) == -4);  // floor, not truncation
  CHECK(div(-8, 2) == -4);
  CHECK(div(-1, 3) == -1);
  CHECK(div(0, 5) == 0);
  CHECK(div(5, 1) == 5);
  // Big exact values.
  Term big = tm.int_const(Rational(pow2(100)));
  CHECK(value_of(tm, tm.mk(Kind::INT_DIV, {tm.mk(Kind::NEG, {big}), tm.int_const(3)})) ==
        Rational(-((pow2(100) + 2) / 3)));
}

TEST_CASE("evaluate: bit-vectors wrap and use two's complement where signed") {
  TermManager tm;
  auto c8 = [&](long v) { return tm.bv_const(v, 8); };
  auto ev = [&](Kind k, std::vector<Term> args, uint32_t p0 = 0, uint32_t p1 = 0) {
    return value_of(tm, tm.mk(k, std::move(args), p0, p1));
  };
  CHECK(ev(Kind::BV_ADD, {c8(200), c8(100)}) == 44);
  CHECK(ev(Kind::BV_SUB, {c8(3), c8(5)}) == 254);
  CHECK(ev(Kind::BV_NEG, {c8(1)}) == 255);
  CHECK(ev(Kind::BV_NEG, {c8(0)}) == 0);
  CHECK(ev(Kind::BV_NEG, {c8(-128)}) == 128);
  CHECK(ev(Kind::BV_MUL, {c8(16), c8(17)}) == 16);
  CHECK(ev(Kind::BV_MUL, {c8(-3), c8(5)}) == 256 - 15);
  // Arithmetic shift right rounds toward minus infinity.
  CHECK(ev(Kind::BV_ASHR, {c8(-16)}, 2) == 256 - 4);
  CHECK(ev(Kind::BV_ASHR, {c8(-15)}, 2) == 256 - 4);
  CHECK(ev(Kind::BV_ASHR, {c8(-1)}, 7) == 255);
  CHECK(ev(Kind::BV_ASHR, {c8(-128)}, 7) == 255);
  CHECK(ev(Kind::BV_ASHR, {c8(0x70)}, 4) == 7);
  CHECK(ev(Kind::BV_ASHR, {c8(13)}, 2) == 3);
  CHECK(ev(Kind::BV_ASHR, {c8(-5)}, 0) == 251);
  CHECK(ev(Kind::BV_EXTRACT, {c8(0xA5)}, 7, 4) == 0xA);
  CHECK(ev(Kind::BV_EXTRACT, {c8(0xA5)}, 0, 0) == 1);
  CHECK(ev(Kind::BV_EXTRACT, {c8(0xA5)}, 6, 1) == 0x12);
  CHECK(ev(Kind::BV_SIGN_EXTEND, {c8(0x80)}, 8) == 0xFF80);
  CHECK(ev(Kind::BV_SIGN_EXTEND, {c8(0x7F)}, 8) == 0x7F);
  CHECK(ev(Kind::BV_SIGN_EXTEND, {c8(0xFF)}, 0) == 0xFF);
  CHECK(ev(Kind::BV_ZERO_EXTEND, {c8(0x80)}, 8) == 0x80);
  // Signed and unsigned comparisons disagree exactly when the sign bits differ.
  CHECK(ev(Kind::BV_SLT, {c8(0x80), c8(1)}) == 1);
  CHECK(ev(Kind::BV_ULT, {c8(0x80), c8(1)}) == 0);
  CHECK(ev(Kind::BV_SLE, {c8(1), c8(-1)}) == 0);
  CHECK(ev(Kind::BV_ULE, {c8(1), c8(-1)}) == 1);
  CHECK(ev(Kind::BV_SLE, {c8(-3), c8(-3)}) == 1);
  CHECK(ev(Kind::BV_SLT, {c8(-3), c8(-3)}) == 0);
  CHECK(ev(Kind::BV_ULT, {c8(3), c8(4)}) == 1);
  CHECK(ev(Kind::BV_SLT, {c8(-4), c8(-3)}) == 1);
  CHECK(ev(Kind::BV_TO_NAT, {c8(-1)}) == 255);
  CHECK(ev(Kind::BV_TO_NAT, {tm.bv_const(-1, 1)}) == 1);
  // Wide vectors.
  Term w = tm.bv_const(-1, 128);
  CHECK(value_of(tm, tm.mk(Kind::BV_ADD, {w, tm.bv_const(2, 128)})) == 1);
  CHECK(value_of(tm, tm.mk(Kind::BV_TO_NAT, {w})) == Rational(pow2(128) - 1));
  CHECK(value_of(tm, tm.mk(Kind::BV_ASHR, {w}, 100)) == Rational(pow2(128) - 1));
}

TEST_CASE("evaluate: variables take their values from the assignment") {
  TermManager tm;
  Term x = tm.variable("x", Sort::integer());
  Term a = tm.variable("a", Sort::bitvec(4));
  Term p = tm.variable("p", Sort::boolean());
  Term r = tm.variable("r", Sort::real());
  Term sum = tm.add({tm.mk(Kind::TO_REAL, {tm.add({x, tm.mk(Kind::BV_TO_NAT, {a})})}), r});
  Term f = tm.ite(p, sum, tm.real_const(0));
  std::map<Term, Rational> values{{x, -3}, {a, 15}, {p, 1}, {r, Rational(1, 7)}};
  CHECK(evaluate(tm, f, values) == Rational(12) + Rational(1, 7));
  values[p] = 0;
  CHECK(evaluate(tm, f, values) == 0);

  Evaluator eval(tm, values);
  CHECK(eval(a) == 15);
  CHECK(eval(tm.mk(Kind::BV_SLT, {a, tm.bv_const(0, 4)})) == 1);

  // Missing or ill-sorted values are errors, not guesses.
  CHECK_THROWS_AS(evaluate(tm, f, {{x, -3}, {a, 15}, {p, 1}}), Error);
  CHECK_THROWS_AS(evaluate(tm, a, {{a, 16}}), Error);
  CHECK_THROWS_AS(evaluate(tm, a, {{a, -1}}), Error);
  CHECK_THROWS_AS(evaluate(tm, x, {{x, Rational(1, 2)}}), Error);
  CHECK_THROWS_AS(evaluate(tm, p, {{p, 2}}), Error);
  // The ite's unused branch still needs its variables (evaluation is total).
  CHECK_THROWS_AS(evaluate(tm, tm.ite(tm.bool_const(true), tm.int_const(1), x), {}), Error);
}

TEST_CASE("evaluate: a deep DAG needs neither recursion nor repeated work") {
  TermManager tm;
  // A chain 100000 deep, and a ladder that doubles at each step (2^60 paths, shared sub-terms).
  Term a = tm.variable("a", Sort::bitvec(16));
  Term chain = a;
  for (int i = 0; i < 100000; ++i) chain = tm.mk(Kind::BV_ADD, {chain, tm.bv_const(1, 16)});
  CHECK(evaluate(tm, chain, {{a, 7}}) == (7 + 100000) % 65536);
  Term x = tm.variable("x", Sort::integer());
  Term ladder = x;
  for (int i = 0; i < 60; ++i) ladder = tm.add({ladder, ladder});
  CHECK(evaluate(tm, ladder, {{x, 3}}) == Rational(3 * pow2(60)));
}
