// `qeb-smt batch` (issue 16, point 2): a CSV of 22 mixed instances (verified, falsified, timed out,
// broken files, a crash, a hang) runs to the end with one results row per instance; the VNN-COMP
// headerless form; clear errors for a malformed instance list.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/batch_instances.h"
#include "cli/batch_outcome.h"
#include "core/csv.h"
#include "support/json_schema.h"
#include "support/paths.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

using namespace qeb::test;
namespace fs = std::filesystem;

namespace {

const std::string kData = QEB_SHARED_DATA;
const std::string kTrQuantQuoted = "\"" + kTrQuant + "\"";  // as a CSV field

// A directory of its own per test, removed when the test ends.
struct TempDir {
  fs::path path;
  TempDir() : path(scratch_dir() / ("batch_" + std::to_string(++count))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static inline int count = 0;
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

const std::string kTrBox = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n"
                           "(assert (and (>= X_0 0.4) (<= X_0 0.8) (>= X_1 0.2) (<= X_1 0.6)))\n";

std::map<std::string, std::map<std::string, std::string>> read_results(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<qeb::CsvRecord> rows = qeb::parse_csv(text.str(), path);
  REQUIRE(!rows.empty());
  std::map<std::string, std::map<std::string, std::string>> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].fields.size() == rows[0].fields.size());
    for (std::size_t c = 0; c < rows[0].fields.size(); ++c) out[rows[r].fields[0]][rows[0].fields[c]] = rows[r].fields[c];
  }
  return out;
}

}  // namespace

