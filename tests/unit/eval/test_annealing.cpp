// Simulated annealing against exhaustive enumeration: it stays in the box, its reported value is
// the point's (up to the DNN's double rounding), and on small boxes it reaches the exact extreme.
#include <doctest/doctest.h>

#include <atomic>
#include <random>

#include "eval/annealing.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "support/random_network.h"

using namespace qeb;
using namespace qeb::eval;

TEST_CASE("annealing reaches the exact extreme on small boxes, and reports the value of its point") {
  std::mt19937_64 rng(77);
  int trials = 0, reached = 0;
  for (int trial = 0; trial < 60; ++trial) {
    test::RandomCase c = test::random_small_case(rng, 300);
    if (c.box.free_dimensions().empty()) continue;
    CAPTURE(trial);
    const OracleResult exact = run_oracle(c.pair, c.box, {});
    REQUIRE(exact.exhaustive);
    for (const OutputRange& range : exact.outputs)
      for (bool maximize : {true, false}) {
        AnnealOptions o;
        o.output = range.output;
        o.maximize = maximize;
        o.seed = uint64_t(trial);
        o.max_moves = 20000;
        int epochs = 0;
        o.after_epoch = [&](const std::vector<int64_t>& x, double) { return c.box.contains(x) && ++epochs > 0; };
        const AnnealResult a = anneal(c.pair, c.box, c.box.lo, o);
        REQUIRE(c.box.contains(a.best));
        const Rational diff = evaluate_pair(c.pair, a.best).diff[range.output];
        CHECK(std::fabs(to_double(diff) - a.best_value) < 1e-9);
        CHECK(diff <= range.max.diff);
        CHECK(diff >= range.min.diff);
        ++trials;
        reached += diff == (maximize ? range.max.diff : range.min.diff);
      }
  }
  CAPTURE(trials);
  CHECK(trials > 100);
  CHECK(reached >= trials * 95 / 100);
}

TEST_CASE("annealing stops when cancelled or when the epoch callback says so") {
  std::mt19937_64 rng(78);
  test::RandomCase c = test::random_case(rng, 3, {5, 4}, 2, 300);
  REQUIRE(!c.box.free_dimensions().empty());
  std::atomic<bool> cancel{true};
  AnnealOptions o;
  o.cancel = &cancel;
  CHECK(anneal(c.pair, c.box, c.box.lo, o).moves == 0);  // no deadline, no move budget: only the flag ends it
  cancel = false;
  int epochs = 0;
  o.after_epoch = [&](const std::vector<int64_t>&, double) { return ++epochs < 3; };
  const AnnealResult a = anneal(c.pair, c.box, c.box.lo, o);
  CHECK(epochs == 3);
  CHECK(a.moves == 3 * 1000 * c.box.free_dimensions().size());
}
