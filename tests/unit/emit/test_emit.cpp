// `emit` end to end: benchmarks of random small networks, solved by the z3 and cvc5 binaries, give
// verify's verdicts (through the API) in every logic, plain and incremental; and the CLI's errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "emit/benchmark.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "support/neuron_trace.h"
#include "support/random_network.h"
#include "support/run_command.h"
#include "support/scratch_dir.h"
#include "verify/verifier.h"

using namespace qeb;

namespace {

// The sat/unsat/unknown answers of a solver binary on a file, in order (z3's "unsupported" line
// for QF_BVLRA skipped; anything else, e.g. a parse error, kept so the comparison fails).
std::vector<std::string> answers(const std::string& solver, const std::string& path) {
  auto r = test::run_shell("timeout 60 " + solver + " " + path);
  std::vector<std::string> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line != "unsupported") out.push_back(line);
  return out;
}

// A random network with one hidden layer: the exact QF_BV files stay fast (float32 weights make
// the scaled DNN's constants grow by ~30 bits per layer).
test::RandomCase small_case(std::mt19937_64& rng) {
  std::size_t inputs = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
  std::size_t hidden = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
  std::size_t outputs = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
  return test::random_case(rng, inputs, {hidden}, outputs, 60);
}

// Emits the task in `logic`, solves the file with both binaries, and checks every answer against
// `expected` (verify's verdict as sat/unsat) and the recorded statuses.
void check_emit(const test::RandomCase& c, std::size_t k, const Rational& eps, const std::string& logic,
                bool incremental, const std::string& expected) {
  emit::EmitOptions o;
  o.logic = logic;
  o.incremental = incremental;
  o.eps = eps;
  o.outputs = {k};
  o.task = "random test network";
  emit::Benchmark b = emit::build_benchmark(c.pair, c.box, o);
  CAPTURE(logic);
  CAPTURE(incremental);
  CAPTURE(to_string(eps));
  if (b.empty) {  // DRA proved it: only right if the bound holds
    CHECK(expected == "unsat");
    return;
  }
  std::string path = qeb::test::scratch_path("task.smt2");
  {
    std::ofstream out(path);
    smt::print_smtlib(out, *b.problem.terms, b.script);
  }
  CHECK(b.script.status == expected);
  std::vector<std::string> solvers = {"z3"};
  // cvc5 1.0's bv2nat reasoning is exponential in the width (verify::incompatibility): ALL is z3's.
  if (logic != "ALL") solvers.push_back(incremental ? "cvc5 --incremental" : "cvc5");
  for (const std::string& solver : solvers) {
    CAPTURE(solver);
    std::vector<std::string> got = answers(solver, path);
    if (!incremental) {
      CHECK(got == std::vector<std::string>{expected});
      continue;
    }
    REQUIRE(got.size() == b.script.checks.size());
    bool any_sat = false;
    for (std::size_t q = 0; q < got.size(); ++q) {
      CHECK(got[q] == b.script.checks[q].status);
      any_sat |= got[q] == "sat";
    }
    CHECK(any_sat == (expected == "sat"));
  }
}

}  // namespace

TEST_CASE("emitted benchmarks solved by the z3 and cvc5 binaries give verify's verdicts, in every logic") {
  std::mt19937_64 rng(44);
  const std::vector<std::string> logics = {"QF_LIRA", "QF_BV", "QF_BVLRA", "ALL"};
  int solved = 0;
  for (int trial = 0; trial < 10; ++trial) {
    test::RandomCase c = small_case(rng);
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, oracle.outputs.size() - 1)(rng);
    Rational worst = oracle.outputs[k].max_abs();
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    for (const Rational& eps : {worst, Rational(worst * Rational(1023, 1024))}) {
      if (eps == 0 && worst == 0) continue;
      verify::VerifyOptions vo;
      vo.eps = eps;
      vo.outputs = {k};
      vo.attack_samples = 0;
      verify::Verdict v = verify::verify(c.pair, c.box, vo).verdict;
      REQUIRE(v != verify::Verdict::UNKNOWN);
      std::string expected = v == verify::Verdict::FALSIFIED ? "sat" : "unsat";
      CHECK(expected == (eps == worst ? "unsat" : "sat"));  // verify itself agrees with the oracle
      for (const std::string& logic : logics) check_emit(c, k, eps, logic, trial % 2 == 1, expected);
      ++solved;
    }
  }
  CHECK(solved >= 15);
}

