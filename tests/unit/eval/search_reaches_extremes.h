// The check a local search on the exact networks (annealing, tabu search) must pass against
// exhaustive enumeration: on random small boxes, for every output and direction, its point stays in
// the box, the value it reports is the point's (up to the DNN's double rounding), never beyond the
// exact extreme, and in at least 95% of the runs it is the exact extreme.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "support/random_network.h"

namespace qeb::test {

/// A search from the box's low corner: (its best point, that point's value in double).
using LocalSearch = std::function<std::pair<std::vector<int64_t>, double>(const RandomCase&, std::size_t output,
                                                                          bool maximize, int trial)>;

inline void check_search_reaches_extremes(uint64_t seed, const LocalSearch& search) {
  std::mt19937_64 rng(seed);
  int trials = 0, reached = 0;
  for (int trial = 0; trial < 60; ++trial) {
    RandomCase c = random_small_case(rng, 300);
    if (c.box.free_dimensions().empty()) continue;
    CAPTURE(trial);
    const eval::OracleResult exact = eval::run_oracle(c.pair, c.box, {});
    REQUIRE(exact.exhaustive);
    for (const eval::OutputRange& range : exact.outputs)
      for (bool maximize : {true, false}) {
        const auto [best, value] = search(c, range.output, maximize, trial);
        REQUIRE(c.box.contains(best));
        const Rational diff = eval::evaluate_pair(c.pair, best).diff[range.output];
        CHECK(std::fabs(to_double(diff) - value) < 1e-9);
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

}  // namespace qeb::test