TEST_CASE("batch: 22 mixed instances, broken ones included, each a row with its verdict and reason") {
  TempDir dir;
  fs::copy_file(std::string(QEB_SOURCE_DIR) + "/examples/tr-example/tr_example.nnet", dir.path / "tr.nnet");
  dir.file("crash.nnet", "");
  dir.file("hang.nnet", "");
  dir.file("diff015.vnnlib", kTrBox + "(assert (< Y_0 (- 0.15)))\n");
  dir.file("diff0153.vnnlib", kTrBox + "(assert (or (< Y_0 (- 0.153)) (> Y_0 0.153)))\n");
  dir.file("nonlinear.vnnlib", kTrBox + "\n\n(assert (<= (* Y_0 Y_0) 1))\n");
  dir.file("two_boxes.vnnlib", "(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
                               "(assert (or (and (>= X_0 0) (<= X_0 0.1) (>= X_1 0) (<= X_1 0.1))\n"
                               "            (and (>= X_0 0.4) (<= X_0 0.8) (>= X_1 0.2) (<= X_1 0.6))))\n");
  // Every instance runs through this wrapper: crash.nnet dies of SIGSEGV, hang.nnet ignores its --timeout.
  std::string wrapper = dir.file("qeb-wrapper.sh", "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in\n"
                                                   "  */crash.nnet) echo 'about to crash' >&2; kill -SEGV $$ ;;\n"
                                                   "  */hang.nnet) exec sleep 60 ;;\nesac; done\nexec " QEB_BINARY " \"$@\"\n");
  ::chmod(wrapper.c_str(), 0755);
  const std::string net = kData + "/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5";
  const std::string mnist = "--mnist " + kData + "/mnist";
  const std::string tr = "tr.nnet,", centre = ",\"--center 9,6 --radius 3\",";
  std::string csv = "# qeb-smt batch test: name, model, property, region, timeout, quant, eps, outputs_of, args\n"
                    "instance,model,property,region,timeout,quant,eps,outputs_of,args\n";
  // --engine smt where a row expects the attack or the SMT solver (the default engine would
  // enumerate these small boxes first).
  csv += "tr-falsified," + tr + centre + "10," + kTrQuantQuoted + ",0.15,,--engine smt\n";
  csv += "tr-verified-smt," + tr + centre + "10," + kTrQuantQuoted + ",0.153,,--engine smt\n";
  csv += "tr-verified-dra," + tr + centre + "10," + kTrQuantQuoted + ",0.3,,\n";
  csv += "tr-box-solver," + tr + ",--box 6:12;3:9,10," + kTrQuantQuoted + ",0.15,,--attack 0 --engine smt\n";
  csv += "tr-cvc5," + tr + centre + "10," + kTrQuantQuoted + ",0.153,,--backend cvc5 --engine smt\n";
  csv += "tr-partition," + tr + centre + "10," + kTrQuantQuoted + ",0.153,,--partition --jobs 2\n";
  csv += "tr-property-falsified," + tr + "diff015.vnnlib,,10," + kTrQuantQuoted + ",,diff,\n";
  csv += "tr-property-verified," + tr + "diff0153.vnnlib,,10," + kTrQuantQuoted + ",,diff,--attack 0\n";
  csv += "tr-property-eps," + tr + "diff015.vnnlib,,10," + kTrQuantQuoted + ",0.2,,\n";
  csv += "tr-two-boxes," + tr + "two_boxes.vnnlib,,10," + kTrQuantQuoted + ",0.15,,--engine smt\n";
  csv += "mnist-dra," + net + ",,\"" + mnist + " --sample 0 --radius 1\",20,qebverif-mnist:8,10,,\n";
  csv += "mnist-timeout," + net + ",,\"" + mnist + " --sample 0 --radius 6\",2,qebverif-mnist:4,0.5,,--attack 0 --engine smt\n";
  csv += "acas-normalised," + kFixtures + "/acas_reludiff.nnet,,\"--center 0,0,0,0,0 --radius 1\",20,qebverif-acas:8,1,,"
         "--apply-normalization\n";
  csv += "missing-model,nowhere.nnet,," + centre.substr(1) + "10," + kTrQuantQuoted + ",0.1,,\n";
  csv += "missing-property," + tr + "nowhere.vnnlib,,10," + kTrQuantQuoted + ",0.1,,\n";
  csv += "bad-vnnlib," + tr + "nonlinear.vnnlib,,10," + kTrQuantQuoted + ",,,\n";
  csv += "unsupported," + kFixtures + "/bad/conv.onnx,,--box 0:1,10,qebverif-mnist:8,1,,\n";
  csv += "bad-option," + tr + centre + "10," + kTrQuantQuoted + ",0.1,,--bogus\n";
  csv += "crash,crash.nnet,," + centre.substr(1) + "10," + kTrQuantQuoted + ",0.1,,\n";
  csv += "hang,hang.nnet,," + centre.substr(1) + "1," + kTrQuantQuoted + ",0.1,,\n";
  csv += "zero-range," + kFixtures + "/acas_zero_output_range.nnet,,\"--center 0,0,0,0,0\",10,qebverif-acas:8,1,,"
         "--apply-normalization\n";
  csv += "bad-eps," + tr + centre + "10," + kTrQuantQuoted + ",-1,,\n";
  // The box cell uses ';' above only to keep the line readable: CSV needs commas quoted.
  csv = std::regex_replace(csv, std::regex("--box 6:12;3:9"), "\"--box 6:12,3:9\"");
  std::string instances = dir.file("instances.csv", csv);
  std::string results = (dir.path / "results.csv").string(), json = (dir.path / "batch.json").string();

  auto r = run_qeb("batch " + instances + " --jobs 4 -o " + results + " --json " + json + " --executable " + wrapper);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  auto rows = read_results(results);
  REQUIRE(rows.size() == 22);
  struct Expect {
    const char *name, *verdict, *how, *vnncomp, *reason;
  };
  const Expect expect[] = {
      {"tr-falsified", "falsified", "attack", "sat", ""},
      {"tr-verified-smt", "verified", "smt", "unsat", ""},
      {"tr-verified-dra", "verified", "dra", "unsat", ""},
      {"tr-box-solver", "falsified", "smt", "sat", ""},
      {"tr-cvc5", "verified", "smt", "unsat", ""},
      {"tr-partition", "verified", "partition", "unsat", ""},
      {"tr-property-falsified", "falsified", "attack", "sat", ""},
      {"tr-property-verified", "verified", "smt", "unsat", ""},
      {"tr-property-eps", "verified", "dra", "unsat", ""},
      {"tr-two-boxes", "falsified", "attack", "sat", ""},
      {"mnist-dra", "verified", "dra", "unsat", ""},
      {"mnist-timeout", "unknown", "", "timeout", "timeout"},
      {"acas-normalised", "verified", "", "unsat", ""},
      {"missing-model", "error", "", "error", "nowhere.nnet: no such file"},
      {"missing-property", "error", "", "error", "nowhere.vnnlib: no such file"},
      {"bad-vnnlib", "error", "", "error", "line 7: a product of two outputs is not linear"},
      {"unsupported", "error", "", "error", "Conv"},
      {"bad-option", "error", "", "error", "unrecognised option '--bogus'"},
      {"crash", "error", "", "error", "crashed: killed by signal 11"},
      {"hang", "unknown", "", "timeout", "killed by the batch"},
      {"zero-range", "error", "", "error", "cannot apply the normalisation: the output range is zero"},
      {"bad-eps", "error", "", "error", "--eps must be non-negative"},
  };
  for (const Expect& e : expect) {
    CAPTURE(e.name);
    REQUIRE(rows.count(e.name));
    auto& row = rows[e.name];
    CAPTURE(row["reason"]);
    CHECK(row["verdict"] == e.verdict);
    if (*e.how) CHECK(row["how"] == e.how);
    CHECK(row["vnncomp"] == e.vnncomp);
    CHECK(row["reason"].find(e.reason) != std::string::npos);
    CHECK(std::stod(row["seconds"]) >= 0);
  }
  // The crash's last words are kept; the bounds on the maximum error where a run gives them.
  CHECK(rows["crash"]["reason"].find("about to crash") != std::string::npos);
  CHECK(rows["tr-falsified"]["max_error_lower"] == "0.1521666667");
  CHECK(rows["tr-verified-smt"]["max_error_upper"] == "0.153");
  CHECK(std::stod(rows["tr-verified-dra"]["max_error_upper"]) < 0.3);  // DRA's bound, tighter than eps
  CHECK(rows["tr-box-solver"]["region"] == "--box 6:12,3:9");
  CHECK(rows["tr-verified-smt"]["exit_code"] == "0");
  CHECK(rows["crash"]["exit_code"].empty());
  CHECK(std::stod(rows["hang"]["seconds"]) < 10);

  // One progress line per instance, then the summary table.
  for (int k = 1; k <= 22; ++k) CHECK(r.err.find("batch: [" + std::to_string(k) + "/22] ") != std::string::npos);
  CHECK(r.out.find("22 instances, 4 at a time") != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex("verified +8 ")));
  CHECK(std::regex_search(r.out, std::regex("falsified +4 ")));
  CHECK(std::regex_search(r.out, std::regex("unknown +2 ")));
  CHECK(std::regex_search(r.out, std::regex("error +8 ")));
  std::ifstream in(json);
  nlohmann::json doc = nlohmann::json::parse(in);
  CHECK(qeb::test::schema_errors(doc, qeb::test::result_schema()).empty());
  CHECK(doc["summary"]["error"] == 8);
  CHECK(doc["instances"].size() == 22);
}

