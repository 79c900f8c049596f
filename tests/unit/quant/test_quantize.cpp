#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "quant/qnn_file.h"
#include "quant/quantize.h"
#include "support/scratch_dir.h"
#include "support/tr_example.h"

using namespace qeb;
using namespace qeb::quant;

using test::tr_network;

TEST_CASE("weights round half away from zero and saturate (spec 1.3)") {
  FixedPointFormat w{true, 4, 2};  // integers -8..7, step 1/4
  CHECK(quantize_value(0.375, w) == 2);     // 1.5 -> 2
  CHECK(quantize_value(-0.375, w) == -2);   // -1.5 -> -2 (away from zero; Keras would give -1)
  CHECK(quantize_value(0.625, w) == 3);     // 2.5 -> 3
  CHECK(quantize_value(-0.625, w) == -3);   // -2.5 -> -3
  CHECK(quantize_value(0.3, w) == 1);       // 1.2 -> 1
  CHECK(quantize_value(1.2, w) == 5);       // 4.8 -> 5
  CHECK(quantize_value(5.0, w) == 7);       // clipped to the top
  CHECK(quantize_value(-5.0, w) == -8);     // clipped to the bottom
  CHECK(quantize_value(1.9, w) == 7);       // 7.6 clipped before rounding: 7
  FixedPointFormat u{false, 4, 2};
  CHECK(quantize_value(-0.3, u) == 0);
}

TEST_CASE("the technical report's QNN weights come out of quantization (spec 6)") {
  QuantConfig c = parse_quant_config("in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15");
  ModelPair pair = make_pair(tr_network(), c);
  CHECK(pair.qnn.layers[0].weights == std::vector<int64_t>{5, -1, -3, 3});
  CHECK(pair.qnn.layers[1].weights == std::vector<int64_t>{1, 3});
  CHECK(pair.qnn.acc_frac_bits(0) == 6);
  CHECK(pair.qnn.activation_shift(0) == 4);  // the TR's coefficient 2^(2-2-4) = 1/16
  CHECK(pair.qnn.bias_shift(0) == 4);
  CHECK(pair.qnn.acc_frac_bits(1) == 4);
  CHECK(pair.input_scale == 15);
}

TEST_CASE("quantizations with negative shifts are rejected") {
  // Bias with more fractional bits than the accumulator (F_in + F_w = 0 + 1).
  QuantConfig c = parse_quant_config("in=u4.0,w=s4.1,b=s8.4,h=u4.1");
  CHECK_THROWS_WITH_AS(make_pair(tr_network(), c), doctest::Contains("bias format"), InputError);
  QuantConfig h = parse_quant_config("in=u4.0,w=s4.1,b=s4.1,h=u8.4");
  CHECK_THROWS_WITH_AS(make_pair(tr_network(), h), doctest::Contains("activation format"), InputError);
}

TEST_CASE("a QNN round-trips through its JSON file and is checked on load") {
  QuantConfig c = parse_quant_config("in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15");
  ModelPair pair = make_pair(tr_network(), c);
  auto dir = qeb::test::scratch_dir() / "quant";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "tr.qnn.json").string();
  save_qnn(pair.qnn, path);
  QNetwork loaded = load_qnn(path);
  REQUIRE(loaded.layers.size() == 2);
  CHECK(loaded.layers[0].weights == pair.qnn.layers[0].weights);
  CHECK(loaded.layers[1].bias == pair.qnn.layers[1].bias);
  CHECK(loaded.layers[0].activation_format == pair.qnn.layers[0].activation_format);
  CHECK(!loaded.layers[1].activation_format);
  CHECK(loaded.input_format == pair.qnn.input_format);

  auto write = [&](const std::string& name, const std::string& text) {
    std::string p = (dir / name).string();
    std::FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return p;
  };
  std::string out_of_range = write("bad1.json", R"({"format":"qeb-smt-qnn","version":1,"input":"u4.4","layers":[
    {"weight_format":"s4.2","bias_format":"s4.2","weights":[[9,1]],"bias":[0]}]})");
  CHECK_THROWS_WITH_AS(load_qnn(out_of_range), doctest::Contains("outside format s4.2"), InputError);
  std::string ragged = write("bad2.json", R"({"format":"qeb-smt-qnn","version":1,"input":"u4.4","layers":[
    {"weight_format":"s4.2","bias_format":"s4.2","weights":[[1,1],[1]],"bias":[0,0]}]})");
  CHECK_THROWS_WITH_AS(load_qnn(ragged), doctest::Contains("bad2.json"), InputError);
  std::string junk = write("bad3.json", "{not json");
  CHECK_THROWS_WITH_AS(load_qnn(junk), doctest::Contains("not valid JSON"), InputError);
  CHECK_THROWS_AS(load_qnn((dir / "missing.json").string()), InputError);
}
