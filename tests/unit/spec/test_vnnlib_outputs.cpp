// VNN-LIB output constraints and input disjunctions (issue 16, point 3): what the reader makes of
// the local-robustness and equivalence properties benchmarks use, and the errors it still gives.
#include <doctest/doctest.h>

#include "core/error.h"
#include "spec/vnnlib.h"
#include "support/vnnlib_text.h"

using namespace qeb;
using namespace qeb::spec;
using qeb::test::kU8;
using qeb::test::vnnlib_declare;

namespace {

VnnlibProperty parse_property(const std::string& text, std::size_t inputs = 2, std::size_t outputs = 3) {
  return parse_vnnlib(text, inputs, outputs, 255, kU8, "p.vnnlib");
}

const std::string kBox = "(assert (>= X_0 0.1)) (assert (<= X_0 0.2)) (assert (>= X_1 0)) (assert (<= X_1 1))\n";

std::vector<Rational> y(std::initializer_list<int> v) {
  std::vector<Rational> out;
  for (int x : v) out.push_back(x);
  return out;
}

}  // namespace

TEST_CASE("local robustness: one box, the violation 'another class scores at least as high'") {
  VnnlibProperty p = parse_property(vnnlib_declare(2, 3) + kBox + "(assert (or (and (>= Y_1 Y_0)) (and (>= Y_2 Y_0))))\n");
  CHECK(p.has_output_constraints);
  REQUIRE(p.regions.size() == 1);
  CHECK(p.regions[0].box.to_string() == "26:51,0:255");
  const OutputProperty& v = p.regions[0].violation;
  REQUIRE(v.disjuncts.size() == 2);
  REQUIRE(v.disjuncts[0].size() == 1);
  CHECK(to_string(v.disjuncts[0][0]) == "Y_0 - Y_1 <= 0");
  CHECK(to_string(v.disjuncts[1][0]) == "Y_0 - Y_2 <= 0");
  CHECK(v.outputs_used() == 3);
  CHECK(satisfied_disjunct(v, y({5, 1, 2})) == -1);
  CHECK(satisfied_disjunct(v, y({1, 5, 2})) == 0);
  CHECK(satisfied_disjunct(v, y({2, 1, 2})) == 1);  // a tie counts (>=)
}

TEST_CASE("equivalence: strict bounds on a difference output, and linear terms") {
  VnnlibProperty p = parse_property(vnnlib_declare(2, 3) + kBox + "(assert (or (> Y_0 0.1) (< Y_0 (- 0.1))))\n");
  const OutputProperty& v = p.regions[0].violation;
  REQUIRE(v.disjuncts.size() == 2);
  CHECK(to_string(v.disjuncts[0][0]) == "-Y_0 + 0.1 < 0");
  CHECK(to_string(v.disjuncts[1][0]) == "Y_0 + 0.1 < 0");
  CHECK(v.disjuncts[0][0].strict);
  // Y_0 + 2 Y_1 - 0.5 <= Y_2 - 1  ->  Y_0 + 2 Y_1 - Y_2 + 0.5 <= 0; = gives two constraints.
  p = parse_property(vnnlib_declare(2, 3) + kBox + "(assert (<= (+ Y_0 (* 2 Y_1) (- 0.5)) (- Y_2 1)))\n(assert (= Y_0 (* Y_1 3)))");
  REQUIRE(p.regions[0].violation.disjuncts.size() == 1);
  const auto& c = p.regions[0].violation.disjuncts[0];
  REQUIRE(c.size() == 3);
  CHECK(to_string(c[0]) == "Y_0 + 2 Y_1 - Y_2 + 0.5 <= 0");
  CHECK(to_string(c[1]) == "Y_0 - 3 Y_1 <= 0");
  CHECK(to_string(c[2]) == "-Y_0 + 3 Y_1 <= 0");
  CHECK(left_side(c[0], y({1, 1, 4})) == Rational(-1, 2));
  CHECK(satisfies(c, y({3, 1, 10})));
  CHECK(!satisfies(c, y({3, 2, 10})));
}

