// The SMT-LIB printer: exact literals in each sort, shared subterms named once, the benchmark
// header and the incremental layout; and the printed text re-solved by the z3 and cvc5 binaries.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "smt/smtlib_printer.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

using namespace qeb;
using namespace qeb::smt;

namespace {

std::string print(const TermManager& tm, const Script& s) {
  std::ostringstream out;
  print_smtlib(out, tm, s);
  return out.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The answers (sat/unsat/unknown lines) of a solver binary on `text`.
std::string solve_with(const std::string& solver, const std::string& text) {
  auto path = test::scratch_dir() / "printer.smt2";
  std::ofstream(path) << text;
  auto r = test::run_shell("timeout 20 " + solver + " " + path.string());
  std::filesystem::remove(path);
  std::string answers, line;
  std::istringstream lines(r.out);
  while (std::getline(lines, line))
    if (line == "sat" || line == "unsat" || line == "unknown") answers += line + " ";
    else if (line != "unsupported") answers += "[" + line + "] ";  // errors show up in the comparison
  return answers;
}

}  // namespace

TEST_CASE("constants print exactly: Int k / (- k), Real always decimal, bit-vectors as #b or (_ bvN w)") {
  TermManager tm;
  CHECK(to_smtlib(tm, tm.int_const(3)) == "3");
  CHECK(to_smtlib(tm, tm.int_const(-3)) == "(- 3)");
  CHECK(to_smtlib(tm, tm.real_const(3)) == "3.0");
  CHECK(to_smtlib(tm, tm.real_const(-3)) == "(- 3.0)");
  CHECK(to_smtlib(tm, tm.real_const(Rational(1, 3))) == "(/ 1.0 3.0)");
  CHECK(to_smtlib(tm, tm.real_const(Rational(-1, 3))) == "(- (/ 1.0 3.0))");
  CHECK(to_smtlib(tm, tm.bv_const(5, 4)) == "#b0101");
  CHECK(to_smtlib(tm, tm.bv_const(-1, 3)) == "#b111");
  CHECK(to_smtlib(tm, tm.bv_const(BigInt(1) << 40, 48)) == "(_ bv1099511627776 48)");
  CHECK(to_smtlib(tm, tm.bool_const(true)) == "true");
}

TEST_CASE("operators map to SMT-LIB names, indexed ones with their indices") {
  TermManager tm;
  Term x = tm.variable("x", Sort::bitvec(8));
  Term i = tm.variable("i", Sort::integer());
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_ASHR, {x}, 3)) == "(bvashr x #b00000011)");
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_EXTRACT, {x}, 7, 4)) == "((_ extract 7 4) x)");
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_SIGN_EXTEND, {x}, 2)) == "((_ sign_extend 2) x)");
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_ZERO_EXTEND, {x}, 2)) == "((_ zero_extend 2) x)");
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_SLE, {x, tm.bv_const(1, 8)})) == "(bvsle x #b00000001)");
  CHECK(to_smtlib(tm, tm.mk(Kind::BV_TO_NAT, {x})) == "(bv2nat x)");
  CHECK(to_smtlib(tm, tm.mk(Kind::INT_DIV, {i, tm.int_const(4)})) == "(div i 4)");
  CHECK(to_smtlib(tm, tm.scale(Rational(-2), i)) == "(* (- 2) i)");
  CHECK(to_smtlib(tm, tm.mk(Kind::TO_REAL, {i})) == "(to_real i)");
  CHECK(to_smtlib(tm, tm.implies(tm.bool_const(true), tm.bool_const(false))) == "(=> true false)");
  Term odd = tm.variable("odd name", Sort::boolean());
  CHECK(to_smtlib(tm, odd) == "|odd name|");
}

