// Every backend in available_backends() must give the same verdicts, and every model it returns
// must satisfy the assertions when replayed exactly by evaluate().
#include <doctest/doctest.h>

#include <chrono>
#include <random>

#include "core/error.h"
#include "smt/backend.h"
#include "smt/evaluate.h"
#include "smt/term.h"
#include "support/powers.h"
#include "support/trials.h"

using namespace qeb;
using namespace qeb::smt;

namespace {

using qeb::test::pow2;

/** The model's value of every variable of `tm`. */
std::map<Term, Rational> model_of(Backend& solver, const TermManager& tm) {
  std::map<Term, Rational> values;
  for (Term v : tm.variables()) values[v] = solver.value(v);
  return values;
}

/** Checks that the current model satisfies every assertion, replayed exactly. */
void check_model(Backend& solver, const TermManager& tm, const std::vector<Term>& assertions) {
  auto values = model_of(solver, tm);
  Evaluator eval(tm, values);
  for (Term a : assertions) {
    INFO("assertion term " << a);
    CHECK(eval(a) == 1);
  }
}

/** Asserts all, checks, and on SAT replays the model. */
SatResult solve(const std::string& backend, const TermManager& tm, const std::vector<Term>& assertions,
                const BackendOptions& options = {}) {
  auto solver = make_backend(backend, tm, options);
  for (Term a : assertions) solver->assert_formula(a);
  SatResult r = solver->check();
  if (r == SatResult::SAT) check_model(*solver, tm, assertions);
  return r;
}

/** Shorthands over one TermManager. */
struct Builder {
  TermManager tm;
  Term var(const std::string& n, Sort s) { return tm.variable(n, s); }
  Term i(long v) { return tm.int_const(Rational(v)); }
  Term q(long n, long d) { return tm.real_const(Rational(n, d)); }
  Term bv(long v, uint32_t w) { return tm.bv_const(v, w); }
  Term mk(Kind k, std::vector<Term> args, uint32_t p0 = 0, uint32_t p1 = 0) { return tm.mk(k, std::move(args), p0, p1); }
  Term eq(Term a, Term b) { return tm.eq(a, b); }
  Term not_(Term a) { return tm.not_(a); }
};

}  // namespace

TEST_CASE("the factory knows z3 and cvc5 and rejects other names") {
  auto names = available_backends();
  CHECK(names == std::vector<std::string>{"z3", "cvc5"});
  TermManager tm;
  for (const auto& n : names) CHECK(make_backend(n, tm, {})->name() == n);
  try {
    make_backend("yices", tm, {});
    FAIL("no exception");
  } catch (const OptionError& e) {
    CHECK(std::string(e.what()).find("z3, cvc5") != std::string::npos);
  }
}

TEST_CASE("options: solver-specific extras are passed through, bad ones are OptionErrors") {
  TermManager tm;
  Term x = tm.variable("x", Sort::integer());
  Term f = tm.mk(Kind::GT, {x, tm.int_const(3)});
  BackendOptions good_z3;
  good_z3.extra = {{"smt.arith.solver", "2"}, {"model", "true"}, {"smt.relevancy", "0"}};
  CHECK(solve("z3", tm, {f}, good_z3) == SatResult::SAT);
  // Z3's default solver takes its SAT core's parameters; our tactic chain is ours to choose.
  good_z3.extra = {{"tactic", "default"}, {"sat.restart.factor", "1.5"}};
  CHECK(solve("z3", tm, {f}, good_z3) == SatResult::SAT);
  good_z3.extra = {{"tactic", "simplify,smt"}};
  CHECK(solve("z3", tm, {f}, good_z3) == SatResult::SAT);
  BackendOptions good_cvc5;
  good_cvc5.extra = {{"bv-solver", "bitblast"}, {"simplification", "none"}};
  CHECK(solve("cvc5", tm, {f}, good_cvc5) == SatResult::SAT);

  for (auto extra : std::vector<std::map<std::string, std::string>>{
           {{"no_such_option", "1"}}, {{"timeout", "soon"}}, {{"model", "maybe"}}, {{"smt.arith.solver", "fast"}},
           {{"smt.no_such_option", "true"}}, {{"tactic", "no-such-tactic"}}})
    CHECK_THROWS_AS(make_backend("z3", tm, {0, 0, extra}), OptionError);
  for (auto extra : std::vector<std::map<std::string, std::string>>{
           {{"no-such-option", "1"}}, {{"bv-solver", "nonsense"}}, {{"seed", "x"}}})
    CHECK_THROWS_AS(make_backend("cvc5", tm, {0, 0, extra}), OptionError);
}

