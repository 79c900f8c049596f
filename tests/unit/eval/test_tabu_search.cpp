// Tabu search against exhaustive enumeration: it stays in the box, its reported value is the
// point's (up to the DNN's double rounding), it never ends below its start, and on small boxes it
// reaches the exact extreme.
#include <doctest/doctest.h>

#include <atomic>
#include <random>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "eval/tabu_search.h"
#include "support/random_network.h"
#include "unit/eval/search_reaches_extremes.h"

using namespace qeb;
using namespace qeb::eval;

TEST_CASE("tabu search reaches the exact extreme on small boxes, and reports the value of its point") {
  test::check_search_reaches_extremes(91, [](const test::RandomCase& c, std::size_t output, bool maximize, int trial) {
    TabuOptions o;
    o.output = output;
    o.maximize = maximize;
    o.seed = uint64_t(trial);
    o.tenure = 4;
    o.candidates = 64;  // small boxes: every move; larger ones: sampled moves, also exercised
    o.max_steps = 1000;
    const TabuResult t = tabu_search(c.pair, c.box, c.box.lo, o);
    // Never worse than where it started.
    const Rational start = evaluate_pair(c.pair, c.box.lo).diff[output], found = evaluate_pair(c.pair, t.best).diff[output];
    CHECK((maximize ? found >= start : found <= start));
    return std::make_pair(t.best, t.best_value);
  });
}

TEST_CASE("tabu search walks on past a local optimum") {
  // A step always moves (the best allowed move, better or not), so a step budget is used up even
  // where plain hill-climbing would have stopped at once.
  std::mt19937_64 rng(92);
  test::RandomCase c = test::random_case(rng, 4, {6, 5}, 2, 300);
  REQUIRE(c.box.free_dimensions().size() >= 2);
  TabuOptions o;
  o.max_steps = 50;
  CHECK(tabu_search(c.pair, c.box, c.box.lo, o).steps == 50);
}

TEST_CASE("tabu search stops when cancelled") {
  std::mt19937_64 rng(93);
  test::RandomCase c = test::random_case(rng, 3, {5, 4}, 2, 300);
  REQUIRE(!c.box.free_dimensions().empty());
  std::atomic<bool> cancel{true};
  TabuOptions o;
  o.cancel = &cancel;  // no deadline, no step budget: only the flag ends it
  const TabuResult t = tabu_search(c.pair, c.box, c.box.lo, o);
  CHECK(t.steps == 0);
  CHECK(t.best.size() == c.box.lo.size());
}

TEST_CASE("tabu search reports each new best as it finds it, and stops when told") {
  std::mt19937_64 rng(94);
  int stopped_early = 0;
  for (int trial = 0; trial < 20; ++trial) {
    test::RandomCase c = test::random_case(rng, 4, {6, 5}, 2, 300);
    if (c.box.free_dimensions().empty()) continue;
    CAPTURE(trial);
    TabuOptions o;
    o.max_steps = 200;
    std::vector<double> seen;
    o.on_best = [&](const std::vector<int64_t>& x, double value) {
      CHECK(c.box.contains(x));
      CHECK(std::fabs(to_double(evaluate_pair(c.pair, x).diff[0]) - value) < 1e-9);
      if (!seen.empty()) CHECK(value > seen.back());
      seen.push_back(value);
      return seen.size() < 2;  // stop at the second new best
    };
    const TabuResult t = tabu_search(c.pair, c.box, c.box.lo, o);
    CHECK(seen.size() <= 2);
    if (!seen.empty()) CHECK(t.best_value == seen.back());  // what it reported last is what it returns
    if (seen.size() == 2) {
      CHECK(t.steps < 200);
      ++stopped_early;
    }
  }
  CHECK(stopped_early > 5);
}

TEST_CASE("tabu search gives up after the set number of restarts without a new best, and not before") {
  std::mt19937_64 rng(95);
  int trials = 0;
  for (int trial = 0; trial < 10; ++trial) {
    test::RandomCase c = test::random_case(rng, 4, {6, 5}, 2, 300);
    if (c.box.free_dimensions().empty()) continue;
    ++trials;
    CAPTURE(trial);
    TabuOptions o;
    o.seed = uint64_t(trial);
    o.candidates = 64;  // every move: a step always moves
    o.max_steps = 20000;
    const TabuResult unlimited = tabu_search(c.pair, c.box, c.box.lo, o);
    CHECK(unlimited.steps == o.max_steps);  // a small box settles fast: only the budget ends it
    o.max_fruitless_restarts = 1;
    const TabuResult one = tabu_search(c.pair, c.box, c.box.lo, o);
    o.max_fruitless_restarts = 3;
    const TabuResult three = tabu_search(c.pair, c.box, c.box.lo, o);
    CHECK(one.steps > 0);
    CHECK(one.steps < three.steps);  // the same walk (same seed), which the first left sooner
    CHECK(three.steps < o.max_steps);
    CHECK(three.best_value >= one.best_value);  // maximising: it only went on
    CHECK(unlimited.best_value >= three.best_value);
  }
  CHECK(trials > 5);
}