TEST_CASE("a benchmark has the six header lines, declarations, shared terms defined once, and (exit)") {
  TermManager tm;
  Term x = tm.variable("x", Sort::real());
  Term unused = tm.variable("unused", Sort::real());
  (void)unused;
  Term sum = tm.add({x, tm.real_const(Rational(1, 2))});  // used three times: named once
  Script s;
  s.logic = "QF_LRA";
  s.source = "test";
  s.status = "sat";
  s.assertions = {tm.mk(Kind::GE, {sum, tm.real_const(0)}), tm.mk(Kind::LE, {sum, tm.real_const(2)})};
  s.assertions.push_back(tm.mk(Kind::GT, {sum, tm.real_const(Rational(-1, 4))}));
  std::string text = print(tm, s);
  CHECK(text.rfind("(set-info :smt-lib-version 2.6)\n(set-logic QF_LRA)\n(set-info :source |test|)\n"
                   "(set-info :license \"https://creativecommons.org/licenses/by/4.0/\")\n"
                   "(set-info :category \"industrial\")\n(set-info :status sat)\n", 0) == 0);
  CHECK(count(text, "(declare-fun x () Real)") == 1);
  CHECK(count(text, "unused") == 0);
  CHECK(count(text, "(+ x (/ 1.0 2.0))") == 1);
  CHECK(count(text, "(define-fun _t") == 1);
  CHECK(count(text, "(check-sat)") == 1);
  CHECK(text.size() >= 7);
  CHECK(text.substr(text.size() - 7) == "(exit)\n");
  CHECK(solve_with("z3", text) == "sat ");
  CHECK(solve_with("cvc5", text) == "sat ");
}

TEST_CASE("shared subterms keep a deep DAG linear in size") {
  TermManager tm;
  Term x = tm.variable("x", Sort::integer());
  Term t = x;
  for (int i = 0; i < 60; ++i) t = tm.add({t, t});  // 2^60 x as a tree, 60 nodes as a DAG
  Script s;
  s.logic = "QF_LIA";
  s.assertions = {tm.eq(t, tm.int_const(0)), tm.mk(Kind::GT, {x, tm.int_const(Rational(-5))})};
  std::string text = print(tm, s);
  CHECK(text.size() < 10000);
  CHECK(solve_with("z3", text) == "sat ");
}

TEST_CASE("incremental scripts: each check in its own scope with its status; mixed Int/Real parses in cvc5") {
  TermManager tm;
  Term i = tm.variable("i", Sort::integer());
  Term r = tm.variable("r", Sort::real());
  Term link = tm.eq(r, tm.add({tm.mk(Kind::TO_REAL, {i}), tm.real_const(Rational(1, 2))}));
  Script s;
  s.logic = "QF_LIRA";
  s.assertions = {link, tm.mk(Kind::GE, {i, tm.int_const(0)}), tm.mk(Kind::LE, {i, tm.int_const(3)})};
  s.checks.push_back({{tm.mk(Kind::GT, {r, tm.real_const(3)})}, "sat"});
  s.checks.push_back({{tm.mk(Kind::GT, {r, tm.real_const(4)})}, "unsat"});
  s.checks.push_back({{tm.eq(r, tm.real_const(-1))}, "unsat"});
  std::string text = print(tm, s);
  CHECK(count(text, "(push 1)") == 3);
  CHECK(count(text, "(pop 1)") == 3);
  CHECK(count(text, "(set-info :status sat)\n(check-sat)") == 1);
  CHECK(count(text, "(set-info :status unsat)\n(check-sat)") == 2);
  CHECK(solve_with("z3", text) == "sat unsat unsat ");
  CHECK(solve_with("cvc5 --incremental", text) == "sat unsat unsat ");
}

TEST_CASE("a malformed script is refused") {
  TermManager tm;
  Script s;
  s.logic = "QF_LIA";
  s.status = "maybe";
  std::ostringstream out;
  CHECK_THROWS_AS(print_smtlib(out, tm, s), std::logic_error);
  s.status = "sat";
  s.source = "a|b";
  CHECK_THROWS_AS(print_smtlib(out, tm, s), std::logic_error);
  s.source = "";
  s.assertions = {tm.int_const(1)};
  CHECK_THROWS_AS(print_smtlib(out, tm, s), std::logic_error);
}
