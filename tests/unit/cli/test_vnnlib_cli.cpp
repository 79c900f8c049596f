// VNN-LIB through the CLI (issue 16, point 3): output constraints checked on the QNN, the DNN or
// their difference, against exhaustive enumeration of every integer input; disjunctions of input
// boxes as several regions; the errors that remain.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/difference.h"
#include "model/load_network.h"
#include "quant/quantize.h"
#include "spec/mnist.h"
#include "spec/region.h"
#include "support/json_schema.h"
#include "support/paths.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

using namespace qeb::test;

namespace {

std::string write(const std::string& name, const std::string& text) {
  std::string path = scratch_path(name);
  std::ofstream(path) << text;
  return path;
}

std::string decimal(const qeb::Rational& r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12f", qeb::to_double(r));
  return buf;
}

// Declarations and the bounds that give exactly the integer box lo..hi at scale `scale`.
std::string box_text(const std::vector<int64_t>& lo, const std::vector<int64_t>& hi, int scale, std::size_t outputs) {
  std::string s;
  for (std::size_t k = 0; k < lo.size(); ++k) s += "(declare-const X_" + std::to_string(k) + " Real)\n";
  for (std::size_t j = 0; j < outputs; ++j) s += "(declare-const Y_" + std::to_string(j) + " Real)\n";
  for (std::size_t k = 0; k < lo.size(); ++k)
    s += "(assert (>= X_" + std::to_string(k) + " " + decimal(qeb::Rational(lo[k] * 10 - 4, 10 * scale)) + "))\n" +
         "(assert (<= X_" + std::to_string(k) + " " + decimal(qeb::Rational(hi[k] * 10 + 4, 10 * scale)) + "))\n";
  return s;
}

// max over the box of Y_j, exactly, for the QNN (0), the DNN (1) or the difference (2).
qeb::Rational extreme(const qeb::quant::ModelPair& pair, const qeb::spec::Box& box, int which, std::size_t j, bool max) {
  std::optional<qeb::Rational> best;
  qeb::spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    qeb::eval::PairOutput e = qeb::eval::evaluate_pair(pair, x);
    qeb::Rational v = which == 0 ? e.qnn[j] : which == 1 ? e.dnn[j] : e.diff[j];
    if (!best || (max ? v > *best : v < *best)) best = v;
  });
  return *best;
}

nlohmann::json run_json(const std::string& args, int expected_exit) {
  auto r = run_qeb(args + " -q --json -");
  CAPTURE(args);
  CAPTURE(r.err);
  CHECK(r.exit_code == expected_exit);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  for (const std::string& e : qeb::test::schema_errors(doc, qeb::test::result_schema())) FAIL_CHECK(e);
  return doc;
}

}  // namespace

TEST_CASE("output constraints on the QNN, the DNN and the difference agree with enumeration (technical report network)") {
  qeb::quant::ModelPair pair = qeb::quant::make_pair(qeb::model::load_network(kTr), qeb::quant::parse_quant_config(kTrQuant));
  qeb::spec::Box box{{6, 3}, {12, 9}};
  const char* names[] = {"qnn", "dnn", "diff"};
  for (int which = 0; which < 3; ++which) {
    for (bool max : {true, false}) {
      CAPTURE(names[which]);
      CAPTURE(max);
      // The violation "Y_0 reaches the extreme" holds at the extreme point (a tie, non-strict) and
      // nowhere once the extreme is excluded (strict) or moved 1/1000 beyond.
      qeb::Rational e = extreme(pair, box, which, 0, max);
      std::string op = max ? ">=" : "<=";
      std::string beyond = decimal(max ? qeb::Rational(e + qeb::Rational(1, 1000)) : qeb::Rational(e - qeb::Rational(1, 1000)));
      // e as an exact decimal: the TR network's values are rationals with small denominators; a
      // tie needs the exact value, so the test writes it as a fraction-free expression Y_0 * d op n.
      qeb::BigInt n = boost::multiprecision::numerator(e), d = boost::multiprecision::denominator(e);
      std::string tie = "(assert (" + op + " (* " + d.str() + " Y_0) " + n.str() + "))\n";
      std::string strict = "(assert (" + std::string(max ? ">" : "<") + " (* " + d.str() + " Y_0) " + n.str() + "))\n";
      std::string far = "(assert (" + op + " Y_0 " + beyond + "))\n";
      for (const char* backend : {"z3", "cvc5"}) {
        for (const char* attack : {"0", "2000"}) {
          std::string common = "verify " + kTrq + "--outputs-of " + names[which] + " --backend " + std::string(backend) + " --attack " + attack + " --property ";
          nlohmann::json doc = run_json(common + write("tie.vnnlib", box_text(box.lo, box.hi, 15, 1) + tie), 10);
          const nlohmann::json& cex = doc["regions"][0]["counterexample"];
          CHECK(cex["y"][0]["exact"] == qeb::to_string(e));
          run_json(common + write("strict.vnnlib", box_text(box.lo, box.hi, 15, 1) + strict), 0);
          run_json(common + write("far.vnnlib", box_text(box.lo, box.hi, 15, 1) + far), 0);
        }
      }
    }
  }
}

