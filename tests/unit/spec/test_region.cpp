#include <doctest/doctest.h>

#include "core/error.h"
#include "spec/region.h"

using namespace qeb;
using namespace qeb::spec;

TEST_CASE("a centre and radius give a box clipped to the input range (spec 2)") {
  FixedPointFormat in{false, 8, 8};
  Box b = box_around({0, 100, 254}, 3, in);
  CHECK(b.lo == std::vector<int64_t>{0, 97, 251});
  CHECK(b.hi == std::vector<int64_t>{3, 103, 255});
  CHECK(b.point_count() == 4 * 7 * 5);
  CHECK(b.free_dimensions().size() == 3);
  CHECK(box_around({7}, 0, in).point_count() == 1);
  // An absurd radius saturates instead of overflowing.
  Box all = box_around({5}, INT64_MAX, in);
  CHECK(all.lo[0] == 0);
  CHECK(all.hi[0] == 255);
  FixedPointFormat s{true, 8, 8};
  Box signed_box = box_around({-127}, 3, s);
  CHECK(signed_box.lo[0] == -128);
  CHECK_THROWS_WITH_AS(box_around({300}, 1, in), doctest::Contains("outside the input format"), OptionError);
  CHECK_THROWS_WITH_AS(box_around({3}, -1, in), doctest::Contains("non-negative"), OptionError);
}

TEST_CASE("--box parses and validates") {
  Box b = parse_box("6:12,3:9");
  CHECK(b.lo == std::vector<int64_t>{6, 3});
  CHECK(b.hi == std::vector<int64_t>{12, 9});
  CHECK(b.to_string() == "6:12,3:9");
  CHECK(parse_box("5,1:2").lo[0] == 5);
  FixedPointFormat in{false, 4, 4};
  CHECK_NOTHROW(validate(b, 2, in));
  CHECK_THROWS_WITH_AS(validate(parse_box("9:3,1:2"), 2, in), doctest::Contains("empty or inverted"), OptionError);
  CHECK_THROWS_WITH_AS(validate(parse_box("0:16,1:2"), 2, in), doctest::Contains("leaves the input format"),
                       OptionError);
  CHECK_THROWS_WITH_AS(validate(b, 3, in), doctest::Contains("3 inputs"), OptionError);
  CHECK_THROWS_WITH_AS(parse_box("a:b"), doctest::Contains("not an integer"), OptionError);
  CHECK_THROWS_AS(parse_box(""), OptionError);
  CHECK_THROWS_AS(parse_box("1:"), OptionError);
}

TEST_CASE("point counts saturate instead of overflowing") {
  Box huge;
  huge.lo.assign(784, 0);
  huge.hi.assign(784, 255);
  CHECK(huge.point_count() == (uint64_t(1) << 62));
  CHECK(huge.contains(std::vector<int64_t>(784, 17)));
  CHECK(!huge.contains(std::vector<int64_t>(784, 256)));
}
