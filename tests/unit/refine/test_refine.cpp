// Refinement: the cost order is complete and monotone, and on tiny random networks `refine` returns
// exactly the cost an exhaustive search (verify on every candidate) finds, a configuration verify
// confirms, and a trajectory whose every rejection is backed by an exact counterexample.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "quant/quantize.h"
#include "refine/blame.h"
#include "refine/refiner.h"
#include "support/random_network.h"
#include "support/run_command.h"
#include "support/tr_example.h"

using namespace qeb;
using refine::Bits;

namespace {

Rational abs_value(const Rational& r) { return r < 0 ? Rational(-r) : r; }

std::vector<Bits> all_candidates(const refine::SearchSpace& space) {
  std::vector<Bits> out{{}};
  for (const refine::BitRange& r : space.ranges) {
    std::vector<Bits> next;
    for (const Bits& b : out)
      for (int q = r.lo; q <= r.hi; ++q) {
        next.push_back(b);
        next.back().push_back(q);
      }
    out = next;
  }
  return out;
}

// A box of at most `points` points somewhere in the input range.
spec::Box random_box(std::mt19937_64& rng, const FixedPointFormat& in, std::size_t inputs, int width) {
  spec::Box b;
  for (std::size_t k = 0; k < inputs; ++k) {
    int64_t lo = std::uniform_int_distribution<int64_t>(in.min_int(), in.max_int() - width)(rng);
    b.lo.push_back(lo);
    b.hi.push_back(lo + width);
  }
  return b;
}

// The exhaustive reference: verify every candidate on every region.
std::map<Bits, bool> verify_all(const model::Network& dnn, const refine::SearchSpace& space,
                                const std::vector<refine::RefineRegion>& regions, const Rational& eps) {
  std::map<Bits, bool> verified;
  for (const Bits& bits : all_candidates(space)) {
    bool ok = false;
    try {
      quant::ModelPair pair = quant::make_pair(dnn, space.config(bits));
      ok = true;
      for (const refine::RefineRegion& r : regions) {
        verify::VerifyOptions o;
        o.eps = eps;
        ok &= verify::verify(pair, r.box, o).verdict == verify::Verdict::VERIFIED;
      }
    } catch (const InputError&) {
    }
    verified[bits] = ok;
  }
  return verified;
}

// The max error of every valid candidate over the regions (oracle), to choose an eps that is neither trivial nor impossible.
std::vector<Rational> candidate_errors(const model::Network& dnn, const refine::SearchSpace& space,
                                       const std::vector<refine::RefineRegion>& regions) {
  std::vector<Rational> errors;
  for (const Bits& bits : all_candidates(space)) {
    try {
      quant::ModelPair pair = quant::make_pair(dnn, space.config(bits));
      Rational worst = 0;
      for (const refine::RefineRegion& r : regions)
        for (const eval::OutputRange& o : eval::run_oracle(pair, r.box).outputs)
          worst = std::max({worst, abs_value(o.max.diff), abs_value(o.min.diff)});
      errors.push_back(worst);
    } catch (const InputError&) {
    }
  }
  std::sort(errors.begin(), errors.end());
  return errors;
}

void check_against_exhaustive(const model::Network& dnn, const refine::SearchSpace& space,
                              const std::vector<refine::RefineRegion>& regions, const Rational& eps, refine::Cost cost) {
  refine::RefineOptions o;
  o.eps = eps;
  o.cost = cost;
  refine::RefineResult r = refine::refine(dnn, space, regions, o);
  std::map<Bits, bool> truth = verify_all(dnn, space, regions, eps);
  std::optional<uint64_t> best;
  for (auto& [bits, ok] : truth)
    if (ok && (!best || space.cost(bits, cost) < *best)) best = space.cost(bits, cost);
  CAPTURE(to_string(eps));
  CAPTURE(refine::to_string(cost));
  REQUIRE(best.has_value() == r.chosen.has_value());

  // The trajectory: non-decreasing cost, each rejection justified exactly.
  for (std::size_t i = 0; i < r.trajectory.size(); ++i) {
    const refine::Attempt& a = r.trajectory[i];
    CAPTURE(i);
    CAPTURE(a.reason);
    if (i) CHECK(r.trajectory[i - 1].cost <= a.cost);
    CHECK(a.cost == space.cost(a.bits, cost));
    if (a.outcome == refine::Outcome::UNKNOWN) FAIL("tiny tasks must not time out");
    if (a.outcome != refine::Outcome::VERIFIED) CHECK_FALSE(truth.at(a.bits));
    if (a.outcome == refine::Outcome::FALSIFIED || a.outcome == refine::Outcome::POOL) {
      REQUIRE(a.region.has_value());
      REQUIRE(a.diff.has_value());
      CHECK(abs_value(*a.diff) > eps);
    }
  }
  // Every pool entry violates the bound under the candidate that produced it, exactly.
  for (const refine::PoolEntry& e : r.pool) {
    const refine::Attempt& a = r.trajectory[e.found_at];
    quant::ModelPair pair = quant::make_pair(dnn, space.config(a.bits));
    CHECK(regions[e.region].box.contains(e.input));
    CHECK(eval::evaluate_pair(pair, e.input).diff[*a.output] == *a.diff);
  }
  if (!best) {
    CHECK(r.exhausted);
    CHECK(r.trajectory.size() == truth.size());
    return;
  }
  CHECK(r.cost == *best);  // minimal among all candidates of the space
  CHECK(truth.at(*r.chosen));
  CHECK(r.cheaper_undecided == 0);
  CHECK(r.evidence.size() == regions.size());
  // The --quant text reproduces the chosen QNN exactly, and verify confirms it independently.
  quant::ModelPair chosen = quant::make_pair(dnn, space.config(*r.chosen));
  quant::ModelPair reparsed = quant::make_pair(dnn, quant::parse_quant_config(r.config));
  for (std::size_t l = 0; l < chosen.qnn.layers.size(); ++l) {
    CHECK(chosen.qnn.layers[l].weights == reparsed.qnn.layers[l].weights);
    CHECK(chosen.qnn.layers[l].bias == reparsed.qnn.layers[l].bias);
    CHECK(chosen.qnn.layers[l].weight_format == reparsed.qnn.layers[l].weight_format);
    CHECK(chosen.qnn.layers[l].activation_format == reparsed.qnn.layers[l].activation_format);
  }
  for (const refine::RefineRegion& reg : regions) {
    verify::VerifyOptions vo;
    vo.eps = eps;
    vo.attack_samples = 0;
    vo.backend = "cvc5";
    CHECK(verify::verify(reparsed, reg.box, vo).verdict == verify::Verdict::VERIFIED);
  }
}

}  // namespace

