// The JSON document (--json): one parseable document on stdout with --json -, the same schema
// (docs/result-schema.json) for every command and every exit path, the watchdog's included.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/report.h"
#include "support/json_schema.h"
#include "support/paths.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"

using namespace qeb::test;

namespace {

// The document must parse, fit the schema, and agree with the process's exit code.
nlohmann::json checked(const std::string& text, int exit_code) {
  nlohmann::json doc;
  REQUIRE_NOTHROW(doc = nlohmann::json::parse(text));
  std::vector<std::string> errors = qeb::test::schema_errors(doc, qeb::test::result_schema());
  for (const std::string& e : errors) FAIL_CHECK(e);
  CHECK(doc["exit_code"] == exit_code);
  CHECK(doc["qeb_smt_version"] == QEB_PROJECT_VERSION);
  return doc;
}

nlohmann::json from_file(const std::string& path, int exit_code) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return checked(text, exit_code);
}

}  // namespace

TEST_CASE("with --json -, stdout is one JSON document of the schema, for every command") {
  const std::string smt2 = scratch_path("emit.smt2");
  struct Case {
    std::string command, args, verdict;
    int exit;
  };
  const Case cases[] = {
      {"info", "--model " + kTr, "done", 0},
      {"info", kTrq, "done", 0},
      {"eval", kTrq + "--input 9,6", "done", 0},
      {"oracle", kTrq + "--center 9,6 --radius 3", "done", 0},
      {"dra", kTrq + "--center 9,6 --radius 3 --eps 0.3", "verified", 0},
      {"dra", kTrq + "--center 9,6 --radius 3 --eps 0.1", "unknown", 20},
      {"verify", kTrq + "--center 9,6 --radius 3 --eps 0.15", "falsified", 10},
      {"verify", kTrq + "--center 9,6 --radius 3 --eps 0.153", "verified", 0},
      {"verify", kTrq + "--center 9,6 --radius 3 --eps 0.153 --partition --jobs 2", "verified", 0},
      {"max-error", kTrq + "--center 9,6 --radius 3", "bounded", 0},
      {"emit", kTrq + "--center 9,6 --radius 3 --eps 0.153 --logic QF_LIRA -o " + smt2, "done", 0},
      {"quantize", kTrq + "-o " + scratch_path("q.json"), "done", 0},
      {"refine", "--model " + kTr + " --quant in=u4.4,scale=15 --center 9,6 --radius 1 --eps 2 --weights 3..4 "
                 "--activations 3..4", "found", 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.command);
    CAPTURE(c.args);
    auto r = run_qeb(c.command + " " + c.args + " --json -");
    CHECK(r.exit_code == c.exit);
    nlohmann::json doc = checked(r.out, c.exit);  // the whole of stdout
    CHECK(doc["command"] == c.command);
    CHECK(doc["verdict"] == c.verdict);
    CHECK(doc["solvers"].size() == 2);
    CHECK(!doc["options"].empty());
    if (c.command != "info" && c.command != "eval" && c.command != "quantize" && c.command != "refine")
      CHECK(doc["regions"][0]["box"] == "6:12,3:9");
    // The text report went to stderr.
    CHECK(r.err.size() > 0);
  }
  std::filesystem::remove(smt2);
}

TEST_CASE("verify's document: per output the verdict, the deciding stage, the times; one region or several") {
  auto r = run_qeb("verify " + kTrq + "--center 9,6 --radius 3 --eps 0.15 -q --json -");
  nlohmann::json doc = checked(r.out, 10);
  REQUIRE(doc["outputs"].size() == 1);
  const nlohmann::json& o = doc["outputs"][0];
  CHECK(o["verdict"] == "falsified");
  CHECK(o["decided_by"] == "attack");
  CHECK(o["region"] == 0);
  CHECK(o["counterexample"]["input"].size() == 2);
  CHECK(doc["regions"][0]["verdict"] == "falsified");
  CHECK(doc["seconds"]["total"].get<double>() > 0);
  CHECK(doc["seconds"].contains("dra"));
  CHECK(doc["options"]["eps"] == "0.15");
  CHECK(doc["options"]["backend"] == "z3");
  CHECK(!doc["options"].contains("json"));
}

