// The affine (ONNX) QNN: what the loader reads from QDQ, QLinearMatMul and MatMulInteger graphs,
// that every form of one network gives the same QNN bit for bit, and every form it refuses.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "core/error.h"
#include "core/rounding.h"
#include "model/load_network.h"
#include "model/quantized_network.h"
#include "quant/affine.h"
#include "support/paths.h"

using namespace qeb;

namespace {

using qeb::test::fixture;

// Every field that defines the QNN's semantics (the source name aside).
void check_same(const quant::QNetwork& a, const quant::QNetwork& b) {
  CHECK(a.scheme == b.scheme);
  CHECK(a.input_format == b.input_format);
  CHECK(a.affine_input_scale == b.affine_input_scale);
  CHECK(a.input_zero_point == b.input_zero_point);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    CAPTURE(i);
    const quant::QLayer &x = a.layers[i], &y = b.layers[i];
    CHECK(x.inputs == y.inputs);
    CHECK(x.outputs == y.outputs);
    CHECK(x.weights == y.weights);
    CHECK(x.bias == y.bias);
    REQUIRE(x.affine);
    REQUIRE(y.affine);
    CHECK(x.affine->acc_scale == y.affine->acc_scale);
    CHECK(x.affine->acc_offset == y.affine->acc_offset);
    CHECK(x.affine->quantized == y.affine->quantized);
    CHECK(x.affine->out_scale == y.affine->out_scale);
    CHECK(x.affine->out_zero_point == y.affine->out_zero_point);
    CHECK(x.affine->out_lo == y.affine->out_lo);
    CHECK(x.affine->out_hi == y.affine->out_hi);
    CHECK(x.affine->mult == y.affine->mult);
    CHECK(x.affine->add == y.affine->add);
    CHECK(x.affine->div == y.affine->div);
  }
}

}  // namespace

TEST_CASE("QDQ, QLinearMatMul and MatMulInteger forms of one network load to the same QNN bit for bit") {
  SUBCASE("bias-free, uint8 activations clamped at the zero point, int8 per-channel weights") {
    check_same(quant::load_affine_qnn(fixture("affine_nobias_qdq.onnx")), quant::load_affine_qnn(fixture("affine_nobias_qlinear.onnx")));
  }
  SUBCASE("bias-free, symmetric int8 activations with Relu (QLinearMatMul: DequantizeLinear, Relu, QuantizeLinear)") {
    check_same(quant::load_affine_qnn(fixture("affine_nobias_relu_qdq.onnx")),
               quant::load_affine_qnn(fixture("affine_nobias_relu_qlinear.onnx")));
  }
  SUBCASE("float biases, per-channel uint8 weights, real output: Gemm QDQ vs MatMulInteger, Cast, Mul, Add") {
    check_same(quant::load_affine_qnn(fixture("affine_qdq_pc_u8.onnx")), quant::load_affine_qnn(fixture("affine_mmi_pc_u8.onnx")));
  }
}

TEST_CASE("the QDQ variants read as onnxruntime writes them") {
  quant::QNetwork pt = quant::load_affine_qnn(fixture("affine_qdq_pt_u8.onnx"));
  CHECK(pt.affine());
  CHECK(pt.input_format == FixedPointFormat{false, 8, 0});
  CHECK(pt.layers.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    const quant::AffineLayer& a = *pt.layers[i].affine;
    CHECK(a.quantized);
    // Per tensor: one scale for every channel; hidden uint8 zero point 0, so the clamp is the ReLU.
    for (const Rational& s : a.acc_scale) CHECK(s == a.acc_scale[0]);
    if (i < 2) CHECK((a.out_lo == 0 && a.out_zero_point == 0 && a.out_hi == 255));
    // int32 biases on float32(s_in * s_w), off the exact accumulator grid s_in * s_w.
    for (std::size_t j = 0; j < a.acc_offset.size(); ++j)
      CHECK((a.acc_offset[j] == 0 || boost::multiprecision::denominator(Rational(a.acc_offset[j] / a.acc_scale[j])) != 1));
  }
  CHECK(pt.layers[2].affine->out_lo < 0);  // the quantized output clamps on both sides
  quant::QNetwork pc = quant::load_affine_qnn(fixture("affine_qdq_pc_s8.onnx"));
  CHECK(pc.input_format == FixedPointFormat{true, 8, 0});
  // Symmetric int8 activations: zero point 0 and a Relu, so the centred clamp is [0, 127].
  CHECK((pc.layers[0].affine->out_zero_point == 0 && pc.layers[0].affine->out_lo == 0 && pc.layers[0].affine->out_hi == 127));
  bool differs = false;
  for (const Rational& s : pc.layers[0].affine->acc_scale) differs |= s != pc.layers[0].affine->acc_scale[0];
  CHECK(differs);  // per channel
  quant::QNetwork real = quant::load_affine_qnn(fixture("affine_qdq_pc_u8.onnx"));
  CHECK_FALSE(real.quantized(2));
}

