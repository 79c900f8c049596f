// No silent minutes (issue 16, point 5): progress lines with readable numbers, a heartbeat while a
// phase runs long, nothing with -q.
#include <doctest/doctest.h>

#include <chrono>
#include <regex>

#include "cli/number_text.h"
#include "support/paths.h"
#include "support/run_command.h"

using namespace qeb::test;

TEST_CASE("readable_numbers turns exact fractions and overlong decimals into %.10g, and leaves the rest") {
  using qeb::cli::readable_numbers;
  CHECK(readable_numbers("QNN - DNN = -11573649980083735291348829465477/76059036013693764089802192322560") ==
        "QNN - DNN = -0.1521666667");
  CHECK(readable_numbers("unsat at 0.1748046875, bracket [0.152167, 0.174805]") ==
        "unsat at 0.1748046875, bracket [0.152167, 0.174805]");  // 10 digits: kept
  CHECK(readable_numbers("at 0.12345678901234567 now") == "at 0.123456789 now");
  CHECK(readable_numbers("3/4 of it, [12/20]") == "3/4 of it, [12/20]");  // short fractions stay
  CHECK(readable_numbers("= 1/3000000") == "= 3.333333333e-07");
  CHECK(readable_numbers("QF_BV2 x1 1/0 done") == "QF_BV2 x1 1/0 done");
  CHECK(readable_numbers("output 7: sat in 12 s") == "output 7: sat in 12 s");
  CHECK(qeb::cli::decimal(1e-300) == "0");
  CHECK(qeb::cli::decimal(-1e-300) == "0");
  CHECK(qeb::cli::decimal(0.15216666666666667) == "0.1521666667");
}

TEST_CASE("progress lines print decimals, never exact fractions") {
  auto r = run_qeb("verify " + kTrq + "--center 9,6 --radius 3 --eps 0.15 --engine smt");  // the attack's line
  CHECK(r.err.find("verify: output 0: counterexample (attack), QNN - DNN = -0.1521666667") != std::string::npos);
  CHECK(!std::regex_search(r.err, std::regex("[0-9]{12,}/[0-9]")));
  auto m = run_qeb("max-error " + kTrq + "--center 9,6 --radius 3 --engine smt");  // the bisection's lines
  CHECK(m.err.find("max-error: output 0:") != std::string::npos);
  CHECK(!std::regex_search(m.err, std::regex("[0-9]{7,}/[0-9]|[0-9]/[0-9]{7,}")));
}

TEST_CASE("a long attack is not silent: a heartbeat names the phase; -q prints nothing") {
  const std::string task = "verify --model " + kNet + " --preset qebverif-mnist --bits 4 --mnist " + kMnist +
                           " --sample 0 --radius 6 --eps 0.5 --attack 100000000 --timeout 3.5 ";
  auto start = std::chrono::steady_clock::now();
  auto r = run_qeb(task);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.exit_code == 20);
  CHECK(wall < 6);
  CHECK(std::regex_search(r.err, std::regex("verify: 2\\.[0-9] s: attack: 100000000 samples and hill-climbing \\(last step: DRA")));
  auto quiet = run_qeb(task + "-q");
  CHECK(quiet.exit_code == 20);
  CHECK(quiet.err.empty());
}