TEST_CASE("local robustness of the 784-100-10 QNN and DNN on MNIST, against enumeration of 125 points") {
  qeb::quant::ModelPair pair =
      qeb::quant::make_pair(qeb::model::load_network(kNet), qeb::quant::preset_config("qebverif-mnist", 4));
  qeb::spec::MnistSet mnist = qeb::spec::load_mnist_test(kMnist);
  std::vector<int64_t> centre = mnist.image(0);
  int label = mnist.label(0);
  std::vector<int64_t> lo = centre, hi = centre;
  for (std::size_t k : {std::size_t(350), std::size_t(378), std::size_t(406)}) {  // three pixels of the stroke, +-2
    lo[k] = std::max<int64_t>(0, centre[k] - 2);
    hi[k] = std::min<int64_t>(255, centre[k] + 2);
  }
  qeb::spec::Box box{lo, hi};
  std::string base = box_text(lo, hi, 255, 10);
  // Violation: some other class scores at least as high as the label (VNN-COMP's robustness form).
  std::string others = "(assert (or";
  for (int j = 0; j < 10; ++j)
    if (j != label) others += " (and (>= Y_" + std::to_string(j) + " Y_" + std::to_string(label) + "))";
  others += "))\n";
  std::string robust = write("robust.vnnlib", base + others);
  // A threshold the label's score crosses within the box (the QNN's max, a tie), so the answer is "violated".
  qeb::Rational top = extreme(pair, box, 0, std::size_t(label), true);
  std::string reach = write("reach.vnnlib", base + "(assert (>= (* " + boost::multiprecision::denominator(top).str() + " Y_" +
                                                std::to_string(label) + ") " + boost::multiprecision::numerator(top).str() + "))\n");
  const std::string model = "verify --model " + kNet + " --preset qebverif-mnist --bits 4 ";
  for (const char* which : {"qnn", "dnn"}) {
    CAPTURE(which);
    // Robust on both networks: every point's top class is the label (checked by enumeration here).
    int wrong = 0;
    qeb::spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
      qeb::eval::PairOutput e = qeb::eval::evaluate_pair(pair, x);
      const std::vector<qeb::Rational>& y = std::string(which) == "qnn" ? e.qnn : e.dnn;
      for (int j = 0; j < 10; ++j) wrong += j != label && y[j] >= y[label];
    });
    CHECK(wrong == 0);
    nlohmann::json doc = run_json(model + "--outputs-of " + which + " --property " + robust, 0);
    CHECK(doc["regions"][0]["disjuncts"] == 9);
  }
  nlohmann::json doc = run_json(model + "--outputs-of qnn --property " + reach, 10);
  CHECK(doc["regions"][0]["counterexample"]["y"][label]["exact"] == qeb::to_string(top));
}

TEST_CASE("a disjunction of input boxes is checked box by box, with --eps and with output constraints") {
  // Box 1 holds (0.153), box 2 is the report's region where the error reaches -0.15217.
  std::string boxes = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                      "(assert (or (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1))\n"
                      "            (and (>= X_0 0.4) (<= X_0 0.8) (>= X_1 0.2) (<= X_1 0.6))))\n";
  std::string eps_file = write("boxes.vnnlib", boxes);
  nlohmann::json doc = run_json("verify " + kTrq + "--property " + eps_file + " --eps 0.15", 10);
  REQUIRE(doc["regions"].size() == 2);
  CHECK(doc["regions"][0]["box"] == "0:1,0:1");
  CHECK(doc["regions"][0]["verdict"] == "verified");
  CHECK(doc["regions"][1]["box"] == "6:12,3:9");
  CHECK(doc["regions"][1]["verdict"] == "falsified");
  CHECK(doc["outputs"].size() == 2);
  CHECK(doc["outputs"][1]["region"] == 1);
  run_json("verify " + kTrq + "--property " + eps_file + " --eps 0.153", 0);

  std::string violation = write("boxes_out.vnnlib", boxes + "(assert (< Y_0 (- 0.15)))\n");
  doc = run_json("verify " + kTrq + "--property " + violation + " --outputs-of diff", 10);
  CHECK(doc["regions"][0]["verdict"] == "verified");
  CHECK(doc["regions"][1]["verdict"] == "falsified");
  CHECK(doc["property"]["outputs_of"] == "diff");
  // Commands that take one region say so.
  auto dra = run_qeb("dra " + kTrq + "--property " + eps_file);
  CHECK(dra.exit_code == 2);
  CHECK(dra.err.find("describes 2 input boxes (a disjunction); this command takes one (verify takes several)") !=
        std::string::npos);
}

TEST_CASE("output properties: what is asked must make sense") {
  std::string box_only = write("box_only.vnnlib", box_text({6, 3}, {12, 9}, 15, 1));
  std::string with_outputs = write("with_outputs.vnnlib", box_text({6, 3}, {12, 9}, 15, 1) + "(assert (<= Y_0 0))\n");
  struct Case {
    std::string args, phrase;
  };
  const Case cases[] = {
      {"--property " + box_only, "--eps E is required: " + box_only + " has no output constraints to check"},
      {"--box 6:12,3:9", "--eps E is required (or --property FILE.vnnlib with output constraints to check)"},
      {"--property " + with_outputs + " --partition", "they do not take output properties"},
      {"--property " + with_outputs + " --output 0", "--output goes with --eps"},
      {"--property " + with_outputs + " --outputs-of both", "--outputs-of takes qnn, dnn or diff, not 'both'"},
      {"--property " + with_outputs + " --encoding bv", "--encoding bv has no real-valued outputs"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto r = run_qeb("verify " + kTrq + c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.phrase) != std::string::npos);
  }
  // With --eps the output constraints are ignored, and a note says so.
  auto eps = run_qeb("verify " + kTrq + "--property " + with_outputs + " --eps 0.2");
  CHECK(eps.exit_code == 0);
  CHECK(eps.err.find("the output constraints are ignored") != std::string::npos);
}
