// Simulated annealing against exhaustive enumeration: it stays in the box, its reported value is
// the point's (up to the DNN's double rounding), and on small boxes it reaches the exact extreme.
#include <doctest/doctest.h>

#include <atomic>
#include <random>

#include "eval/annealing.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "support/random_network.h"
#include "unit/eval/search_reaches_extremes.h"

using namespace qeb;
using namespace qeb::eval;

TEST_CASE("annealing reaches the exact extreme on small boxes, and reports the value of its point") {
  test::check_search_reaches_extremes(77, [](const test::RandomCase& c, std::size_t output, bool maximize, int trial) {
    AnnealOptions o;
    o.output = output;
    o.maximize = maximize;
    o.seed = uint64_t(trial);
    o.max_moves = 20000;
    int epochs = 0;
    o.after_epoch = [&](const std::vector<int64_t>& x, double) { return c.box.contains(x) && ++epochs > 0; };
    const AnnealResult a = anneal(c.pair, c.box, c.box.lo, o);
    return std::make_pair(a.best, a.best_value);
  });
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
