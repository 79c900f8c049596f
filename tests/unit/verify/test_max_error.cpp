// max-error against the exhaustive oracle: the exact maximum lies in every reported bracket, the
// bracket is within tolerance, and its lower end is attained exactly by the reported witness.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "smt/backend.h"
#include "support/random_network.h"
#include "support/tr_example.h"
#include "support/trials.h"
#include "verify/max_error.h"

using namespace qeb;

namespace {

Rational abs_value(const Rational& r) { return r < 0 ? Rational(-r) : r; }

// Checks every bracket of `r` against the exact maxima of the oracle (exhaustive over the box).
// With `per_output`, every output's own bracket must be within tolerance (the SMT bisection closes
// each); otherwise only the overall one (the engine proves every side below the overall target).
void check_brackets(const quant::ModelPair& pair, const spec::Box& box, const verify::MaxErrorResult& r,
                    const Rational& tolerance, bool per_output = true) {
  eval::OracleOptions o;
  eval::OracleResult exact = eval::run_oracle(pair, box, o);
  REQUIRE(exact.exhaustive);
  Rational overall = 0;
  for (const verify::OutputBracket& b : r.outputs) {
    const eval::OutputRange& range = exact.outputs[b.output];
    Rational truth = std::max(abs_value(range.max.diff), abs_value(range.min.diff));
    overall = std::max(overall, truth);
    CAPTURE(b.output);
    CAPTURE(to_string(truth));
    CAPTURE(to_string(b.lower));
    CAPTURE(to_string(b.upper));
    if (per_output) CHECK(b.closed);
    CHECK(b.lower <= truth);
    CHECK(truth <= b.upper);
    if (per_output) CHECK(b.upper - b.lower <= tolerance);
    CHECK(b.upper <= b.dra_upper);
    CHECK(box.contains(b.witness.input));
    eval::PairOutput at = eval::evaluate_pair(pair, b.witness.input);
    CHECK(at.diff[b.output] == b.witness.diff);
    CHECK(abs_value(b.witness.diff) == b.lower);
  }
  CHECK(r.closed);
  CHECK(r.upper - r.lower <= tolerance);
  CHECK(r.lower <= overall);
  CHECK(overall <= r.upper);
}

}  // namespace

TEST_CASE("max-error brackets the exact maximum on random networks with the solver alone and both backends") {
  std::mt19937_64 rng(505);
  int solver_calls = 0, solver_lowers = 0;
  for (int round = 0, n = test::trials(8); round < n; ++round) {
    test::RandomCase c = test::random_small_case(rng, 300);
    for (const std::string& backend : smt::available_backends()) {
      verify::MaxErrorOptions o;
      o.engine = verify::Engine::SMT;
      o.backend = backend;
      o.tolerance = Rational(1, 64);
      o.search_samples = 0;  // the lower end comes from the box midpoint and solver models only
      CAPTURE(round);
      CAPTURE(backend);
      verify::MaxErrorResult r = verify::max_error(c.pair, c.box, o);
      check_brackets(c.pair, c.box, r, o.tolerance);
      solver_calls += r.solver_calls;
      for (const verify::OutputBracket& b : r.outputs) solver_lowers += b.lower_from == "solver";
    }
  }
  CHECK(solver_calls > 0);   // the bisection really ran ...
  CHECK(solver_lowers > 0);  // ... and models raised lower ends
}

TEST_CASE("max-error with the search and other encodings") {
  std::mt19937_64 rng(77);
  for (int round = 0, n = test::trials(3); round < n; ++round) {
    test::RandomCase c = test::random_small_case(rng, 200);
    for (const char* encoding : {"lira", "bv-lra"}) {
      verify::MaxErrorOptions o;
      o.engine = verify::Engine::SMT;
      o.encoding = encoding;
      o.tolerance = Rational(1, 1000);
      o.search_samples = 200;
      CAPTURE(round);
      CAPTURE(encoding);
      check_brackets(c.pair, c.box, verify::max_error(c.pair, c.box, o), o.tolerance);
    }
  }
}

TEST_CASE("max-error on the technical report's example: 0.15216 in a tight bracket with every encoding") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 3, pair.qnn.input_format);
  for (const char* encoding : {"lira", "bv-lra", "bv"}) {
    verify::MaxErrorOptions o;
    o.engine = verify::Engine::SMT;
    o.encoding = encoding;
    o.tolerance = Rational(1, 100000);
    o.search_samples = 0;
    CAPTURE(encoding);
    verify::MaxErrorResult r = verify::max_error(pair, box, o);
    check_brackets(pair, box, r, o.tolerance);
    CHECK(std::abs(to_double(r.lower) - 0.15216) < 1e-4);
  }
}

TEST_CASE("max-error rejects a non-positive tolerance and an unknown encoding") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box = spec::box_around({9, 6}, 1, pair.qnn.input_format);
  verify::MaxErrorOptions o;
  o.tolerance = 0;
  CHECK_THROWS_AS(verify::max_error(pair, box, o), OptionError);
  o.tolerance = 1;
  o.engine = verify::Engine::SMT;  // the encoding matters to the SMT engine only
  o.encoding = "nonsense";
  CHECK_THROWS_AS(verify::max_error(pair, box, o), OptionError);
}