TEST_CASE("every exit path writes the document: errors, unsupported models, the watchdog") {
  const std::string fixtures = QEB_FIXTURE_DIR;
  struct Case {
    std::string name, args;
    int exit;
    std::string verdict, kind, reason;  ///< kind: the error's kind; reason: a phrase of "reason"
  };
  const Case cases[] = {
      {"missing model", "verify --model /nonexistent.nnet --quant in=u4.4 --center 1 --eps 1", 2, "error", "input",
       "/nonexistent.nnet"},
      {"unknown option", "verify " + kTrq + "--center 9,6 --eps 1 --bogus", 2, "error", "usage", "--bogus"},
      {"bad number", "verify " + kTrq + "--center 9,6 --eps abc", 2, "error", "usage", "abc"},
      {"missing option", "verify " + kTrq + "--center 9,6", 2, "error", "usage", "--eps"},
      {"unsupported", "verify --model " + fixtures + "/bad/conv.onnx --preset qebverif-mnist --bits 8 --box 0:1 --eps 1",
       3, "error", "unsupported", "Conv"},
      {"unknown command", "frobnicate --model x", 2, "error", "usage", "frobnicate"},
      {"missing file in oracle", "oracle --model /nonexistent.h5 --preset qebverif-mnist --bits 8 --box 0:1", 2, "error",
       "input", "/nonexistent.h5"},
      {"bad property", "dra " + kTrq + "--property /nonexistent.vnnlib", 2, "error", "input", "/nonexistent.vnnlib"},
      // The watchdog: a limit reached while the .h5 is still loading (the limits count from process start).
      {"timeout watchdog", "verify --model " + kNet + " --preset qebverif-mnist --bits 8 --mnist " + kMnist +
                               " --sample 0 --radius 2 --eps 1 --timeout 0.01", 20, "unknown", "", "timeout"},
      {"memory watchdog", "verify --model " + kNet + " --preset qebverif-mnist --bits 8 --mnist " + kMnist +
                              " --sample 0 --radius 2 --eps 1 --memory-limit 16", 20, "unknown", "", "memory limit"},
      {"oracle watchdog", "oracle --model " + kNet + " --preset qebverif-mnist --bits 8 --mnist " + kMnist +
                              " --sample 0 --radius 2 --timeout 0.01", 20, "unknown", "", "timeout"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    for (bool to_stdout : {false, true}) {
      CAPTURE(to_stdout);
      const std::string path = scratch_path("exit.json");
      std::ofstream(path) << "stale content of an earlier run";
      auto r = run_qeb(c.args + " --json " + (to_stdout ? "-" : path));
      CHECK(r.exit_code == c.exit);
      nlohmann::json doc = to_stdout ? checked(r.out, c.exit) : from_file(path, c.exit);
      CHECK(doc["verdict"] == c.verdict);
      CHECK(doc["reason"].get<std::string>().find(c.reason) != std::string::npos);
      if (!c.kind.empty()) CHECK(doc["error"]["kind"] == c.kind);
      CHECK(doc.contains("error") == (c.verdict == "error"));
      std::filesystem::remove(path);
    }
  }
}

TEST_CASE("an unwritable --json path is an error before the run") {
  // A task that would take minutes: it must not start.
  const std::string task = "verify --model " + kNet + " --preset qebverif-mnist --bits 8 --mnist " + kMnist +
                           " --sample 3236 --radius 5 --eps 0.01 --attack 0 --timeout 100 ";
  const std::string directory = scratch_dir().string();
  for (const std::string& path : {std::string("/nonexistent-dir/result.json"), directory}) {
    CAPTURE(path);
    auto start = std::chrono::steady_clock::now();
    auto r = run_qeb(task + "--json " + path);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(path + ": cannot write the JSON file") != std::string::npos);
    CHECK(r.out.find("verdict") == std::string::npos);
    CHECK(wall < 5);
  }
}

TEST_CASE("--version and the documents carry CMake's project version; --help lists --version and --man") {
  auto v = run_qeb("--version");
  CHECK(v.exit_code == 0);
  CHECK(v.out == std::string("qeb-smt ") + QEB_PROJECT_VERSION + "\n");
  CHECK(std::string(qeb::cli::report::qeb_smt_version()) == QEB_PROJECT_VERSION);
  auto help = run_qeb("--help");
  CHECK(help.out.find("--version") != std::string::npos);
  CHECK(help.out.find("--man") != std::string::npos);
  // --help writes no document and does not move the help text off stdout.
  auto command_help = run_qeb("verify --help --json -");
  CHECK(command_help.exit_code == 0);
  CHECK(command_help.out.find("--eps") != std::string::npos);
}

TEST_CASE("find_json_path reads --json F and --json=F, the last one winning, and stops at --") {
  using qeb::cli::report::find_json_path;
  CHECK(!find_json_path({"--model", "m"}).has_value());
  CHECK(find_json_path({"--json", "a.json"}) == "a.json");
  CHECK(find_json_path({"--json=b.json", "-q"}) == "b.json");
  CHECK(find_json_path({"--json", "a", "--json", "-"}) == "-");
  CHECK(!find_json_path({"--", "--json", "x"}).has_value());
  CHECK(!find_json_path({"--json"}).has_value());
}

TEST_CASE("the schema checker itself rejects what the schema forbids") {
  const nlohmann::json& schema = qeb::test::result_schema();
  nlohmann::json good = {{"schema", "qeb-smt-result"}, {"schema_version", 1}, {"qeb_smt_version", "0"},
                         {"command", "verify"}, {"verdict", "verified"}, {"exit_code", 0},
                         {"options", nlohmann::json::object()}, {"outputs", nlohmann::json::array()},
                         {"seconds", {{"total", 1.0}}}, {"regions", nlohmann::json::array()}};
  CHECK(qeb::test::schema_errors(good, schema).empty());
  nlohmann::json bad = good;
  bad["verdict"] = "maybe";
  CHECK(!qeb::test::schema_errors(bad, schema).empty());
  bad = good;
  bad["verdict"] = "error";  // needs "error" and "reason"
  CHECK(qeb::test::schema_errors(bad, schema).size() == 2);
  bad = good;
  bad["outputs"] = {{{"index", 0}}};  // a verify output needs its verdict, stage, times
  CHECK(!qeb::test::schema_errors(bad, schema).empty());
  bad = good;
  bad.erase("regions");
  CHECK(!qeb::test::schema_errors(bad, schema).empty());
}