TEST_CASE("bit ranges and costs parse and bad ones are option errors") {
  auto r = refine::parse_bit_ranges("2..8,4", "--weights");
  REQUIRE(r.size() == 2);
  CHECK((r[0].lo == 2 && r[0].hi == 8 && r[1].lo == 4 && r[1].hi == 4));
  CHECK_THROWS_AS(refine::parse_bit_ranges("8..2", "--weights"), OptionError);
  CHECK_THROWS_AS(refine::parse_bit_ranges("a..b", "--weights"), OptionError);
  CHECK_THROWS_AS(refine::parse_cost("speed"), OptionError);
  model::Network dnn = test::tr_network();
  CHECK_THROWS_AS(refine::make_space(dnn, {}, {{0, 4}}, {{2, 4}}), OptionError);  // a weight needs at least 1 bit
  CHECK_THROWS_AS(refine::make_space(dnn, {}, {{2, 4}}, {{1, 4}}), OptionError);  // u1.-1: negative fractional bits
  CHECK_THROWS_AS(refine::make_space(dnn, {}, {{2, 4}, {2, 4}, {2, 4}}, {{2, 4}}), OptionError);  // 3 ranges, 2 layers
}

TEST_CASE("the cost order visits every candidate once, in non-decreasing cost") {
  std::mt19937_64 rng(3);
  test::RandomCase c = test::random_case(rng, 3, {4, 2}, 2, 10);
  refine::SearchSpace space = refine::make_space(c.pair.dnn, c.config, {{2, 4}, {3, 5}, {2, 3}}, {{2, 3}, {2, 5}});
  for (refine::Cost cost : {refine::Cost::BITS, refine::Cost::SIZE}) {
    refine::CostOrder order(space, cost);
    std::set<Bits> seen;
    uint64_t last = 0;
    for (std::vector<Bits> tier = order.next_tier(); !tier.empty(); tier = order.next_tier()) {
      CHECK(order.tier_cost() >= last);
      last = order.tier_cost();
      for (const Bits& b : tier) {
        CHECK(space.cost(b, cost) == order.tier_cost());
        CHECK(seen.insert(b).second);
      }
    }
    CHECK(seen.size() == all_candidates(space).size());
  }
}

TEST_CASE("blame names the variable whose widening removes most of the error") {
  std::mt19937_64 rng(11);
  test::RandomCase c = test::random_case(rng, 2, {3}, 1, 10);
  refine::SearchSpace space = refine::make_space(c.pair.dnn, c.config, {{2, 8}}, {{2, 8}});
  Bits low = {2, 2, 2};
  std::vector<int64_t> x = c.box.lo;
  quant::ModelPair pair = quant::make_pair(c.pair.dnn, space.config(low));
  eval::PairOutput at = eval::evaluate_pair(pair, x);
  refine::Blame b = refine::blame(space, c.pair.dnn, low, x, 0, at.dnn[0]);
  REQUIRE(b.reduction.size() == 3);
  for (std::size_t v = 0; v < 3; ++v) {
    Bits wider = low;
    wider[v] = 8;
    try {
      eval::PairOutput w = eval::evaluate_pair(quant::make_pair(c.pair.dnn, space.config(wider)), x);
      CHECK(b.reduction[v] == abs_value(at.diff[0]) - abs_value(w.diff[0]));
    } catch (const InputError&) {
      CHECK(b.reduction[v] == 0);  // an invalid widening is no evidence
    }
  }
  if (b.blamed)
    for (const Rational& r : b.reduction) CHECK(r <= b.reduction[*b.blamed]);
}