// Runs cut short (here by a node limit; on real boxes by their time share) leave nodes open, and
// witnesses found meanwhile raise the eps nodes close at: a side's bound, the worst bound of the
// nodes its runs closed or left open, must hold the side's exact maximum, and a run that goes on
// from them must not lose any, so every bracket holds the exact maximum.
TEST_CASE("max-error: branch and bound runs cut short still bracket the exact maximum") {
  std::mt19937_64 rng(509);
  int stopped_runs = 0, resumed_runs = 0, closed = 0;
  const int n = test::trials(24);
  for (int round = 0; round < n; ++round) {
    test::RandomCase c = round % 2 ? test::random_small_case(rng, 300) : test::random_case(rng, 3, {5, 4}, 3, 300);
    verify::MaxErrorOptions o;
    o.tolerance = Rational(1, 256);
    o.search_samples = 0;  // weak lower ends: more runs, and witnesses found during them
    o.tabu = round % 2 == 0;
    o.anneal = round % 4 < 2;  // without it, the lower ends lag more: claims are tested, not covered by eps
    o.bab_max_nodes = 4 << (round % 3);
    // Each run's line, "... output K (QNN - DNN) <= EPS: HOW, side bound B (was A), ...": B must
    // hold that side's exact maximum (checked below).
    struct Claim {
      std::size_t output;
      bool above;
      double bound;
      std::string line;
    };
    std::vector<Claim> claims;
    std::map<std::string, std::size_t> frontier;  // per side ("branch and bound, output K (...)"): its nodes after its last run
    o.progress = [&](const std::string& line) {
      const std::size_t at = line.find("side bound ");
      if (line.rfind("branch and bound, output ", 0) != 0 || at == std::string::npos) return;
      const double bound = std::stod(line.substr(at + std::string("side bound ").size()));
      claims.push_back({std::stoul(line.substr(std::string("branch and bound, output ").size())),
                        line.find("(QNN - DNN)") != std::string::npos, bound, line});
      // A side's next run goes on from every node of its frontier, the nodes its last run closed
      // or left open (a lost node could hide the side's maximum, and a target below it would then
      // be "proved"), those whose bound does not prove the target (checked by the claims below).
      const std::string side = line.substr(0, line.find(" <= "));
      const std::size_t resumed = line.find(" of its ");
      if (resumed != std::string::npos) {
        ++resumed_runs;
        CAPTURE(line);
        REQUIRE(frontier.count(side));
        CHECK(std::stoul(line.substr(resumed + std::string(" of its ").size())) == frontier[side]);
      }
      const std::size_t size_at = line.find(" (frontier ");
      REQUIRE(size_at != std::string::npos);
      frontier[side] = std::stoul(line.substr(size_at + std::string(" (frontier ").size()));
      const std::size_t stopped = line.find(": stopped with ");
      if (stopped != std::string::npos) ++stopped_runs;
    };
    CAPTURE(round);
    verify::MaxErrorResult r = verify::max_error(c.pair, c.box, o);
    eval::OracleResult exact = eval::run_oracle(c.pair, c.box, {});
    REQUIRE(exact.exhaustive);
    for (const Claim& claim : claims) {
      const eval::OutputRange& range = exact.outputs[claim.output];
      const double truth = to_double(claim.above ? range.max.diff : Rational(-range.min.diff));
      CAPTURE(claim.line);
      CHECK(claim.bound >= truth - 1e-6);  // the line prints 6 decimals
    }
    for (const verify::OutputBracket& b : r.outputs) {
      const eval::OutputRange& range = exact.outputs[b.output];
      Rational truth = range.max_abs();
      CAPTURE(b.output);
      CAPTURE(to_string(truth));
      CAPTURE(to_string(b.upper));
      CHECK(b.lower <= truth);
      CHECK(truth <= b.upper);
      // Each side's own bound holds that side's maximum; the upper end is at least both.
      CHECK(range.max.diff <= b.qnn_minus_dnn_upper);
      CHECK(Rational(-range.min.diff) <= b.dnn_minus_qnn_upper);
      CHECK(std::max(b.qnn_minus_dnn_upper, b.dnn_minus_qnn_upper) <= b.upper);
    }
    closed += r.closed;
  }
  CHECK(stopped_runs > n);  // runs were cut short
  CHECK(resumed_runs > n);  // and went on from the nodes they closed or left open
  CHECK(closed > 0);        // and some brackets closed all the same
}

TEST_CASE("max-error with the engine: LP bounds, tabu search, then branch and bound per side, bracket the exact maximum") {
  std::mt19937_64 rng(506);
  int from_engine = 0, from_tabu = 0;
  for (int round = 0; round < 20; ++round) {
    test::RandomCase c = round % 2 ? test::random_small_case(rng, 300) : test::random_case(rng, 3, {5, 4}, 3, 300);
    for (verify::Engine engine : {verify::Engine::AUTO, verify::Engine::LP}) {
      verify::MaxErrorOptions o;
      o.engine = engine;
      o.tolerance = Rational(1, 256);
      o.search_samples = round % 3 ? 0 : 100;
      o.threads = 1 + round % 2;
      CAPTURE(round);
      CAPTURE(verify::to_string(engine));
      verify::MaxErrorResult r = verify::max_error(c.pair, c.box, o);
      if (engine == verify::Engine::AUTO) {
        check_brackets(c.pair, c.box, r, o.tolerance, false);
        for (const verify::OutputBracket& b : r.outputs) {
          from_engine += b.upper_from == "bab" || b.upper_from == "lp";
          from_tabu += b.lower_from == "tabu";
        }
      } else {
        // LP alone: sound but maybe open.
        eval::OracleResult exact = eval::run_oracle(c.pair, c.box, {});
        for (const verify::OutputBracket& b : r.outputs) {
          Rational truth = exact.outputs[b.output].max_abs();
          CHECK(b.lower <= truth);
          CHECK(truth <= b.upper);
        }
      }
    }
  }
  CHECK(from_engine > 10);
  CHECK(from_tabu > 0);  // its witnesses are exact: check_brackets holds them against enumeration
}