TEST_CASE("all outputs, incremental: one scoped check per open direction, statuses from separate solves") {
  std::mt19937_64 rng(45);
  for (int trial = 0; trial < 3; ++trial) {
    test::RandomCase c = small_case(rng);
    emit::EmitOptions o;
    o.logic = "QF_BV";
    o.incremental = true;
    o.eps = Rational(1, 100);
    o.keep_dra_proved = true;  // every direction, proved by DRA or not
    emit::Benchmark b = emit::build_benchmark(c.pair, c.box, o);
    REQUIRE(!b.empty);
    CHECK(b.script.checks.size() == 2 * c.pair.qnn.output_size());
    std::string path = qeb::test::scratch_path("all.smt2");
    {
      std::ofstream out(path);
      smt::print_smtlib(out, *b.problem.terms, b.script);
    }
    for (const std::string solver : {"z3", "cvc5 --incremental"}) {
      std::vector<std::string> got = answers(solver, path);
      REQUIRE(got.size() == b.script.checks.size());
      for (std::size_t q = 0; q < got.size(); ++q) CHECK(got[q] == b.script.checks[q].status);
    }
  }
}

namespace {

// Is x inside the node: its box, and every neuron restriction at x's exact neuron values?
bool in_node(const test::RandomCase& c, const bounds::Subproblem& node, const std::vector<int64_t>& x) {
  return node.box().contains(x) && test::satisfies(test::trace(c.pair, x), node.restrictions);
}

}  // namespace

TEST_CASE("subproblem benchmarks: each check's status is the enumeration's within its node, and the open "
          "nodes hold every violation") {
  std::mt19937_64 rng(46);
  int open_checks = 0, sat_checks = 0, proved = 0, neuron_restrictions = 0;
  for (int trial = 0; trial < 12; ++trial) {
    test::RandomCase c = test::random_case(rng, 2, {4, 3}, 2, 200);
    CAPTURE(trial);
    CAPTURE(c.config.to_string());
    eval::OracleResult oracle = eval::run_oracle(c.pair, c.box);
    const std::size_t k = trial % c.pair.qnn.output_size();
    Rational worst = oracle.outputs[k].max_abs();
    if (worst == 0) continue;
    emit::EmitOptions o;
    o.logic = "QF_LIRA";
    o.eps = trial % 3 == 0 ? worst : worst * Rational(9, 10);  // proved, or violated somewhere
    o.outputs = {k};
    o.subproblem_nodes = 1 + trial % 5;
    o.input_split_dimension = trial % 4 == 3 ? 16 : 0;  // mostly neuron splits: the restrictions under test
    o.task = "random test network";
    emit::Benchmark b = emit::build_benchmark(c.pair, c.box, o);
    CAPTURE(to_string(o.eps));
    // Every violating point of each direction, by enumeration.
    std::vector<std::vector<int64_t>> points = test::box_points(c.box);
    auto violates = [&](const std::vector<int64_t>& x, const verify::Query& q) {
      Rational d = eval::evaluate_pair(c.pair, x).diff[q.output];
      return q.direction == verify::Direction::ABOVE ? d > o.eps : d < -o.eps;
    };
    REQUIRE(b.origins.size() == b.script.checks.size());
    for (const emit::SplitOutcome& split : b.splits) {
      bool any = false;
      for (const auto& x : points) any |= violates(x, split.query);
      if (split.outcome == "falsified") CHECK(any);
      if (split.outcome == "proved") {
        CHECK(!any);
        ++proved;
      }
      // Coverage: every violating point of an open direction lies in one of its open nodes.
      if (split.outcome != "open") continue;
      for (const auto& x : points) {
        if (!violates(x, split.query)) continue;
        bool covered = false;
        for (const emit::CheckOrigin& origin : b.origins)
          covered |= origin.query.output == split.query.output && origin.query.direction == split.query.direction &&
                     in_node(c, origin.node, x);
        CHECK(covered);
      }
    }
    for (std::size_t i = 0; i < b.origins.size(); ++i) {
      for (const bounds::Restriction& r : b.origins[i].node.restrictions) neuron_restrictions += r.target != bounds::Target::INPUT;
      bool any = false;
      for (const auto& x : points) any |= in_node(c, b.origins[i].node, x) && violates(x, b.origins[i].query);
      CHECK(b.script.checks[i].status == (any ? "sat" : "unsat"));
      ++open_checks;
      sat_checks += any;
    }
    if (b.empty) continue;
    // The file says the same to the z3 binary.
    std::string path = qeb::test::scratch_path("sub.smt2");
    {
      std::ofstream out(path);
      smt::print_smtlib(out, *b.problem.terms, b.script);
    }
    std::vector<std::string> got = answers("z3", path);
    REQUIRE(got.size() == b.script.checks.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == b.script.checks[i].status);
  }
  CHECK(open_checks >= 10);
  CHECK(sat_checks >= 2);
  CHECK(sat_checks < open_checks);
  CHECK(neuron_restrictions >= 10);

}

