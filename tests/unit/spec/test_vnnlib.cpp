// VNN-LIB property files as regions: exact inward rounding of the real bounds, clipping, and a clear
// error naming the line and the problem for everything outside the supported subset.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "spec/vnnlib.h"
#include "support/scratch_dir.h"
#include "support/vnnlib_text.h"

using namespace qeb;
using namespace qeb::spec;
using qeb::test::kU8;
using qeb::test::vnnlib_declare;

namespace {

VnnlibBox parse(const std::string& text, std::size_t inputs = 1, Rational scale = 255,
                FixedPointFormat in = kU8) {
  return parse_vnnlib_box(text, inputs, scale, in, "p.vnnlib");
}

/** The message of the InputError that parsing `text` throws ("" and a failed check if none). */
std::string error_of(const std::string& text, std::size_t inputs = 1, Rational scale = 255, FixedPointFormat in = kU8) {
  try {
    parse(text, inputs, scale, in);
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK_MESSAGE(m.rfind("p.vnnlib: ", 0) == 0, m);  // the file comes first
    return m;
  } catch (const std::exception& e) {
    FAIL_CHECK("not an InputError: " << e.what());
    return e.what();
  }
  FAIL_CHECK("no error for:\n" << text);
  return "";
}

bool has(const std::string& message, const std::string& phrase) { return message.find(phrase) != std::string::npos; }

}  // namespace

TEST_CASE("real bounds round inward to integers, exactly") {
  // 0.1 * 255 = 25.5 -> ceil 26; 0.2 * 255 = 51 exactly -> 51 (a double would give 51.00000000000001).
  VnnlibBox b = parse(vnnlib_declare(1) + "(assert (>= X_0 0.1))\n(assert (<= X_0 0.2))\n");
  CHECK(b.box.lo == std::vector<int64_t>{26});
  CHECK(b.box.hi == std::vector<int64_t>{51});
  CHECK(b.notes.empty());
  CHECK(!b.clipped);

  // Either operand order, and `and`.
  b = parse(vnnlib_declare(2) + "(assert (and (<= 0.1 X_0) (>= 0.2 X_0) (<= X_1 1) (>= X_1 0)))", 2);
  CHECK(b.box.to_string() == "26:51,0:255");

  // Strict bounds: x/255 > 0.2 -> x >= 52; x/255 < 0.2 -> x <= 50; on a non-integer: > 0.1 -> 26, < 0.1 -> 25.
  b = parse(vnnlib_declare(1) + "(assert (> X_0 0.2)) (assert (< X_0 0.3))");  // 0.3 * 255 = 76.5
  CHECK(b.box.to_string() == "52:76");
  b = parse(vnnlib_declare(1) + "(assert (> X_0 0.1)) (assert (< X_0 0.2))");
  CHECK(b.box.to_string() == "26:50");
  b = parse(vnnlib_declare(1) + "(assert (> 0.2 X_0)) (assert (< 0.1 X_0))");  // c > X, c < X
  CHECK(b.box.to_string() == "26:50");

  // Scientific notation, a leading '+', ".5" and "1." forms, integers, (= X c).
  b = parse(vnnlib_declare(4) + "(assert (>= X_0 1E-1)) (assert (<= X_0 2e-1))"
                         "(assert (>= X_1 .5)) (assert (<= X_1 +1.))"
                         "(assert (>= X_2 0)) (assert (<= X_2 1))"
                         "(assert (= X_3 0.2))",
            4);
  CHECK(b.box.to_string() == "26:51,128:255,0:255,51:51");
  CHECK(parse(vnnlib_declare(1) + "(assert (>= X_0 5e-3)) (assert (<= X_0 0.25e0))", 1, 1000, FixedPointFormat{false, 10, 0})
            .box.to_string() == "5:250");
}

TEST_CASE("negative bounds, (- c) and a signed input format") {
  FixedPointFormat s8{true, 8, 0};  // -128..127
  // scale 10: -0.35 -> -3.5 -> ceil -3; 0.35 -> 3.5 -> floor 3; (- 0.5) -> -5.
  VnnlibBox b = parse(vnnlib_declare(2) + "(assert (>= X_0 -0.35)) (assert (<= X_0 0.35))"
                                   "(assert (and (>= X_1 (- 0.5)) (<= X_1 (- (- -0.05)))))",
                      2, 10, s8);
  CHECK(b.box.to_string() == "-3:3,-5:-1");
  // Strict negative: x/10 > -0.45 -> x >= floor(-4.5) + 1 = -4; x/10 < -0.3 -> x <= ceil(-3) - 1 = -4.
  b = parse(vnnlib_declare(1) + "(assert (> X_0 -0.45)) (assert (< X_0 -0.3))", 1, 10, s8);
  CHECK(b.box.to_string() == "-4:-4");
  // A non-integer scale 7/2.
  b = parse(vnnlib_declare(1) + "(assert (>= X_0 0.5)) (assert (<= X_0 1))", 1, Rational(7, 2), s8);
  CHECK(b.box.to_string() == "2:3");  // 1.75 -> 2, 3.5 -> 3
}