TEST_CASE("the affine QNN pairs with its float network; other shapes name both files") {
  model::Network dnn = model::load_network(fixture("small_gemm.onnx"));
  quant::ModelPair pair = quant::make_affine_pair(dnn, quant::load_affine_qnn(fixture("affine_qdq_pt_s8.onnx")));
  CHECK(pair.input_scale == 1 / pair.qnn.affine_input_scale);
  CHECK(pair.dnn_input(pair.qnn.input_zero_point) == 0);
  model::Network other = model::load_network(fixture("mnist_1blk_100.onnx"));
  CHECK_THROWS_WITH_AS(quant::make_affine_pair(other, quant::load_affine_qnn(fixture("affine_qdq_pt_s8.onnx"))),
                       doctest::Contains("mnist_1blk_100.onnx"), InputError);
  CHECK_THROWS_WITH_AS(quant::make_affine_pair(other, quant::load_affine_qnn(fixture("affine_qdq_pt_s8.onnx"))),
                       doctest::Contains("affine_qdq_pt_s8.onnx"), InputError);
}

TEST_CASE("unsupported operators and forms are named, with their node") {
  struct Case {
    const char* file;
    const char* phrase;
    bool unsupported;
  };
  for (const Case& c : {Case{"bad/affine_conv.onnx", "Conv node '/conv/Conv'", true},
                        Case{"bad/affine_qgemm.onnx", "QGemm node '/fc0/Gemm' is from operator domain 'com.microsoft'", true},
                        Case{"bad/affine_no_relu.onnx", "has no ReLU", true},
                        Case{"bad/affine_dq_scale.onnx", "other parameters than those that quantized", true},
                        Case{"bad/affine_float_weight.onnx", "not quantized (float)", true},
                        Case{"bad/affine_per_channel_activation.onnx", "per channel", true},
                        Case{"bad/affine_qlinear_bias.onnx", "Add node '/fc0/late_Add'", true},
                        Case{"bad/affine_truncated.onnx", "protobuf parse failed", false},
                        Case{"small_gemm.onnx", "never quantized", true}}) {
    CAPTURE(c.file);
    try {
      quant::load_affine_qnn(fixture(c.file));
      FAIL("loaded");
    } catch (const UnsupportedError& e) {
      CHECK(c.unsupported);
      CHECK(std::string(e.what()).find(c.phrase) != std::string::npos);
      CHECK(std::string(e.what()).find(c.file) != std::string::npos);
    } catch (const InputError& e) {
      CHECK_FALSE(c.unsupported);
      CHECK(std::string(e.what()).find(c.phrase) != std::string::npos);
    }
  }
  // The float loader names the quantization operators it does not take.
  CHECK_THROWS_WITH_AS(model::load_network(fixture("affine_qdq_pt_u8.onnx")), doctest::Contains("QuantizeLinear node"),
                       UnsupportedError);
}