TEST_CASE("backends: every kind in a satisfiable query, model replayed exactly") {
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      Builder b;
      auto& tm = b.tm;
      Term p = b.var("p", Sort::boolean()), q = b.var("q", Sort::boolean());
      Term x = b.var("x", Sort::integer()), y = b.var("y", Sort::integer());
      Term r = b.var("r", Sort::real()), s = b.var("s", Sort::real());
      Term a = b.var("a", Sort::bitvec(8)), c = b.var("c", Sort::bitvec(8));
      Term w = b.var("w", Sort::bitvec(16));
      std::vector<Term> as = {
          // Int: floor division of a negative, linear terms.
          b.eq(x, b.mk(Kind::INT_DIV, {y, b.i(3)})),
          b.mk(Kind::LT, {y, b.i(-4)}),
          b.mk(Kind::GE, {b.mk(Kind::SUB, {x, y}), b.i(2)}),
          // Real, mixed with Int through to_real.
          b.eq(r, b.tm.add({tm.scale(Rational(1, 3), b.mk(Kind::TO_REAL, {y})), b.q(-5, 2)})),
          b.mk(Kind::GT, {b.mk(Kind::SUB, {s, r}), b.q(1, 7)}),
          b.mk(Kind::LE, {b.mk(Kind::NEG, {s}), b.q(10, 1)}),
          // Bit-vectors: overflow, negation, multiplication, shifts, extract, extends.
          b.eq(a, b.mk(Kind::BV_ADD, {c, b.bv(200, 8)})),
          b.mk(Kind::BV_ULT, {a, c}),  // only by wrap-around
          b.mk(Kind::BV_SLT, {b.mk(Kind::BV_ASHR, {a}, 2), b.bv(0, 8)}),
          b.eq(b.mk(Kind::BV_EXTRACT, {a}, 3, 0), b.bv(0x5, 4)),
          b.eq(w, b.mk(Kind::BV_SIGN_EXTEND, {b.mk(Kind::BV_MUL, {a, b.bv(3, 8)})}, 8)),
          b.mk(Kind::BV_ULE, {b.mk(Kind::BV_ZERO_EXTEND, {b.mk(Kind::BV_NEG, {c})}, 8), w}),
          b.mk(Kind::BV_SLE, {b.mk(Kind::BV_SUB, {c, a}), b.bv(100, 8)}),
          // bv2nat links the theories.
          b.mk(Kind::GE, {b.tm.add({b.mk(Kind::BV_TO_NAT, {a}), x}), b.i(3)}),
          // Boolean structure.
          tm.implies(p, q),
          tm.or_({p, b.mk(Kind::LT, {r, b.q(-100, 1)})}),
          b.mk(Kind::GT, {tm.ite(q, x, y), b.i(-100)}),
          tm.and_({tm.not_(b.eq(p, q)), b.eq(q, b.tm.bool_const(true))}),
      };
      auto solver = make_backend(backend, tm, {});
      for (Term f : as) solver->assert_formula(f);
      REQUIRE(solver->check() == SatResult::SAT);
      check_model(*solver, tm, as);
      // value() of every term, including compound ones, agrees with the exact evaluator.
      auto values = model_of(*solver, tm);
      Evaluator eval(tm, values);
      const std::size_t before = tm.size();
      for (Term t = 0; t < before; ++t) {
        INFO("term " << t);
        CHECK(solver->value(t) == eval(t));
      }
      // Terms built after the check are translated on demand.
      Term later = b.mk(Kind::BV_TO_NAT, {b.mk(Kind::BV_SIGN_EXTEND, {a}, 4)});
      CHECK(solver->value(later) == evaluate(tm, later, values));
    }
  }
}

