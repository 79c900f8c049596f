// What a new user trips on (issue 16, points 6 and 7): .nnet files as found, normalisation that
// means something, limits on every long command, witnesses printed in full, zeros shown as 0, and a
// warning when a preset clamps a layer's values.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/paths.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

using namespace qeb::test;

namespace {

const std::string kAcas = "--model " + kFixtures + "/acas_reludiff.nnet --preset qebverif-acas --bits 8 ";

nlohmann::json expected(const std::string& key) {
  std::ifstream in(kFixtures + "/expected.json");
  return nlohmann::json::parse(in).at(key);
}

std::string csv(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

}  // namespace

TEST_CASE(".nnet with extra normalisation values: one note on stderr, silent with -q; a zero output range only matters when applied") {
  auto r = run_qeb("verify " + kAcas + "--center 0,0,0,0,0 --radius 1 --eps 1");
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("acas_reludiff.nnet: lines 6 (7 input minimums), 7 (7 input maximums), 8 (8 means), 9 (8 ranges)") !=
        std::string::npos);
  CHECK(r.err.find("the first 5") != std::string::npos);
  CHECK(run_qeb("verify " + kAcas + "--center 0,0,0,0,0 --radius 1 --eps 1 -q").err.empty());

  const std::string zero = "--model " + kFixtures + "/acas_zero_output_range.nnet --preset qebverif-acas --bits 8 ";
  CHECK(run_qeb("verify " + zero + "--center 0,0,0,0,0 --radius 1 --eps 1 -q").exit_code == 0);
  auto applied = run_qeb("verify " + zero + "--center 0,0,0,0,0 --radius 1 --eps 1 --apply-normalization -q");
  CHECK(applied.exit_code == 2);
  CHECK(applied.err.find("acas_zero_output_range.nnet: cannot apply the normalisation: the output range is zero") !=
        std::string::npos);
}

TEST_CASE("--apply-normalization: x/D is the normalised input, raw outputs are y * range + mean, regions stay in [min, max]") {
  const nlohmann::json want = expected("acas");
  for (std::size_t c = 0; c < want["integer_inputs"].size(); ++c) {
    CAPTURE(c);
    std::string input = csv(want["integer_inputs"][c].get<std::vector<int>>());
    auto r = run_qeb("eval " + kAcas + "--apply-normalization --input " + input + " --json -");
    REQUIRE(r.exit_code == 0);
    nlohmann::json doc = nlohmann::json::parse(r.out);
    for (std::size_t j = 0; j < 5; ++j) {
      double raw = want["raw_outputs"][c][j];
      CHECK(doc["outputs"][j]["dnn_raw"]["approx"].get<double>() == doctest::Approx(raw).epsilon(1e-9));
      // The QNN's raw output is its normalised output mapped the same way.
      CHECK(doc["outputs"][j]["qnn_raw"]["approx"].get<double>() ==
            doctest::Approx(doc["outputs"][j]["qnn"]["approx"].get<double>() * 373.94992 + 7.5188840201005975));
      // Both networks on the same normalised input: their outputs are comparable (not ~400 raw units
      // against ~-0.02, as when the integer input was read as raw units).
      CHECK(std::fabs(doc["outputs"][j]["diff"]["approx"].get<double>()) < 0.2);
    }
    CHECK(r.err.find("raw input (x/D * range + mean)") != std::string::npos);
  }
  // Without the flag the same outputs, normalised (no raw columns).
  auto plain = run_qeb("eval " + kAcas + "--input 43,10,-20,-17,-19 --json - -q");
  CHECK(!nlohmann::json::parse(plain.out)["outputs"][0].contains("dnn_raw"));

  // Regions keep only the file's input domain: rho in [0, 60760] is -83:173 on the grid, so a box
  // reaching -128 loses its lower part (and only with the flag).
  const std::string box = "--box -128:-60,-5:5,0:0,0:0,0:0 --eps 1 --json - ";
  auto clipped = run_qeb("dra " + kAcas + box + "--apply-normalization");
  nlohmann::json doc = nlohmann::json::parse(clipped.out);
  CHECK(doc["regions"][0]["box"] == "-83:-60,-5:5,0:0,0:0,0:0");
  CHECK(doc["regions"][0]["description"].get<std::string>().find("within the file's [min, max]") != std::string::npos);
  CHECK(clipped.err.find("clipped to the file's [min, max]") != std::string::npos);
  CHECK(nlohmann::json::parse(run_qeb("dra " + kAcas + box).out)["regions"][0]["box"] == "-128:-60,-5:5,0:0,0:0,0:0");
  auto empty = run_qeb("dra " + kAcas + "--box -128:-100,0:0,0:0,0:0,0:0 --eps 1 --apply-normalization");
  CHECK(empty.exit_code == 2);
  CHECK(empty.err.find("the region is empty under --apply-normalization: input 0") != std::string::npos);

  // info reports what the flag does; it no longer ignores it.
  auto info = run_qeb("info " + kAcas + "--apply-normalization --json -");
  nlohmann::json idoc = nlohmann::json::parse(info.out);
  CHECK(idoc["normalization"]["applied"] == true);
  CHECK(idoc["normalization"]["input_domain"] == "-83:173,-127:127,-127:127,-127:127,-127:127");
  CHECK(info.err.find("applied outside both networks") != std::string::npos);
  CHECK(nlohmann::json::parse(run_qeb("info " + kAcas + "--json -").out)["normalization"]["applied"] == false);

  // A network without normalisation: the flag is a usage error, not silently nothing.
  auto h5 = run_qeb("info " + kTrq.substr(0, kTrq.find(" --quant")) + " --apply-normalization");
  CHECK(h5.exit_code == 0);  // the technical report's .nnet carries an (identity) normalisation
  auto onnx = run_qeb("info --model " + kFixtures + "/small_gemm.onnx --apply-normalization");
  CHECK(onnx.exit_code == 2);
  CHECK(onnx.err.find("has no normalisation") != std::string::npos);
}