TEST_CASE("refine is minimal: the same cost as verifying every candidate on random tiny networks") {
  std::mt19937_64 rng(2024);
  for (int round = 0; round < 6; ++round) {
    CAPTURE(round);
    bool deep = round % 3 == 2;
    test::RandomCase c = test::random_case(rng, 2, deep ? std::vector<std::size_t>{2, 2} : std::vector<std::size_t>{3}, 2, 20);
    std::vector<refine::RefineRegion> regions = {{c.box, {}, "random box"},
                                                 {random_box(rng, c.config.input, 2, 2), {}, "second box"}};
    refine::SearchSpace space = deep ? refine::make_space(c.pair.dnn, c.config, {{2, 3}}, {{2, 3}})
                                     : refine::make_space(c.pair.dnn, c.config, {{2, 4}}, {{2, 4}});
    std::vector<Rational> errors = candidate_errors(c.pair.dnn, space, regions);
    REQUIRE(!errors.empty());
    // An eps that about a third of the candidates meet (and one nobody meets, once).
    Rational eps = round == 1 ? Rational(errors.front() / 2) : errors[errors.size() * 2 / 3];
    check_against_exhaustive(c.pair.dnn, space, regions, eps, round % 2 ? refine::Cost::SIZE : refine::Cost::BITS);
  }
}

TEST_CASE("refine CLI: the chosen --quant verifies with qeb-smt verify and bad options exit 2") {
  const std::string model = "--model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet --quant in=u4.4,scale=15 ";
  test::CommandResult r = test::run_qeb("refine " + model +
                                        "--center 9,6 --radius 3 --box 0:3,0:3 --eps 0.2 --weights 2..5 --activations 2..5 "
                                        "--weight-int-bits 2 -q --json -");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("chosen:") != std::string::npos);  // --json -: the text report goes to stderr
  nlohmann::json doc = nlohmann::json::parse(r.out.substr(r.out.find("\n{") + 1));
  REQUIRE(doc["found"] == true);
  std::string quant = doc["chosen"]["quant"];
  CHECK(doc["chosen"]["minimal"] == true);
  CHECK(doc["trajectory"].size() >= 1);
  CHECK(doc["evidence"].size() == 2);
  for (const char* region : {"--center 9,6 --radius 3", "--box 0:3,0:3"}) {
    test::CommandResult v = test::run_qeb("verify --model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet --quant " +
                                          quant + " " + region + " --eps 0.2 -q");
    CAPTURE(v.out);
    CHECK(v.exit_code == 0);
  }
  CHECK(test::run_qeb("refine " + model + "--center 9,6 --radius 3 -q").exit_code == 2);  // no --eps
  CHECK(test::run_qeb("refine " + model + "--center 9,6 --eps 1 --weights 5..3 -q").exit_code == 2);
  CHECK(test::run_qeb("refine " + model + "--center 9,6 --eps 1 --cost speed -q").exit_code == 2);
  CHECK(test::run_qeb("refine " + model + "--eps 1 -q").exit_code == 2);  // no region
  // An impossible bound: every candidate is refuted (exit 10).
  CHECK(test::run_qeb("refine " + model + "--center 9,6 --radius 3 --eps 0 --weights 2..3 --activations 2..3 "
                      "--weight-int-bits 2 -q").exit_code == 10);
}

TEST_CASE("max-error CLI: a tight bracket around the report's 0.15216") {
  test::CommandResult r = test::run_qeb("max-error --model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet "
                                        "--quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --radius 3 "
                                        "--tolerance 1e-4 -q --json -");
  REQUIRE(r.exit_code == 0);
  nlohmann::json doc = nlohmann::json::parse(r.out.substr(r.out.find("\n{") + 1));
  double lower = doc["lower"]["approx"], upper = doc["upper"]["approx"];
  CHECK(lower <= upper);
  CHECK(upper - lower <= 1e-4 * (1 + 1e-9));  // exactly <= 1e-4; the doubles are its approximations
  CHECK(std::abs(lower - 0.15216) < 1e-4);
  CHECK(doc["closed"] == true);
  CHECK(test::run_qeb("max-error --model " QEB_SOURCE_DIR "/examples/tr-example/tr_example.nnet "
                      "--quant in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15 --center 9,6 --tolerance 0 -q").exit_code == 2);
}