TEST_CASE("backends: each kind agrees with evaluate() on pinned edge-case values") {
  // Every variable is fixed, so the solver must compute each term's value itself.
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      std::mt19937 rng(7);
      for (long av : {0L, 1L, 127L, 128L, 129L, 200L, 255L, 0xF1L}) {
        Builder b;
        auto& tm = b.tm;
        Term a = b.var("a", Sort::bitvec(8)), c = b.var("c", Sort::bitvec(8));
        Term x = b.var("x", Sort::integer());
        Term r = b.var("r", Sort::real());
        long cv = long(rng() % 256), xv = long(rng() % 41) - 20;
        std::vector<Term> pins = {b.eq(a, b.bv(av, 8)), b.eq(c, b.bv(cv, 8)), b.eq(x, b.i(xv)),
                                  b.eq(r, b.q(long(rng() % 11) - 5, 7))};
        std::vector<Term> terms;
        for (uint32_t k : {0u, 1u, 2u, 7u}) terms.push_back(b.mk(Kind::BV_ASHR, {a}, k));
        for (auto k : {Kind::BV_ADD, Kind::BV_SUB, Kind::BV_MUL, Kind::BV_SLE, Kind::BV_SLT, Kind::BV_ULE, Kind::BV_ULT})
          terms.push_back(b.mk(k, {a, c}));
        terms.push_back(b.mk(Kind::BV_NEG, {a}));
        terms.push_back(b.mk(Kind::BV_EXTRACT, {a}, 6, 2));
        terms.push_back(b.mk(Kind::BV_SIGN_EXTEND, {a}, 5));
        terms.push_back(b.mk(Kind::BV_ZERO_EXTEND, {a}, 5));
        terms.push_back(b.mk(Kind::BV_TO_NAT, {a}));
        for (long d : {1L, 2L, 3L, 7L}) terms.push_back(b.mk(Kind::INT_DIV, {x, b.i(d)}));
        terms.push_back(b.mk(Kind::INT_DIV, {b.mk(Kind::NEG, {b.mk(Kind::BV_TO_NAT, {a})}), b.i(16)}));
        terms.push_back(b.tm.add({b.mk(Kind::TO_REAL, {x}), r, b.q(-1, 3)}));
        terms.push_back(b.tm.scale(Rational(-9, 4), r));
        terms.push_back(b.mk(Kind::SUB, {x, b.i(-1000)}));
        auto solver = make_backend(backend, tm, {});
        for (Term f : pins) solver->assert_formula(f);
        REQUIRE(solver->check() == SatResult::SAT);
        auto values = model_of(*solver, tm);
        CHECK(values[a] == av);
        Evaluator eval(tm, values);
        for (Term t : terms) {
          INFO("a = " << av << ", term " << t);
          CHECK(solver->value(t) == eval(t));
        }
      }
    }
  }
}

