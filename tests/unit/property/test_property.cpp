// Output properties (VNN-LIB output constraints) against exhaustive enumeration: on random small
// networks and boxes, every verdict of check_property for the QNN, the DNN and their difference
// agrees with the exact outputs at every integer point, and every counterexample replays.
#include <doctest/doctest.h>

#include <random>

#include "eval/difference.h"
#include "property/property_checker.h"
#include "smt/backend.h"
#include "support/random_network.h"
#include "support/trials.h"
#include "support/tr_example.h"

using namespace qeb;
using spec::OutputConstraint;
using spec::OutputsOf;
using verify::Verdict;

namespace {

// The values Y takes at every point of the box (exact).
std::vector<std::vector<Rational>> all_values(const quant::ModelPair& pair, const spec::Box& box, OutputsOf which) {
  std::vector<std::vector<Rational>> out;
  spec::for_each_point(box, [&](const std::vector<int64_t>& x) {
    eval::PairOutput e = eval::evaluate_pair(pair, x);
    out.push_back(property::outputs_of(which, e.qnn, e.dnn));
  });
  return out;
}

// A random linear constraint whose threshold sits among the values it takes on the box (so that
// both answers occur), sometimes exactly on one of them (ties test <= against <).
OutputConstraint random_constraint(std::mt19937_64& rng, std::size_t outputs, const std::vector<std::vector<Rational>>& values) {
  OutputConstraint c;
  std::uniform_int_distribution<int> coefficient(-2, 2);
  for (std::size_t j = 0; j < outputs; ++j) {
    int a = coefficient(rng);
    if (a != 0) c.terms.push_back({j, Rational(a)});
  }
  if (c.terms.empty()) c.terms.push_back({0, Rational(1)});
  const std::vector<Rational>& at = values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
  Rational v = 0;
  for (const auto& [j, a] : c.terms) v += a * at[j];
  int shift = std::uniform_int_distribution<int>(0, 2)(rng);
  c.constant = -v + (shift == 0 ? Rational(0) : shift == 1 ? Rational(1, 64) : Rational(-1, 64));
  c.strict = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
  return c;
}

bool violated_somewhere(const spec::OutputProperty& p, const std::vector<std::vector<Rational>>& values) {
  for (const auto& y : values)
    if (spec::satisfied_disjunct(p, y) >= 0) return true;
  return false;
}

void check_result(const quant::ModelPair& pair, const spec::Box& box, const spec::OutputProperty& p, OutputsOf which,
                  const property::CheckResult& r, bool expect_violation) {
  REQUIRE(r.verdict != Verdict::UNKNOWN);  // tiny problems: always decided
  CHECK(r.verdict == (expect_violation ? Verdict::FALSIFIED : Verdict::VERIFIED));
  if (r.counterexample) {
    CHECK(box.contains(r.counterexample->input));
    eval::PairOutput e = eval::evaluate_pair(pair, r.counterexample->input);
    std::vector<Rational> y = property::outputs_of(which, e.qnn, e.dnn);
    CHECK(spec::satisfies(p.disjuncts.at(r.counterexample->disjunct), y));
    CHECK(e.qnn == r.counterexample->qnn);
  }
}

}  // namespace

TEST_CASE("check_property agrees with exhaustive enumeration on random networks, properties and targets") {
  std::mt19937_64 rng(20240516);
  int falsified = 0, verified = 0, by_solver = 0;
  const int n = test::trials(90);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 120);
    OutputsOf which = OutputsOf(trial % 3);
    std::vector<std::vector<Rational>> values = all_values(c.pair, c.box, which);
    spec::OutputProperty p;
    int disjuncts = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int d = 0; d < disjuncts; ++d) {
      std::vector<OutputConstraint> conjunction;
      int n = std::uniform_int_distribution<int>(1, 2)(rng);
      for (int k = 0; k < n; ++k) conjunction.push_back(random_constraint(rng, c.pair.qnn.output_size(), values));
      p.disjuncts.push_back(conjunction);
    }
    bool expect = violated_somewhere(p, values);
    for (const std::string& backend : smt::available_backends()) {
      for (uint64_t attack : {uint64_t(0), uint64_t(200)}) {
        CAPTURE(trial);
        CAPTURE(backend);
        CAPTURE(attack);
        CAPTURE(spec::to_string(which));
        property::CheckOptions o;
        o.outputs_of = which;
        o.backend = backend;
        o.attack_samples = attack;
        property::CheckResult r = property::check_property(c.pair, c.box, p, o);
        check_result(c.pair, c.box, p, which, r, expect);
        by_solver += r.decided_by == verify::Stage::SMT;
      }
    }
    (expect ? falsified : verified) += 1;
  }
  // Both answers, and the solver (not only DRA and the attack), were exercised.
  CHECK(falsified >= n / 9);  // 10 of the full run's 90
  CHECK(verified >= n / 9);   // 10
  CHECK(by_solver >= n * 2 / 9);  // 20
}

TEST_CASE("the technical report's network: its output and its error as properties") {
  quant::ModelPair pair = test::tr_pair();
  spec::Box box{{6, 3}, {12, 9}};
  auto single = [](std::size_t j, int a, const Rational& constant, bool strict) {
    OutputConstraint c;
    c.terms = {{j, Rational(a)}};
    c.constant = constant;
    c.strict = strict;
    return spec::OutputProperty{{{c}}};
  };
  // The error's minimum over the box is -0.15216...: QNN - DNN < -0.15 happens, < -0.153 does not.
  property::CheckOptions diff;
  diff.outputs_of = OutputsOf::DIFF;
  diff.attack_samples = 0;
  property::CheckResult r = property::check_property(pair, box, single(0, 1, Rational(15, 100), true), diff);
  CHECK(r.verdict == Verdict::FALSIFIED);
  CHECK(r.decided_by == verify::Stage::SMT);
  r = property::check_property(pair, box, single(0, 1, Rational(153, 1000), true), diff);
  CHECK(r.verdict == Verdict::VERIFIED);
  // An empty violation holds trivially; a Y beyond the outputs is refused.
  CHECK(property::check_property(pair, box, {}, diff).verdict == Verdict::VERIFIED);
  CHECK_THROWS_AS(property::check_property(pair, box, single(3, 1, Rational(0), false), diff), OptionError);
  // The QF_BV encoding has no real-valued outputs to constrain.
  diff.encoding = "bv";
  CHECK_THROWS_AS(property::check_property(pair, box, single(0, 1, Rational(15, 100), true), diff), OptionError);
}