TEST_CASE("QuantizeLinear of a real input: saturate(round_half_to_even(x / s) + z)") {
  model::QuantizedNetwork net;
  net.source = "hand";
  net.input = {{0.5}, {3}, false, 8};
  model::QuantizedDense d;
  d.inputs = d.outputs = 1;
  d.weights = {1};
  d.weight_zero_point = {0};
  d.input_zero_point = 3;
  d.acc_bias = {0};
  d.acc_scale = {Rational(1, 2)};
  d.bias = {Rational(0)};
  net.layers = {d};
  quant::QNetwork q = quant::affine_qnn(net);
  CHECK(q.quantize_input(Rational(1, 4)) == 3);    // 0.5 -> 0, + 3
  CHECK(q.quantize_input(Rational(3, 4)) == 5);    // 1.5 -> 2
  CHECK(q.quantize_input(Rational(5, 4)) == 5);    // 2.5 -> 2
  CHECK(q.quantize_input(Rational(-3, 4)) == 1);   // -1.5 -> -2
  CHECK(q.quantize_input(Rational(-100)) == 0);    // saturates
  CHECK(q.quantize_input(Rational(1000)) == 255);
  // The real output of the one layer: acc / 2 with acc = x - 3 (weight scale 1, acc scale 1/2 = input scale).
  CHECK(q.acc_constant(0, 0) == -3);
  CHECK(q.output_value(0, 10 + q.acc_constant(0, 0)) == Rational(7, 2));
}

TEST_CASE("narrowed rounding rules round exactly as the original over the whole accumulator range") {
  std::mt19937_64 rng(2024);
  auto uniform = [&](i128 lo, i128 hi) {
    return i128(std::uniform_int_distribution<int64_t>(int64_t(lo), int64_t(hi))(rng));
  };
  auto rounds = [](const quant::RoundingRule& r, i128 acc) {
    return round_quotient(acc * to_i128(r.mult) + to_i128(r.add), to_i128(r.div), Rounding::HALF_EVEN);
  };
  int with_ties = 0;  // tie-prone rules whose range held a tie (k + 1/2)
  for (int trial = 0; trial < 300; ++trial) {
    quant::RoundingRule rule;
    rule.rounding = Rounding::HALF_EVEN;
    // Two in three: float32-like constants (40-55 bits); else small power-of-two divisors, full of ties.
    const bool wide = trial % 3 != 2;
    const i128 div = wide ? uniform(i128(1) << 45, i128(1) << 55) : i128(1) << uniform(1, 12);
    const i128 mult = wide ? uniform(div >> 12, div >> 2) : uniform(1, 40);
    rule.mult = big_int(mult);
    rule.div = big_int(div);
    rule.add = big_int(uniform(-300, 300) * div + uniform(-div, div));
    const i128 lo = uniform(-50'000, 50'000), hi = lo + uniform(0, 3'000);
    CAPTURE(trial);
    CAPTURE(rule.mult.str());
    CAPTURE(rule.add.str());
    CAPTURE(rule.div.str());
    CAPTURE(to_string(lo));
    CAPTURE(to_string(hi));
    quant::RoundingRule small = quant::narrow_rounding_rule(rule, lo, hi);
    if (wide) {  // a few thousand accumulator values need a divisor of about that size, not 2^50
      CHECK(small.div < 1'000'000);
      CHECK(small.div % 2 == 1);
    }
    CHECK(small.mult > 0);
    CHECK(small.rounding == Rounding::HALF_EVEN);
    int ties = 0;
    for (i128 acc = lo; acc <= hi; ++acc) {
      const i128 twice = 2 * (acc * mult + to_i128(rule.add)) % (2 * div);
      if (twice == div || twice == -div) ++ties;
      if (rounds(small, acc) != rounds(rule, acc)) {
        CAPTURE(to_string(acc));
        FAIL_CHECK("narrowed rule rounds differently");
        break;
      }
    }
    if (ties > 0) ++with_ties;
  }
  CHECK(with_ties >= 50);  // 61 with this seed
  // More than 4096 distinct values: the rule is kept as it is.
  quant::RoundingRule steep;
  steep.rounding = Rounding::HALF_EVEN;
  steep.mult = BigInt("123456789012345");
  steep.div = BigInt("1234567890123");
  steep.add = 7;
  quant::RoundingRule kept = quant::narrow_rounding_rule(steep, 0, 100'000);
  CHECK(kept.mult == steep.mult);
  CHECK(kept.div == steep.div);
  CHECK(kept.add == steep.add);
}