TEST_CASE("emit on the command line: help, a JSON summary, nothing written when DRA proves everything") {
  const std::string tr = "--model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet "
                         "--quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --radius 3 ";
  auto help = test::run_qeb("emit --help");
  CHECK(help.exit_code == 0);
  for (const char* option : {"--logic", "QF_LIRA", "QF_BV", "QF_BVLRA", "ALL", "--incremental", "-o [ --output-file ]",
                             "--keep-dra-proved", "--status", "--status-timeout"}) {
    CAPTURE(option);
    CHECK(help.out.find(option) != std::string::npos);
  }
  CHECK(test::run_qeb("--help").out.find("emit") != std::string::npos);

  std::string path = qeb::test::scratch_path("tr.smt2");
  auto r = test::run_qeb("emit " + tr + "--eps 0.15 --logic QF_BV -o " + path + " --json -");
  CHECK(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  CHECK(doc["written"] == true);
  CHECK(doc["file"] == path);
  CHECK(doc["logic"] == "QF_BV");
  CHECK(doc["encoding"] == "bv");
  CHECK(doc["status"] == "sat");
  CHECK(doc["queries"] == 1);
  CHECK(doc["terms"].get<int>() > 0);
  CHECK(doc["assertions"].get<int>() > 0);
  CHECK(std::filesystem::file_size(path) == doc["bytes"].get<std::uintmax_t>());
  CHECK(answers("z3", path) == std::vector<std::string>{"sat"});

  auto unknown = test::run_qeb("emit " + tr + "--eps 0.153 --logic QF_LIRA --status unknown -o " + path + " -q");
  CHECK(unknown.exit_code == 0);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("(set-info :status unknown)") != std::string::npos);
  CHECK(text.find("(set-logic QF_LIRA)") != std::string::npos);

  std::filesystem::remove(path);
  auto proved = test::run_qeb("emit " + tr + "--eps 1 -o " + path);
  CHECK(proved.exit_code == 0);
  CHECK(proved.out.find("nothing to write") != std::string::npos);
  CHECK(!std::filesystem::exists(path));
  auto kept = test::run_qeb("emit " + tr + "--eps 1 --keep-dra-proved --incremental -o " + path + " -q");
  CHECK(kept.exit_code == 0);
  CHECK(answers("z3", path) == std::vector<std::string>{"unsat", "unsat"});

  // Subproblems: the JSON says what branch and bound made of each open direction, per check too.
  auto split = test::run_qeb("emit " + tr + "--eps 0.153 --logic QF_LIRA --subproblems 3 --input-split-dimension 0 -o " +
                             path + " --json -");
  CHECK(split.exit_code == 0);
  nlohmann::json sdoc = nlohmann::json::parse(split.out.substr(split.out.find('{')));
  REQUIRE(sdoc["subproblems"].is_array());
  REQUIRE(sdoc["subproblems"].size() >= 1);
  std::size_t open_nodes = 0;
  for (const auto& d : sdoc["subproblems"]) {
    CHECK(d["branch_and_bound"] != "falsified");  // 0.153 is above the true maximum, 0.15216
    if (d["branch_and_bound"] == "open") open_nodes += d["open_nodes"].get<std::size_t>();
  }
  if (sdoc["written"] == true) {
    CHECK(sdoc["check_origin"].size() == open_nodes);
    CHECK(sdoc["status"] == "unsat");
    CHECK(answers("z3", path) == std::vector<std::string>(open_nodes, "unsat"));
  }
}

TEST_CASE("emit's usage errors exit with 2 and say what is wrong") {
  const std::string tr = "emit --model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet "
                         "--quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --radius 3 ";
  std::string path = qeb::test::scratch_path("err.smt2");
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {tr + "--eps 0.15 --logic QF_NIA -o " + path, "unknown logic 'QF_NIA'"},
      {tr + "--eps 0.15", "-o FILE.smt2 is required"},
      {tr + "-o " + path, "--eps E is required"},
      {tr + "--eps 0.15 -o /nonexistent/dir/x.smt2", "cannot open for writing"},
      {tr + "--eps 0.15 --status maybe -o " + path, "--status takes solve or unknown"},
      {tr + "--eps 0.15 --status-timeout 0 -o " + path, "--status-timeout must be positive"},
      {tr + "--eps 0.15 --logic ALL --status-backend cvc5 -o " + path, "bv2nat"},
      {tr + "--eps 0.15 --logic QF_BV --subproblems 4 -o " + path, "subproblems need --logic QF_LIRA"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto r = test::run_qeb(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
  }
}

