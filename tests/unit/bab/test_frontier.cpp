// BabOptions::keep_closed against exhaustive enumeration: the nodes a search closed (with their
// bounds) and the nodes it left open cover every integer point of the box, no node claims more
// than the exact value at any point it holds, and a search at a lower eps that goes on from the
// nodes whose bound does not prove it reaches the oracle's verdict (max-error's bisection does so).
#include <doctest/doctest.h>

#include <optional>
#include <random>

#include "bab/search.h"
#include "dra/diff_analysis.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "support/neuron_trace.h"
#include "support/random_network.h"
#include "support/trials.h"

using namespace qeb;

namespace {

// Every point of the box in at least one node; every node's bound at most the exact oriented value
// s * (QNN - DNN) at each point it holds. Returns how many points broke either (0: a sound frontier).
int frontier_faults(const test::RandomCase& c, std::size_t output, bool above,
                    const std::vector<const std::vector<bab::OpenNode>*>& parts) {
  int faults = 0;
  for (const std::vector<int64_t>& x : test::box_points(c.box)) {
    const test::Trace t = test::trace(c.pair, x);
    const Rational diff = eval::evaluate_pair(c.pair, x).diff[output];
    const Rational value = above ? Rational(-diff) : diff;
    int holding = 0;
    bool overclaimed = false;
    for (const auto* nodes : parts)
      for (const bab::OpenNode& n : *nodes) {
        if (!n.sub.box().contains(x) || !test::satisfies(t, n.sub.restrictions)) continue;
        ++holding;
        overclaimed |= std::isfinite(n.bound) && rational_from_double(n.bound) > value;
      }
    faults += holding == 0 || overclaimed;
  }
  return faults;
}

}  // namespace

TEST_CASE("the nodes a search closed and left open cover the box with sound bounds, and a search at a lower eps goes on from them") {
  std::mt19937_64 rng(41);
  int resumed = 0, deep_frontiers = 0, raised = 0;
  const int n = std::max(test::trials(24), 8);
  for (int trial = 0; trial < n; ++trial) {
    test::RandomCase c = test::random_case(rng, 3, {6, 5}, 2, 3000);
    const eval::OracleResult exact = eval::run_oracle(c.pair, c.box, {});
    const eval::OutputRange& range = exact.outputs[trial % exact.outputs.size()];
    const bool above = trial % 2 == 0;
    const Rational extreme = above ? range.max.diff : Rational(-range.min.diff);
    if (extreme <= 0) continue;
    const dra::DraResult root = dra::run_dra(c.pair, c.box, {dra::DraMode::SYM, dra::Semantics::SOUND, true});
    CAPTURE(trial);
    // First a loose eps (proved), in verify's mode, whole or stopped early; or, in optimisation
    // mode, half the extreme, raised halfway to each violation found (so that violations keep
    // coming, down to the nodes small enough to enumerate, which close on them).
    bab::BabOptions o;
    o.keep_closed = true;
    o.eps = extreme * Rational(5, 4) + Rational(1, 1000000);
    o.threads = 1 + trial % 2;
    o.seconds = 120;  // room for a loaded machine under ASan: the verdicts are asserted, not the time
    if (trial % 4 >= 2) o.branching.input_split_dimension = 0;  // neuron splits only
    if (trial % 3 == 1) {
      o.eps = extreme / 2;
      o.enumerate_limit = 40;
      o.branching.input_split_dimension = 16;
      o.improved = [&, eps = o.eps](const std::vector<int64_t>&, const Rational& diff) mutable {
        eps = std::max(eps, Rational((eps + (above ? diff : Rational(-diff))) / 2));
        return eps;
      };
    }
    if (trial % 3 == 2) o.max_nodes = 3;
    bab::BabResult first = bab::branch_and_bound(c.pair, c.box, root, {range.output, above}, o);
    if (o.max_nodes == 0) CHECK(first.status == bab::BabStatus::PROVED);
    REQUIRE(first.status != bab::BabStatus::FALSIFIED);
    // Verify's mode closes a node only on a proof of eps (optimisation mode's enumerated nodes
    // close at their exact least value, which eps may not have been raised to).
    if (!o.improved)
      for (const bab::OpenNode& k : first.closed) CHECK(rational_from_double(dra::up(k.bound)) >= -o.eps);
    CHECK(frontier_faults(c, range.output, above, {&first.closed, &first.open}) == 0);
    deep_frontiers += first.closed.size() + first.open.size() > 2;

    // Then eps just below the extreme (violated) or just above it (holds), from the frontier.
    const bool violate = trial % 4 == 0;
    bab::BabOptions o2;
    o2.keep_closed = true;
    o2.eps = violate ? extreme - Rational(1, 1000000) : extreme + Rational(1, 1000000);
    o2.threads = o.threads;
    o2.seconds = 120;
    o2.branching = o.branching;
    std::vector<bab::OpenNode> start, kept;
    for (bab::OpenNode& k : first.closed)
      (rational_from_double(k.bound) >= -o2.eps ? kept : start).push_back(std::move(k));
    for (bab::OpenNode& k : first.open) start.push_back(std::move(k));
    if (violate) REQUIRE(!start.empty());  // the extreme's node cannot prove the lower eps
    if (start.empty()) continue;           // every node already proves it
    bab::BabResult rest = bab::branch_and_bound(c.pair, c.box, root, {range.output, above}, o2, std::move(start));
    CHECK(rest.status == (violate ? bab::BabStatus::FALSIFIED : bab::BabStatus::PROVED));
    raised += o.improved && first.eps > o.eps;
    if (rest.counterexample) {
      const Rational diff = eval::evaluate_pair(c.pair, *rest.counterexample).diff[range.output];
      CHECK((above ? diff > o2.eps : diff < -o2.eps));
    } else {
      CHECK(frontier_faults(c, range.output, above, {&kept, &rest.closed, &rest.open}) == 0);
    }
    ++resumed;
  }
  CHECK(resumed >= n / 4);
  CHECK(deep_frontiers >= n / 4);
  CHECK(raised >= 1);  // optimisation mode's eps moved during a search
}
