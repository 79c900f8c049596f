#include <doctest/doctest.h>

#include "core/error.h"
#include "quant/quant_config.h"

using namespace qeb;
using namespace qeb::quant;

TEST_CASE("the qebverif presets reproduce the artifact's formats (spec 1.2)") {
  QuantConfig m = preset_config("qebverif-mnist", 4);
  CHECK(m.input == FixedPointFormat{false, 8, 8});
  CHECK(m.weight == FixedPointFormat{true, 4, 3});
  CHECK(m.bias == FixedPointFormat{true, 4, 2});
  CHECK(m.hidden == FixedPointFormat{false, 4, 2});
  CHECK(m.input_scale == 255);
  QuantConfig a = preset_config("qebverif-acas", 8);
  CHECK(a.input == FixedPointFormat{true, 8, 8});
  CHECK(a.weight == FixedPointFormat{true, 8, 6});
  CHECK(a.hidden == FixedPointFormat{false, 8, 6});
  CHECK_THROWS_AS(preset_config("qebverif-cifar", 8), OptionError);
  CHECK_THROWS_AS(preset_config("qebverif-mnist", 1), OptionError);
  CHECK_THROWS_AS(preset_config("qebverif-mnist", 40), OptionError);
}

TEST_CASE("--quant text parses per tensor and per layer, and round-trips") {
  QuantConfig c = parse_quant_config("in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15");
  CHECK(c.input == FixedPointFormat{false, 4, 4});
  CHECK(c.weight == FixedPointFormat{true, 4, 2});
  CHECK(c.input_scale == 15);
  QuantConfig d = parse_quant_config("w2=s6.5,h1=u5.3", c);
  CHECK(d.weight_format(1) == FixedPointFormat{true, 4, 2});
  CHECK(d.weight_format(2) == FixedPointFormat{true, 6, 5});
  CHECK(d.hidden_format(1) == FixedPointFormat{false, 5, 3});
  CHECK(d.hidden_format(2) == FixedPointFormat{false, 4, 2});
  QuantConfig again = parse_quant_config(d.to_string());
  CHECK(again.to_string() == d.to_string());
  CHECK(parse_quant_config("scale=2/3").input_scale == Rational(2, 3));
}

TEST_CASE("bad --quant text is rejected with a reason") {
  CHECK_THROWS_WITH_AS(parse_quant_config("q=u4.4"), doctest::Contains("unknown key"), OptionError);
  CHECK_THROWS_WITH_AS(parse_quant_config("w=s99.2"), doctest::Contains("outside 1..32"), OptionError);
  CHECK_THROWS_WITH_AS(parse_quant_config("w"), doctest::Contains("key=value"), OptionError);
  CHECK_THROWS_WITH_AS(parse_quant_config("scale=-3"), doctest::Contains("positive"), OptionError);
  CHECK_THROWS_WITH_AS(parse_quant_config("w0=s4.2"), doctest::Contains("layer number"), OptionError);
  CHECK_THROWS_AS(parse_quant_config(""), OptionError);
}