TEST_CASE("bounds outside the input format are clipped, with a note") {
  VnnlibBox b = parse(vnnlib_declare(2) + "(assert (and (>= X_0 -1) (<= X_0 0.5) (>= X_1 0.5) (<= X_1 2)))", 2);
  CHECK(b.box.to_string() == "0:127,128:255");
  CHECK(b.clipped);
  REQUIRE(b.notes.size() == 1);
  CHECK(has(b.notes[0], "2 input coordinates clipped to the input format u8.8 range [0, 255]"));
  CHECK(has(b.notes[0], "X_0: -255:127 -> 0:127"));
}

TEST_CASE("several bounds on one input intersect") {
  VnnlibBox b = parse(vnnlib_declare(1) + "(assert (>= X_0 0.1)) (assert (>= X_0 0.3)) (assert (>= X_0 0.2))"
                                   "(assert (and (<= X_0 0.9) (<= X_0 0.5))) (assert (< X_0 0.6))");
  CHECK(b.box.to_string() == "77:127");  // 76.5 -> 77; 127.5 -> 127
  // A strict and a non-strict bound at the same integer: the strict one wins.
  CHECK(parse(vnnlib_declare(1) + "(assert (>= X_0 0)) (assert (<= X_0 0.2)) (assert (< X_0 0.2))").box.to_string() ==
        "0:50");
}

TEST_CASE("parse_vnnlib_box ignores output assertions, with a note; comments are skipped") {
  std::string text = "; ACAS-style property\n" + vnnlib_declare(2, 3) +
                     "(assert (<= X_0 0.5)) ; upper\n(assert (>= X_0 0.25))\n(assert (and (<= X_1 1) (>= X_1 0)))\n"
                     "(assert (<= Y_0 Y_1))\n(assert (or (and (>= Y_2 0.5)) (<= Y_0 -3e2)))\n(assert (>= Y_1 0))\n";
  VnnlibBox b = parse(text, 2);
  CHECK(b.box.to_string() == "64:127,0:255");
  REQUIRE(b.notes.size() == 1);
  CHECK(has(b.notes[0], "3 output assertions ignored: qeb-smt checks |QNN - DNN| <= eps"));
}