TEST_CASE("backends: unsatisfiable facts of each theory") {
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      Builder b;
      auto& tm = b.tm;
      Term x = b.var("x", Sort::integer()), y = b.var("y", Sort::integer());
      Term r = b.var("r", Sort::real());
      Term a = b.var("a", Sort::bitvec(8)), c = b.var("c", Sort::bitvec(8));
      auto sext16 = [&](Term t) { return b.mk(Kind::BV_SIGN_EXTEND, {t}, 16 - tm.sort(t).width); };
      auto unsat = [&](std::vector<Term> as) {
        CHECK(solve(backend, tm, as) == SatResult::UNSAT);
      };
      auto sat = [&](std::vector<Term> as) { CHECK(solve(backend, tm, as) == SatResult::SAT); };

      // 3x = 7 has no integer solution, but a rational one.
      unsat({b.eq(tm.scale(Rational(3), x), b.i(7))});
      sat({b.eq(tm.scale(Rational(3), r), b.q(7, 1))});
      {
        auto s = make_backend(backend, tm, {});
        s->assert_formula(b.eq(tm.scale(Rational(3), r), b.q(7, 1)));
        REQUIRE(s->check() == SatResult::SAT);
        CHECK(s->value(r) == Rational(7, 3));
      }
      // div is floor division: (div -7 2) = -4, and div brackets its argument.
      unsat({b.eq(x, b.i(-7)), b.eq(b.mk(Kind::INT_DIV, {x, b.i(2)}), b.i(-3))});
      unsat({b.eq(y, b.mk(Kind::INT_DIV, {x, b.i(4)})),
             tm.not_(tm.and_({b.mk(Kind::LE, {tm.scale(Rational(4), y), x}),
                              b.mk(Kind::LT, {x, tm.add({tm.scale(Rational(4), y), b.i(4)})})}))});
      // to_real is exact and Int-valued.
      unsat({b.eq(b.mk(Kind::TO_REAL, {x}), b.q(1, 2))});
      // Bit-vector overflow facts.
      unsat({b.mk(Kind::BV_ULT, {b.mk(Kind::BV_ADD, {a, b.bv(1, 8)}), a}), tm.not_(b.eq(a, b.bv(255, 8)))});
      unsat({b.eq(b.mk(Kind::BV_NEG, {a}), a), tm.not_(b.eq(a, b.bv(0, 8))), tm.not_(b.eq(a, b.bv(128, 8)))});
      unsat({b.mk(Kind::BV_SLT, {a, b.bv(0, 8)}), b.mk(Kind::BV_ULT, {a, b.bv(128, 8)})});
      unsat({b.mk(Kind::BV_ULT, {a, b.bv(16, 8)}), b.mk(Kind::BV_ULT, {c, b.bv(16, 8)}),
             b.mk(Kind::BV_ULT, {b.mk(Kind::BV_MUL, {a, c}), a}), tm.not_(b.eq(c, b.bv(0, 8)))});
      sat({b.mk(Kind::BV_ULT, {a, b.bv(128, 8)}), b.mk(Kind::BV_ULT, {c, b.bv(128, 8)}),
           b.mk(Kind::BV_SLT, {b.mk(Kind::BV_ADD, {a, c}), b.bv(0, 8)})});
      // ashr rounds toward minus infinity: for x + 2 without overflow, 4*(ashr (x+2) 2) <= x+2 < 4*(..)+4.
      {
        Term x2 = b.mk(Kind::BV_ADD, {a, b.bv(2, 8)});
        Term h = sext16(b.mk(Kind::BV_ASHR, {x2}, 2));
        Term four_h = b.mk(Kind::BV_MUL, {b.bv(4, 16), h});
        Term bracket = tm.and_({b.mk(Kind::BV_SLE, {four_h, sext16(x2)}),
                                b.mk(Kind::BV_SLT, {sext16(x2), b.mk(Kind::BV_ADD, {four_h, b.bv(4, 16)})})});
        unsat({b.mk(Kind::BV_SLT, {a, b.bv(126, 8)}), tm.not_(bracket)});
        // Rounding toward zero would differ on negatives: (ashr -3 2) is -1, not 0.
        unsat({b.eq(a, b.bv(-5, 8)), b.eq(b.mk(Kind::BV_ASHR, {x2}, 2), b.bv(0, 8))});
        // The same rounding through bv2nat and div: ashr of a non-negative value is div by 2^k.
        unsat({b.mk(Kind::BV_SLE, {b.bv(0, 8), a}),
               tm.not_(b.eq(b.mk(Kind::BV_TO_NAT, {b.mk(Kind::BV_ASHR, {a}, 3)}),
                            b.mk(Kind::INT_DIV, {b.mk(Kind::BV_TO_NAT, {a}), b.i(8)})))});
      }
      unsat({b.mk(Kind::BV_SLT, {a, b.bv(0, 8)}), tm.not_(b.eq(b.mk(Kind::BV_ASHR, {a}, 7), b.bv(255, 8)))});
      // Extract and extends.
      unsat({b.eq(b.mk(Kind::BV_EXTRACT, {a}, 7, 7), b.bv(1, 1)), b.mk(Kind::BV_ULT, {a, b.bv(128, 8)})});
      unsat({b.mk(Kind::BV_SLT, {a, b.bv(0, 8)}), b.mk(Kind::BV_ULT, {sext16(a), b.bv(0xFF80, 16)})});
      unsat({b.mk(Kind::BV_ULT, {b.bv(255, 16), b.mk(Kind::BV_ZERO_EXTEND, {a}, 8)})});
      // bv2nat is the unsigned value.
      unsat({b.mk(Kind::GE, {b.mk(Kind::BV_TO_NAT, {a}), b.i(256)})});
      unsat({b.mk(Kind::LT, {b.mk(Kind::BV_TO_NAT, {a}), b.i(0)})});
      unsat({b.mk(Kind::BV_SLT, {a, b.bv(0, 8)}), b.mk(Kind::LT, {b.mk(Kind::BV_TO_NAT, {a}), b.i(128)})});
      // Overflow seen through bv2nat. 4 bits only: cvc5 1.0.3 is exponential in the width here
      // (4 bits 0.04 s, 6 bits 0.5 s, 8 bits 20 s; Z3 0.02 s at 8 bits).
      {
        Term a4 = b.var("a4", Sort::bitvec(4)), c4 = b.var("c4", Sort::bitvec(4));
        Term sum = b.mk(Kind::BV_ADD, {a4, c4});
        unsat({b.eq(b.mk(Kind::BV_TO_NAT, {sum}), tm.add({b.mk(Kind::BV_TO_NAT, {a4}), b.mk(Kind::BV_TO_NAT, {c4})})),
               b.mk(Kind::BV_ULT, {sum, a4})});
      }
      // Booleans.
      Term p = b.var("p", Sort::boolean());
      unsat({tm.implies(p, tm.not_(p)), p});
      unsat({b.eq(p, tm.not_(p))});
      unsat({tm.ite(p, b.mk(Kind::GT, {x, b.i(5)}), b.mk(Kind::LT, {x, b.i(-5)})),
             b.mk(Kind::LE, {tm.ite(p, x, tm.mk(Kind::NEG, {x})), b.i(5)})});
    }
  }
}