TEST_CASE("batch: the VNN-COMP form MODEL,PROPERTY,TIMEOUT with the quantization and eps as defaults") {
  TempDir dir;
  fs::create_directories(dir.path / "onnx");
  fs::create_directories(dir.path / "vnnlib");
  fs::copy_file(std::string(QEB_SOURCE_DIR) + "/examples/tr-example/tr_example.nnet", dir.path / "onnx" / "tr.nnet");
  dir.file("vnnlib/box.vnnlib", kTrBox);
  dir.file("vnnlib/violation.vnnlib", kTrBox + "(assert (< Y_0 (- 0.15)))\n");
  std::string instances = dir.file("instances.csv", "onnx/tr.nnet,vnnlib/box.vnnlib,30\n"
                                                    "onnx/tr.nnet,vnnlib/violation.vnnlib,30,,\n"
                                                    "onnx/tr.nnet,vnnlib/box.vnnlib,30,\"in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15\",0.153\n");
  std::string results = (dir.path / "out.csv").string();
  auto r = run_qeb("batch " + instances + " --quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --outputs-of diff -q -o " + results);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());  // -q
  std::ifstream in(results);
  std::stringstream text;
  text << in.rdbuf();
  auto rows = qeb::parse_csv(text.str(), results);
  REQUIRE(rows.size() == 4);
  // Row 1: a box-only property without eps: nothing to check, an error that says so.
  CHECK(rows[1].fields[5] == "error");
  CHECK(rows[1].fields[12].find("--eps E is required") != std::string::npos);
  CHECK(rows[2].fields[5] == "falsified");
  CHECK(rows[3].fields[5] == "verified");
  CHECK(rows[3].fields[2] == (dir.path / "onnx/tr.nnet").string());  // relative to the CSV file
}