TEST_CASE("every unsupported or malformed property is an InputError naming the line and the problem") {
  const std::string ok1 = "(assert (>= X_0 0)) (assert (<= X_0 1))\n";
  struct Case {
    std::size_t inputs;  ///< the network's
    std::string text;
    std::vector<std::string> phrases;
  };
  const Case cases[] = {
      {1, vnnlib_declare(1) + "(assert (<= X_7 1))", {"line 2", "unknown variable X_7 (not declared)"}},
      {1, vnnlib_declare(1) + "(assert (<= foo 1))", {"line 2", "unknown variable or symbol 'foo'"}},
      {1, "(declare-const X_0 Real)\n(declare-const Z Real)\n", {"line 2", "unknown variable name 'Z'"}},
      {1, vnnlib_declare(1) + "(declare-const X_1 Real)\n", {"line 2", "X_1 is declared, but the network has 1 inputs (X_0..X_0)"}},
      {1, vnnlib_declare(1) + "(declare-const X_0 Real)\n" + ok1, {"line 2", "X_0 is declared twice (first at line 1)"}},
      {1, "(declare-const X_0 Int)\n" + ok1, {"line 1", "X_0 is declared Int; only Real is supported"}},
      {1, "(declare-const X_0)\n", {"line 1", "expected (declare-const NAME Real)"}},
      {2, vnnlib_declare(2) + ok1 + "(assert (>= X_1 0))", {"X_1 has no upper bound"}},
      {2, vnnlib_declare(2) + ok1 + "(assert (<= X_1 0))", {"X_1 has no lower bound"}},
      {2, vnnlib_declare(2) + ok1, {"X_1 has no lower and no upper bound", "X_0..X_1 needs both"}},
      {1, vnnlib_declare(1), {"X_0 has no lower and no upper bound"}},
      {1, "", {"the property declares 0 inputs but the network has 1"}},
      // One box is what parse_vnnlib_box gives; verify takes several (parse_vnnlib, test_vnnlib_outputs.cpp).
      {1, vnnlib_declare(1) + "(assert (or (and (>= X_0 0) (<= X_0 0.5)) (and (>= X_0 0.6) (<= X_0 1))))",
       {"describes 2 input boxes (a disjunction); this command takes one (verify takes several)"}},
      {1, vnnlib_declare(1, 1) + "(assert (<= Y_0 X_0))", {"line 3", "a comparison mixes inputs X_i and outputs Y_j"}},
      {1, vnnlib_declare(1) + "(assert (>= X_0 nan))", {"line 2", "'nan' is not a number", "NaN and infinities"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 +inf))", {"'+inf' is not a number", "NaN and infinities"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1e))", {"'1e' is not a number"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 0x10))", {"'0x10' is not a number"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1.2.3))", {"'1.2.3'"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1e99999999))", {"absurd exponent"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 (/ 1 2)))", {"expected a number, found (/ ...)"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1)", {"truncated file or unbalanced parentheses", "1 '(' still open", "line 2"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1)))", {"line 2", "unbalanced ')'"}},
      {1, vnnlib_declare(1) + "X_0", {"line 2", "outside parentheses"}},
      {1, vnnlib_declare(1) + "(check-sat)", {"line 2", "unsupported command 'check-sat'"}},
      {1, vnnlib_declare(1) + "(assert (not (<= X_0 1)))", {"unsupported operator 'not' over inputs"}},
      {2, vnnlib_declare(2) + "(assert (<= X_0 X_1))", {"expected one input variable and one number"}},
      {1, vnnlib_declare(1) + "(assert (<= X_0 1 2))", {"takes two operands here, found 3"}},
      {1, vnnlib_declare(1) + "(assert (<= 1 2))", {"an assertion without variables"}},
      {1, vnnlib_declare(1) + "(assert (>= X_0 0.5))\n(assert (<= X_0 0.501))",
       {"the region is empty at X_0", ">= 0.5 and <= 0.501", "x/255", "128:127"}},
      {1, vnnlib_declare(1) + "(assert (> X_0 0.2))\n(assert (< X_0 0.2))", {"empty at X_0", "> 0.2 and < 0.2"}},
      {1, vnnlib_declare(1) + "(assert (>= X_0 2))\n(assert (<= X_0 3))", {"empty at X_0", "510:765", "outside the input format u8.8"}},
      {1, std::string(200, '(') + std::string(200, ')'), {"nested deeper than 100"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::string message = error_of(c.text, c.inputs);
    CAPTURE(message);
    for (const std::string& phrase : c.phrases) {
      CAPTURE(phrase);
      CHECK(has(message, phrase));
    }
  }
}

TEST_CASE("large property files are read in linear time") {
  // 784 inputs (MNIST), each bounded by 50 assertions: 40k bounds.
  std::string text = vnnlib_declare(784, 10);
  for (int r = 0; r < 50; ++r)
    for (int k = 0; k < 784; ++k)
      text += "(assert (<= X_" + std::to_string(k) + " 0." + std::to_string(99 - r) + "))\n(assert (>= X_" +
              std::to_string(k) + " 0.0" + std::to_string(r % 10) + "))\n";
  VnnlibBox b = parse(text, 784);
  CHECK(b.box.to_string().substr(0, 14) == "23:127,23:127,");  // max lower 0.09 -> 22.95 -> 23; min upper 0.50 -> 127
}

TEST_CASE("load_vnnlib_box reads files and names missing ones") {
  std::filesystem::path dir = qeb::test::scratch_dir() / "vnnlib";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "p.vnnlib").string();
  std::ofstream(path) << vnnlib_declare(1) << "(assert (>= X_0 0.1))\n(assert (<= X_0 0.2))\n";
  CHECK(load_vnnlib_box(path, 1, 255, kU8).box.to_string() == "26:51");
  std::ofstream(path) << vnnlib_declare(1) << "(assert (>= X_0 0.1))\n(assert (<= X_0 0.2\n";
  CHECK_THROWS_WITH_AS(load_vnnlib_box(path, 1, 255, kU8), doctest::Contains((path + ": truncated file").c_str()), InputError);
  CHECK_THROWS_WITH_AS(load_vnnlib_box((dir / "none.vnnlib").string(), 1, 255, kU8), doctest::Contains("no such file"),
                       InputError);
  CHECK_THROWS_WITH_AS(load_vnnlib_box(dir.string(), 1, 255, kU8), doctest::Contains("is a directory"), InputError);
  std::filesystem::remove_all(dir);
}