TEST_CASE("backends: constants keep their exact value however large") {
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      TermManager tm;
      Term x = tm.variable("x", Sort::integer());
      Term r = tm.variable("r", Sort::real());
      Term a = tm.variable("a", Sort::bitvec(128));
      Rational big_int(pow2(100) + 1), big_q(-(pow2(90) + 7), pow2(70) * 3);
      BigInt big_bv = pow2(127) + 12345;
      std::vector<Term> as = {tm.eq(x, tm.int_const(-big_int)), tm.eq(r, tm.real_const(big_q)),
                              tm.eq(a, tm.bv_const(-big_bv, 128))};
      auto s = make_backend(backend, tm, {});
      for (Term f : as) s->assert_formula(f);
      REQUIRE(s->check() == SatResult::SAT);
      CHECK(s->value(x) == -big_int);
      CHECK(s->value(r) == big_q);
      CHECK(s->value(a) == Rational(pow2(128) - big_bv));
      // Two variables of one name stay distinct.
      Term x2 = tm.variable("x", Sort::integer());
      s->assert_formula(tm.eq(x2, tm.int_const(3)));
      REQUIRE(s->check() == SatResult::SAT);
      CHECK(s->value(x) == -big_int);
      CHECK(s->value(x2) == 3);
    }
  }
}

TEST_CASE("backends: push/pop restores, assumptions select, value() needs SAT") {
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      Builder b;
      auto& tm = b.tm;
      Term x = b.var("x", Sort::integer());
      Term a = b.var("a", Sort::bitvec(8));
      Term p = b.var("p", Sort::boolean()), q = b.var("q", Sort::boolean());
      auto s = make_backend(backend, tm, {});
      CHECK_THROWS_AS(s->value(x), SolverError);

      std::vector<Term> base = {b.mk(Kind::GT, {x, b.i(0)})};
      s->assert_formula(base[0]);
      CHECK(s->check() == SatResult::SAT);
      s->push();
      s->assert_formula(b.mk(Kind::LT, {x, b.i(0)}));
      CHECK(s->check() == SatResult::UNSAT);
      CHECK_THROWS_AS(s->value(x), SolverError);
      s->pop();
      CHECK(s->check() == SatResult::SAT);
      check_model(*s, tm, base);

      // Nested scopes.
      s->push();
      Term f1 = b.mk(Kind::LT, {x, b.i(10)});
      s->assert_formula(f1);
      s->push();
      s->assert_formula(b.mk(Kind::GT, {x, b.i(20)}));
      CHECK(s->check() == SatResult::UNSAT);
      s->pop();
      CHECK(s->check() == SatResult::SAT);
      check_model(*s, tm, {base[0], f1});
      s->pop();
      s->assert_formula(b.mk(Kind::GT, {x, b.i(20)}));
      CHECK(s->check() == SatResult::SAT);
      CHECK(s->value(x) > 20);

      // Assumptions: sat under one, unsat under another, same solver, no lasting effect.
      Term bv_big = b.mk(Kind::BV_SLT, {a, b.bv(-100, 8)});
      s->assert_formula(tm.implies(p, bv_big));
      s->assert_formula(tm.implies(q, b.mk(Kind::BV_ULT, {a, b.bv(100, 8)})));
      CHECK(s->check({p}) == SatResult::SAT);
      CHECK(s->value(p) == 1);
      CHECK(evaluate(tm, bv_big, model_of(*s, tm)) == 1);
      CHECK(s->check({q}) == SatResult::SAT);
      CHECK(s->value(q) == 1);
      CHECK(s->check({p, q}) == SatResult::UNSAT);
      CHECK(s->check({p, tm.not_(q)}) == SatResult::SAT);
      CHECK(s->value(q) == 0);
      // A compound assumption.
      CHECK(s->check({tm.and_({q, b.eq(a, b.bv(200, 8))})}) == SatResult::UNSAT);
      CHECK(s->check({tm.and_({p, b.eq(a, b.bv(150, 8))})}) == SatResult::SAT);  // 150 is -106
      CHECK(s->value(a) == 150);
      CHECK(s->check() == SatResult::SAT);
      // Assumptions must be Boolean.
      CHECK_THROWS_AS(s->check({x}), std::logic_error);
      CHECK_THROWS_AS(s->assert_formula(a), std::logic_error);
    }
  }
}