TEST_CASE("batch: a malformed instance list is an error naming the file and the line, before any run") {
  TempDir dir;
  struct Case {
    std::string csv, phrase;
  };
  const Case cases[] = {
      {"model,property,wrong\nm.nnet,p.vnnlib,1\n", "line 1: unknown column 'wrong'"},
      {"instance,model,eps\nx,m.nnet\n", "line 2: no property and no region"},
      {"model,property,timeout\nm.nnet,p.vnnlib,soon\n", "line 2: timeout 'soon' is not a number of seconds"},
      {"m.nnet,p.vnnlib,-5\n", "line 1: timeout '-5'"},
      {"m.nnet,p.vnnlib,10,qebverif-mnist,1\n", "line 1: a quant cell is PRESET:BITS"},
      {"m.nnet,p.vnnlib,10\n", "line 1: no quantization"},
      {"model,model\nm,n\n", "line 1: the column 'model' appears twice"},
      {"m.nnet,\"p.vnnlib,10\n", "line 1: a quoted field is not closed"},
      {"# only a comment\n", "no instances"},
      {"model,property,timeout,quant,eps,more\n", "line 1: unknown column 'more'"},
      {"instance,model,property\na,m.nnet,p.vnnlib,x,y\n", "line 2: expected 3 cells as the header says, found 5"},
      {"m.nnet,p.vnnlib\n", "line 1: expected 3 to 5 cells (MODEL,PROPERTY,TIMEOUT[,QUANT[,EPS]]), found 2"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.csv);
    std::string path = dir.file("bad.csv", c.csv);
    auto r = run_qeb("batch " + path + " -o " + (dir.path / "r.csv").string());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(path + ": ") != std::string::npos);
    CHECK(r.err.find(c.phrase) != std::string::npos);
    CHECK(!fs::exists(dir.path / "r.csv"));
  }
  auto none = run_qeb("batch");
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("give the instance list") != std::string::npos);
  CHECK(run_qeb("batch " + (dir.path / "missing.csv").string()).err.find("no such file") != std::string::npos);
}

TEST_CASE("batch outcomes: verdicts, stages and bounds read from a document; crashes and kills without one") {
  using qeb::cli::interpret;
  nlohmann::json doc = {{"verdict", "verified"}, {"eps", "0.5"},
                        {"outputs", {{{"index", 0}, {"verdict", "verified"}, {"decided_by", "dra"}, {"dra_interval", {-0.1, 0.2}}},
                                     {{"index", 1}, {"verdict", "verified"}, {"decided_by", "smt"}, {"dra_interval", {-1, 1}}}}}};
  auto o = interpret(0, doc.dump(), "", false, 1.5);
  CHECK(o.verdict == "verified");
  CHECK(o.how == "dra+smt");
  CHECK(o.max_error_upper == "0.5");
  CHECK(o.vnncomp == "unsat");
  doc["outputs"][1]["bound"] = {-0.3, 0.25};  // a proven interval (the engine's) tightens the bound
  CHECK(interpret(0, doc.dump(), "", false, 1).max_error_upper == "0.3");
  CHECK(interpret(11 /* SIGSEGV */, "", "x\nlast words\n", false, 1).reason ==
        "crashed: killed by signal 11 (Segmentation fault); last message: last words");
  CHECK(interpret(9, "", "", true, 1).vnncomp == "timeout");
  CHECK(interpret(2 << 8, "garbage", "qeb-smt: error: boom\n", false, 1).reason ==
        "no result document (exit code 2); last message: qeb-smt: error: boom");
  nlohmann::json unknown = {{"verdict", "unknown"}, {"reason", "timeout: the task did not stop in time"}, {"outputs", nlohmann::json::array()}};
  CHECK(interpret(20 << 8, unknown.dump(), "", false, 1).vnncomp == "timeout");
  CHECK(qeb::cli::quant_options("qebverif-acas:6") == std::vector<std::string>{"--preset", "qebverif-acas", "--bits", "6"});
  CHECK(qeb::cli::quant_options("in=u8.8,w=s4.3") == std::vector<std::string>{"--quant", "in=u8.8,w=s4.3"});
}