namespace {

// Runs `command` (qeb-smt's arguments) with --json, sends SIG`signal` (TERM or INT) once its
// progress on stderr shows `line`, and returns the document, checked against the schema and the
// signal's exit code. (The shell starts it in the background, which would ignore SIGINT: `trap -
// INT` undoes that.)
nlohmann::json stopped_after(const std::string& command, const std::string& line, const std::string& name,
                             const std::string& signal = "TERM") {
  const std::string path = scratch_path(name + ".json"), err = scratch_path(name + ".err");
  auto r = qeb::test::run_shell("(trap - INT; exec " + std::string(QEB_BINARY) + " " + command + " --json " + path +
                                ") >/dev/null 2>" + err + " & for i in $(seq 1200); do grep -q '" + line + "' " + err +
                                " && break; sleep 0.05; done; kill -" + signal + " $!; wait $!");
  const int code = signal == "TERM" ? 128 + 15 : 128 + 2;
  CHECK(r.exit_code == code);
  nlohmann::json doc = from_file(path, code);
  CHECK(doc["verdict"] == "unknown");
  CHECK(doc["reason"] == "interrupted by SIG" + signal);
  std::filesystem::remove(path);
  std::filesystem::remove(err);
  return doc;
}

}  // namespace

TEST_CASE("SIGTERM and SIGINT end a run with verdict unknown in the document, exit 128 + signal") {
  const std::string task = "verify --model " + kNet + " --preset qebverif-mnist --bits 4 --mnist " + kMnist +
                           " --sample 0 --radius 6 --eps 0.5 --attack 0 --engine smt --timeout 60";
  for (const char* signal : {"TERM", "INT"}) {
    CAPTURE(signal);
    auto start = std::chrono::steady_clock::now();
    // Signalled once DRA has reported, so the region is in the document: a fixed 1.5 s came before
    // that under ASan on a loaded machine.
    nlohmann::json doc = stopped_after(task, "verify: DRA", "signal", signal);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(wall < 20);  // start-up (seconds under ASan) and a prompt end, far below the 60 s timeout
    CHECK(doc["regions"].size() == 1);  // what the run had recorded stays in the document
  }
}

TEST_CASE("a run stopped from outside still reports each output with the bounds proven so far") {
  // 784-100-10 Q=4 eps=2, sample 7219 (label 7): DRA leaves output 7 open at [-2.506, 1.165], the
  // LP narrows its lower end (to about -2.490), and branch and bound would run for minutes. The
  // signal comes once the LP stage has reported, so the document must carry the LP's bound.
  nlohmann::json doc = stopped_after("verify --model " + kNet + " --preset qebverif-mnist --bits 4 --mnist " + kMnist +
                                         " --sample 7219 --radius 3 --eps 2 --output predicted --timeout 300",
                                     "verify: LP:", "verify_stopped");
  REQUIRE(doc["outputs"].size() == 1);
  const nlohmann::json& o = doc["outputs"][0];
  CHECK(o["index"] == 7);
  CHECK(o["verdict"] == "unknown");
  CHECK(o["reason"] == "stopped during branch and bound");
  const double dra_lo = o["dra_interval"][0], lo = o["bound"][0];
  CHECK(dra_lo < -2.5);
  CHECK(lo > dra_lo + 0.01);  // the LP's bound, not DRA's
  CHECK(lo < -2);             // and not a proof
}

TEST_CASE("max-error stopped from outside still reports its brackets") {
  // 784-100-10 Q=8, sample 3236, output 6: DRA's upper end 0.330, the LP's 0.210; the tabu search
  // and branch and bound would run to --timeout. The signal comes once the LP stage has reported.
  nlohmann::json doc = stopped_after("max-error --model " + kNet + " --preset qebverif-mnist --bits 8 --mnist " + kMnist +
                                         " --sample 3236 --radius 3 --output 6 --timeout 300",
                                     "max-error: LP:", "max_error_stopped");
  REQUIRE(doc["outputs"].size() == 1);
  const nlohmann::json& o = doc["outputs"][0];
  CHECK(o["index"] == 6);
  CHECK(o["reason"] == "stopped during the tabu search");
  CHECK(o["upper_from"] == "lp");
  const double lower = o["lower"]["approx"], upper = o["upper"]["approx"], dra_upper = o["dra_upper"]["approx"];
  CHECK(lower > 0.05);
  CHECK(upper < dra_upper - 0.05);  // the LP's upper end, not DRA's
  CHECK(lower < upper);
  CHECK(doc["upper"] == o["upper"]);
  CHECK(doc["witness"]["input"].size() == 784);
}