TEST_CASE("backends: a timeout gives UNKNOWN with a reason") {
  // Factoring a 62-bit semiprime with 64-bit multiplication: hopeless in 50 ms.
  for (const std::string& backend : available_backends()) {
    SUBCASE(backend.c_str()) {
      TermManager tm;
      Term a = tm.variable("a", Sort::bitvec(64)), c = tm.variable("c", Sort::bitvec(64));
      BigInt n = BigInt(2147483647) * BigInt(2147483629);  // two primes below 2^31
      auto ult = [&](Term u, Term v) { return tm.mk(Kind::BV_ULT, {u, v}); };
      std::vector<Term> as = {tm.eq(tm.mk(Kind::BV_MUL, {a, c}), tm.bv_const(n, 64)),
                              ult(tm.bv_const(1, 64), a), ult(tm.bv_const(1, 64), c),
                              ult(a, tm.bv_const(pow2(32), 64)), ult(c, tm.bv_const(pow2(32), 64))};
      BackendOptions options;
      options.timeout_seconds = 0.05;
      auto s = make_backend(backend, tm, options);
      for (Term f : as) s->assert_formula(f);
      auto start = std::chrono::steady_clock::now();
      SatResult r = s->check();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      MESSAGE(backend << ": " << std::string(to_string(r)) << " after " << seconds << " s: " << s->reason_unknown());
      CHECK(r == SatResult::UNKNOWN);
      CHECK(!s->reason_unknown().empty());
      CHECK(seconds < 2.0);
    }
  }
}

namespace {

/**
 * Random small formulas mixing bit-vector arithmetic and comparisons with linear Int/Real
 * arithmetic, bv2nat and to_real.
 */
class RandomFormulas {
 public:
  /** Bit-vectors a and b have `narrow` bits, c has `wide` bits. */
  RandomFormulas(TermManager& tm, unsigned seed, uint32_t narrow, uint32_t wide)
      : d_tm(tm), d_rng(seed), d_narrow(narrow), d_wide(wide) {
    d_bools = {tm.variable("p", Sort::boolean())};
    d_ints = {tm.variable("x", Sort::integer()), tm.variable("y", Sort::integer())};
    d_reals = {tm.variable("r", Sort::real()), tm.variable("s", Sort::real())};
    d_bvs = {tm.variable("a", Sort::bitvec(narrow)), tm.variable("b", Sort::bitvec(narrow)),
             tm.variable("c", Sort::bitvec(wide))};
  }

  /** Only Bool and BitVec leaves (so the formula can be checked by enumeration). */
  bool bv_only = false;

  Term formula() {
    std::vector<Term> parts;
    int n = 1 + pick(3);
    for (int i = 0; i < n; ++i) parts.push_back(boolean(3));
    return d_tm.and_(parts);
  }

 private:
  int pick(int n) { return int(d_rng() % unsigned(n)); }
  long small() { return long(pick(17)) - 8; }
  template <class T>
  const T& choose(const std::vector<T>& v) { return v[pick(int(v.size()))]; }

