// Published semantics against the paper's recorded DRA intervals (RQ_2.csv, Sym, r = 3).
#include <doctest/doctest.h>

#include "unit/dra/published_check.h"

TEST_CASE("784-100-10, Q=4: the predicted class's Sym interval matches RQ_2 for samples 3236, 5656, 7219") {
  check_published_block("P1: 784_100_10", "1blk_100", 4, {3236, 5656, 7219});
}

TEST_CASE("784-100-100-10 at Q=8 and 784-100x3-10 at Q=4 match RQ_2 too (P4 matters there)") {
  check_published_block("P2: 784_100_100_10", "2blk_100_100", 8, {3236, 5656});
  check_published_block("P4: 784_100_100_100_10", "3blk_100_100_100", 4, {3236});
}