TEST_CASE("input disjunctions become several regions, each with the whole output violation") {
  std::string text = vnnlib_declare(2, 3) +
                     "(assert (or (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1))\n"
                     "            (and (>= X_0 0.5) (<= X_0 0.6) (>= X_1 0.5) (<= X_1 0.6))))\n"
                     "(assert (or (>= Y_1 Y_0) (>= Y_2 Y_0)))\n";
  VnnlibProperty p = parse_property(text);
  REQUIRE(p.regions.size() == 2);
  CHECK(p.regions[0].box.to_string() == "0:25,0:25");
  CHECK(p.regions[1].box.to_string() == "128:153,128:153");
  for (const VnnlibRegion& r : p.regions) CHECK(r.violation.disjuncts.size() == 2);
  // Without output constraints: regions only (the eps check).
  VnnlibProperty boxes = parse_property(vnnlib_declare(2, 0) + "(assert (or (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1))"
                                                "(and (>= X_0 0.5) (<= X_0 0.6) (>= X_1 0.5) (<= X_1 0.6))))");
  CHECK(!boxes.has_output_constraints);
  CHECK(boxes.regions.size() == 2);
  CHECK(boxes.regions[0].violation.empty());
  // Cases per box with their own output constraints (the VNN-COMP "(or (and X.. Y..) ...)" form).
  VnnlibProperty mixed = parse_property(vnnlib_declare(2, 3) +
                               "(assert (or (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1) (>= Y_1 Y_0))\n"
                               "            (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1) (>= Y_2 Y_0))\n"
                               "            (and (>= X_0 0.5) (<= X_0 0.6) (>= X_1 0.5) (<= X_1 0.6) (<= Y_0 3))))");
  REQUIRE(mixed.regions.size() == 2);
  CHECK(mixed.regions[0].violation.disjuncts.size() == 2);
  CHECK(mixed.regions[1].violation.disjuncts.size() == 1);
  CHECK(to_string(mixed.regions[1].violation.disjuncts[0][0]) == "Y_0 - 3 <= 0");
}

TEST_CASE("input cases without an integer point are dropped with a note; all empty is an error") {
  std::string two = vnnlib_declare(1, 1) + "(assert (or (and (>= X_0 0.5) (<= X_0 0.501)) (and (>= X_0 0) (<= X_0 0.1))))\n"
                                    "(assert (>= Y_0 1))";
  VnnlibProperty p = parse_vnnlib(two, 1, 1, 255, kU8, "p.vnnlib");
  REQUIRE(p.regions.size() == 1);
  CHECK(p.regions[0].box.to_string() == "0:25");
  REQUIRE(p.notes.size() == 1);
  CHECK(p.notes[0].find("1 of 2 cases hold no integer input and are left out") == 0);
  CHECK_THROWS_WITH_AS(parse_vnnlib(vnnlib_declare(1, 1) + "(assert (or (and (>= X_0 0.5) (<= X_0 0.501)) (and (>= X_0 0.3) "
                                                    "(<= X_0 0.3001))))", 1, 1, 255, kU8, "p.vnnlib"),
                       doctest::Contains("the region is empty at X_0 in case 1 of the 2"), InputError);
}

TEST_CASE("malformed output constraints are errors naming the line") {
  struct Case {
    std::string text, phrase;
  };
  const Case cases[] = {
      {vnnlib_declare(2, 3) + kBox + "(assert (<= (* Y_0 Y_1) 1))", "line 7: a product of two outputs is not linear"},
      {vnnlib_declare(2, 3) + kBox + "(assert (<= (/ Y_0 2) 1))", "line 7: unsupported operator '/' in a term over outputs"},
      {vnnlib_declare(2, 3) + kBox + "(assert (not (<= Y_0 1)))", "line 7: unsupported operator 'not' over outputs"},
      {vnnlib_declare(2, 3) + kBox + "(assert (=> (<= Y_0 1) (<= Y_1 1)))", "unsupported operator '=>' over outputs"},
      {vnnlib_declare(2, 3) + kBox + "(assert (<= Y_0 X_1))", "line 7: a comparison mixes inputs X_i and outputs Y_j"},
      {vnnlib_declare(2, 3) + kBox + "(assert (<= Y_0 1 2))", "takes two operands here, found 3"},
      {vnnlib_declare(2, 3) + kBox + "(assert (<= Y_0 Y_9))", "line 7: unknown variable Y_9 (not declared)"},
      {vnnlib_declare(2, 4) + kBox, "line 6: Y_3 is declared, but the network has 3 outputs (Y_0..Y_2)"},
      {vnnlib_declare(2, 3) + kBox + "(assert (<= Y_0 nan))", "'nan' is not a number"},
      {vnnlib_declare(2, 3) + "(assert (or (and (>= X_0 0) (<= X_0 0.1)) (and (>= X_0 0.5) (<= X_0 0.6))))\n(assert (>= X_1 0))",
       "X_1 has no upper bound in case 1 of the 2 the disjunctions give"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    try {
      parse_property(c.text);
      FAIL_CHECK("no error");
    } catch (const InputError& e) {
      std::string m = e.what();
      CHECK(m.rfind("p.vnnlib: ", 0) == 0);
      CHECK_MESSAGE(m.find(c.phrase) != std::string::npos, m);
    }
  }
  // Disjunctions multiply out: 5 x 10 x 10 x 10 x 10 cases is too many.
  std::string ten = "(assert (or";
  for (int k = 0; k < 10; ++k) ten += " (>= Y_0 " + std::to_string(k) + ")";
  ten += "))\n";
  CHECK_THROWS_WITH_AS(parse_property(vnnlib_declare(2, 3) + kBox + ten + ten + ten + ten + ten),
                       doctest::Contains("the property's disjunctions multiply out to 100000 cases; at most 10000"),
                       InputError);
}