  Term boolean(int depth) {
    int choice = depth <= 0 ? pick(2) : pick(bv_only ? 8 : 11);
    switch (choice) {
      case 0: return choose(d_bools);
      case 1: {
        uint32_t w = pick(2) ? d_narrow : d_wide;
        Kind k = choose(std::vector<Kind>{Kind::BV_SLE, Kind::BV_SLT, Kind::BV_ULE, Kind::BV_ULT});
        return d_tm.mk(k, {bitvec(w, depth - 1), bitvec(w, depth - 1)});
      }
      case 2: return d_tm.eq(bitvec(d_narrow, depth - 1), bitvec(d_narrow, depth - 1));
      case 3: return d_tm.not_(boolean(depth - 1));
      case 4: return d_tm.mk(pick(2) ? Kind::AND : Kind::OR, {boolean(depth - 1), boolean(depth - 1)});
      case 5: return d_tm.implies(boolean(depth - 1), boolean(depth - 1));
      case 6: return d_tm.ite(boolean(depth - 1), boolean(depth - 1), boolean(depth - 1));
      case 7: return d_tm.eq(boolean(depth - 1), boolean(depth - 1));
      default: {
        bool real = pick(2);
        Kind k = choose(std::vector<Kind>{Kind::LE, Kind::LT, Kind::GE, Kind::GT, Kind::EQUAL});
        Term l = real ? realt(depth - 1) : integer(depth - 1);
        Term r = real ? realt(depth - 1) : integer(depth - 1);
        return d_tm.mk(k, {l, r});
      }
    }
  }

  Term bitvec(uint32_t w, int depth) {
    int choice = depth <= 0 ? pick(2) : pick(10);
    switch (choice) {
      case 0: return w == d_narrow ? d_bvs[pick(2)] : d_bvs[2];
      case 1: return d_tm.bv_const(pick(1 << w), w);
      case 2: return d_tm.mk(choose(std::vector<Kind>{Kind::BV_ADD, Kind::BV_SUB}), {bitvec(w, depth - 1), bitvec(w, depth - 1)});
      case 3: return d_tm.mk(Kind::BV_NEG, {bitvec(w, depth - 1)});
      case 4: return d_tm.mk(Kind::BV_MUL, {bitvec(w, depth - 1), pick(2) ? d_tm.bv_const(small(), w) : bitvec(w, depth - 1)});
      case 5: return d_tm.mk(Kind::BV_ASHR, {bitvec(w, depth - 1)}, uint32_t(pick(int(w))));
      case 6: {  // narrow from the other width
        uint32_t other = w == d_narrow ? d_wide : d_narrow;
        if (other > w) {
          uint32_t low = uint32_t(pick(int(other - w + 1)));
          return d_tm.mk(Kind::BV_EXTRACT, {bitvec(other, depth - 1)}, low + w - 1, low);
        }
        return d_tm.mk(pick(2) ? Kind::BV_SIGN_EXTEND : Kind::BV_ZERO_EXTEND, {bitvec(other, depth - 1)}, w - other);
      }
      case 7: return d_tm.ite(boolean(depth - 1), bitvec(w, depth - 1), bitvec(w, depth - 1));
      default: return d_tm.mk(Kind::BV_ADD, {bitvec(w, depth - 1), d_tm.bv_const(small(), w)});
    }
  }

  Term integer(int depth) {
    int choice = depth <= 0 ? pick(2) : pick(9);
    switch (choice) {
      case 0: return choose(d_ints);
      case 1: return d_tm.int_const(small());
      case 2: return d_tm.add({integer(depth - 1), integer(depth - 1), integer(depth - 1)});
      case 3: return d_tm.mk(Kind::SUB, {integer(depth - 1), integer(depth - 1)});
      case 4: return d_tm.mk(Kind::NEG, {integer(depth - 1)});
      case 5: return d_tm.scale(small(), integer(depth - 1));
      case 6: return d_tm.mk(Kind::INT_DIV, {integer(depth - 1), d_tm.int_const(1 + pick(5))});
      case 7: return d_tm.mk(Kind::BV_TO_NAT, {bitvec(pick(2) ? d_narrow : d_wide, depth - 1)});
      default: return d_tm.ite(boolean(depth - 1), integer(depth - 1), integer(depth - 1));
    }
  }

  Term realt(int depth) {
    int choice = depth <= 0 ? pick(2) : pick(8);
    switch (choice) {
      case 0: return choose(d_reals);
      case 1: return d_tm.real_const(Rational(small(), 1 + pick(4)));
      case 2: return d_tm.add({realt(depth - 1), realt(depth - 1)});
      case 3: return d_tm.mk(Kind::SUB, {realt(depth - 1), realt(depth - 1)});
      case 4: return d_tm.mk(Kind::NEG, {realt(depth - 1)});
      case 5: return d_tm.scale(Rational(small(), 1 + pick(3)), realt(depth - 1));
      case 6: return d_tm.mk(Kind::TO_REAL, {integer(depth - 1)});
      default: return d_tm.ite(boolean(depth - 1), realt(depth - 1), realt(depth - 1));
    }
  }

