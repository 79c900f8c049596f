#include <doctest/doctest.h>

#include "core/error.h"
#include "core/fixed_point.h"

using namespace qeb;

TEST_CASE("fixed-point formats have the spec's integer ranges") {
  FixedPointFormat u{false, 4, 2}, s{true, 4, 3};
  CHECK(u.min_int() == 0);
  CHECK(u.max_int() == 15);
  CHECK(s.min_int() == -8);
  CHECK(s.max_int() == 7);
  FixedPointFormat wide{true, 32, 16};
  CHECK(wide.min_int() == -2147483648LL);
  CHECK(wide.max_int() == 2147483647LL);
  FixedPointFormat one{true, 1, 0};
  CHECK(one.min_int() == -1);
  CHECK(one.max_int() == 0);
}

TEST_CASE("formats parse and print as uQ.F / sQ.F") {
  FixedPointFormat f = parse_fixed_point_format("s4.3", "w");
  CHECK(f.is_signed);
  CHECK(f.total_bits == 4);
  CHECK(f.frac_bits == 3);
  CHECK(f.to_string() == "s4.3");
  CHECK(parse_fixed_point_format("u8.8", "in") == FixedPointFormat{false, 8, 8});
}

TEST_CASE("absurd formats are rejected with the tensor named") {
  auto message = [](const std::string& text) {
    try {
      parse_fixed_point_format(text, "weights");
    } catch (const OptionError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("s0.0").find("outside 1..32") != std::string::npos);
  CHECK(message("u33.2").find("outside 1..32") != std::string::npos);
  CHECK(message("s4.5").find("exceed the bit-width") != std::string::npos);
  CHECK(message("s4.-1").find("negative") != std::string::npos);
  CHECK(message("x4.2").find("not a fixed-point format") != std::string::npos);
  CHECK(message("s4").find("weights") != std::string::npos);
}