TEST_CASE("every long command takes --timeout and --memory-limit") {
  for (const char* command : {"oracle", "dra", "eval", "emit", "verify", "max-error", "refine"}) {
    CAPTURE(command);
    auto help = run_qeb(std::string(command) + " --help");
    CHECK(help.out.find("--timeout") != std::string::npos);
    CHECK(help.out.find("--memory-limit") != std::string::npos);
  }
  CHECK(run_qeb("oracle " + kTrq + "--center 9,6 --timeout -1").exit_code == 2);
}

TEST_CASE("a counterexample from a box is printed in full, never as '(nowhere)'") {
  // 6,8 is the witness; the box's midpoint 9,6 differs from it only where the old text looked.
  auto box = run_qeb("verify " + kTrq + "--box 6:12,3:9 --eps 0.15 -q");
  CHECK(box.exit_code == 10);
  CHECK(box.out.find("input: 6,8") != std::string::npos);
  CHECK(box.out.find("nowhere") == std::string::npos);
  auto centre = run_qeb("verify " + kTrq + "--center 9,6 --radius 3 --eps 0.15 -q");
  CHECK(centre.out.find("input differs from the centre at: 0=6 1=8") != std::string::npos);
  // A witness equal to the box's midpoint was "(nowhere)": max-error over the single point 9,6.
  auto point = run_qeb("max-error " + kTrq + "--box 9:9,6:6 -q");
  CHECK(point.exit_code == 0);
  CHECK(point.out.find("input: 9,6") != std::string::npos);
  CHECK(point.out.find("nowhere") == std::string::npos);
}

TEST_CASE("dra shows an output that is exactly zero as 0, not 1e-300") {
  std::string path = scratch_path("zero_out.nnet");
  // Output 1 has zero weights and bias: both networks give exactly 0.
  std::ofstream(path) << "2,2,2,2,\n2,2,2,\n0,\n0,0,\n1,1,\n0,0,0,\n1,1,1,\n1.0,2.0,\n-1.0,0.5,\n0.25,\n0.0,\n3.0,-1.0,\n0,0,\n0.5,\n0,\n";
  auto r = run_qeb("dra --model " + path + " --quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --radius 3");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("1e-300") == std::string::npos);
  CHECK(r.out.find("     1 [            0,             0]") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("info --mnist warns when the preset clamps a layer's values, and names the override that fixes it") {
  // ERAN-style export: ReLU on the logits, then an identity layer; the MNIST preset gives the logits u4.2.
  const std::string relu_logits = "info --model " + kFixtures + "/mnist_relu_logits.nnet --preset qebverif-mnist --bits 4 "
                                  "--mnist " + kMnist + " --data-samples 300 ";
  auto r = run_qeb(relu_logits + "--json -");
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["saturation"].size() == 2);
  CHECK(doc["saturation"][1]["warning"] == true);
  CHECK(doc["saturation"][1]["override"] == "h2=u7.2");
  CHECK(!doc["saturation"][0].contains("warning"));
  CHECK(r.err.find("WARNING: layer 2 clamps") != std::string::npos);
  // With the override the logits keep their values.
  auto fixed = run_qeb(relu_logits + "--quant h2=u7.2 --json -");
  nlohmann::json after = nlohmann::json::parse(fixed.out);
  CHECK(after["saturation"][1]["share_at_top"].get<double>() == 0);
  CHECK(fixed.err.find("WARNING") == std::string::npos);
  // --mnist needs a quantization.
  CHECK(run_qeb("info --model " + kFixtures + "/mnist_relu_logits.nnet --mnist " + kMnist).exit_code == 2);
}