  TermManager& d_tm;
  std::mt19937 d_rng;
  uint32_t d_narrow, d_wide;
  std::vector<Term> d_bools, d_ints, d_reals, d_bvs;
};

/** Ground truth by enumerating the Bool and bit-vector variables that occur in f. */
bool satisfiable_by_enumeration(const TermManager& tm, Term f) {
  std::vector<Term> vars;
  std::vector<bool> seen(tm.size());
  std::vector<Term> stack{f};
  while (!stack.empty()) {
    Term t = stack.back();
    stack.pop_back();
    if (seen[t]) continue;
    seen[t] = true;
    if (tm.node(t).kind == Kind::VARIABLE) vars.push_back(t);
    for (Term a : tm.node(t).args) stack.push_back(a);
  }
  std::vector<uint32_t> widths;
  uint32_t total = 0;
  for (Term v : vars) {
    Sort s = tm.sort(v);
    REQUIRE((s.kind == SortKind::BOOL || s.kind == SortKind::BITVEC));
    widths.push_back(s.kind == SortKind::BOOL ? 1 : s.width);
    total += widths.back();
  }
  REQUIRE(total <= 16);
  std::map<Term, Rational> values;
  for (uint64_t bits = 0; bits < (uint64_t(1) << total); ++bits) {
    uint64_t rest = bits;
    for (std::size_t i = 0; i < vars.size(); ++i) {
      values[vars[i]] = Rational(long(rest & ((uint64_t(1) << widths[i]) - 1)));
      rest >>= widths[i];
    }
    if (evaluate(tm, f, values) == 1) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("backends: random mixed formulas, all backends agree and every model replays") {
  const auto backends = available_backends();
  TermManager tm;
  RandomFormulas gen(tm, 20240611, 4, 6);
  std::vector<std::unique_ptr<Backend>> solvers;
  for (const auto& name : backends) solvers.push_back(make_backend(name, tm, {}));
  int count[3] = {0, 0, 0};
  for (int i = 0; i < 300; ++i) {
    Term f = gen.formula();
    std::vector<SatResult> results;
    for (auto& s : solvers) {
      s->push();
      s->assert_formula(f);
      SatResult r = s->check();
      results.push_back(r);
      if (r == SatResult::SAT) {
        INFO(s->name() << " formula " << i);
        check_model(*s, tm, {f});
      }
      s->pop();
    }
    ++count[int(results[0])];
    for (std::size_t k = 1; k < results.size(); ++k) {
      INFO("formula " << i << ": " << backends[0] << " says " << std::string(to_string(results[0])) << ", "
                      << backends[k] << " says " << std::string(to_string(results[k])));
      CHECK(results[k] == results[0]);
    }
  }
  MESSAGE("mixed formulas: " << count[0] << " sat, " << count[1] << " unsat, " << count[2] << " unknown");
  CHECK(count[0] >= 50);
  CHECK(count[1] >= 20);
  CHECK(count[2] == 0);
}

TEST_CASE("backends: random bit-vector formulas agree with enumeration") {
  TermManager tm;
  RandomFormulas gen(tm, 77, 3, 5);
  gen.bv_only = true;
  std::vector<std::unique_ptr<Backend>> solvers;
  for (const auto& name : available_backends()) solvers.push_back(make_backend(name, tm, {}));
  int sat = 0, unsat = 0;
  const int n = test::trials(300);
  for (int i = 0; i < n; ++i) {
    Term f = gen.formula();
    bool truth = satisfiable_by_enumeration(tm, f);
    (truth ? sat : unsat)++;
    for (auto& s : solvers) {
      INFO(s->name() << " formula " << i);
      // Alternate between scoped assertions and assumptions.
      SatResult r;
      if (i % 2) {
        s->push();
        s->assert_formula(f);
        r = s->check();
      } else {
        r = s->check({f});
      }
      CHECK(r == (truth ? SatResult::SAT : SatResult::UNSAT));
      if (r == SatResult::SAT) check_model(*s, tm, {f});
      if (i % 2) s->pop();
    }
  }
  MESSAGE("bit-vector formulas: " << sat << " sat, " << unsat << " unsat");
  CHECK(sat >= n / 15);  // 20 of 300
  CHECK(unsat >= n / 15);
}
