// Loaders: every format of one function gives the same network, bit for bit, and the outputs
// numpy computed (tests/fixtures/make_fixtures.py writes the files and expected.json).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/load_network.h"
#include "support/paths.h"

namespace {

using qeb::model::DenseLayer;
using qeb::model::Network;
using nlohmann::json;

using qeb::test::fixture;

const json& expected() {
  static const json j = [] {
    std::ifstream in(fixture("expected.json"));
    REQUIRE(in.good());
    return json::parse(in);
  }();
  return j;
}

/** Plain double forward pass, independent of src/eval: hidden ReLU, linear output. */
std::vector<double> forward(const Network& net, std::vector<double> x) {
  for (const DenseLayer& layer : net.layers) {
    REQUIRE(x.size() == layer.inputs);
    std::vector<double> y(layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j) {
      double acc = layer.bias[j];
      for (std::size_t k = 0; k < layer.inputs; ++k) acc += layer.weight(j, k) * x[k];
      y[j] = layer.relu ? std::max(acc, 0.0) : acc;
    }
    x = std::move(y);
  }
  return x;
}

bool bits_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

/** Same shapes, ReLU flags and bit-identical weights and biases. */
void check_same_layers(const Network& got, const Network& want) {
  INFO("comparing " << got.source << " with " << want.source);
  REQUIRE(got.layers.size() == want.layers.size());
  for (std::size_t i = 0; i < got.layers.size(); ++i) {
    INFO("layer " << i);
    const DenseLayer& a = got.layers[i];
    const DenseLayer& b = want.layers[i];
    CHECK(a.inputs == b.inputs);
    CHECK(a.outputs == b.outputs);
    CHECK(a.relu == b.relu);
    CHECK(bits_equal(a.weights, b.weights));
    CHECK(bits_equal(a.bias, b.bias));
  }
}

void check_close(const std::vector<double>& got, const json& want, double tolerance) {
  REQUIRE(got.size() == want.size());
  for (std::size_t j = 0; j < got.size(); ++j) {
    double w = want[j].get<double>();
    INFO("output " << j << ": got " << got[j] << ", expected " << w);
    CHECK(std::fabs(got[j] - w) <= tolerance * (1 + std::fabs(w)));
  }
}

/** numpy and this file sum in different orders: agree to ~1e-15 relative, so 1e-12 is strict enough. */
void check_outputs(const Network& net, const json& cases) {
  INFO("network " << net.source);
  const json& inputs = cases.at("inputs");
  for (std::size_t c = 0; c < inputs.size(); ++c) {
    INFO("input " << c);
    check_close(forward(net, inputs[c].get<std::vector<double>>()), cases.at("outputs")[c], 1e-12);
  }
}

const char* const kSmallVariants[] = {"small_full.h5",     "small_gemm.onnx",  "small_matmul.onnx",
                                      "small_header.nnet", "small_plain.nnet", "small_weights.keras_weights",
                                      "small_header.txt"};

}  // namespace

TEST_CASE("Keras h5: kernel (in, out) is stored transposed, layers in layer_names order") {
  std::string path = fixture("small_weights.h5");
  Network net = qeb::model::load_network(path);
  CHECK(net.source == path);
  CHECK(shape_string(net) == "5-7-6-3");
  REQUIRE(net.layers.size() == 3);
  CHECK(net.layers[0].relu);
  CHECK(net.layers[1].relu);
  CHECK_FALSE(net.layers[2].relu);
  // make_fixtures.py sets kernel0[0, :3] = [-0.375, 0.625, -1.5] and kernel1[2, 1] = -2.5.
  CHECK(net.layers[0].weight(0, 0) == -0.375);
  CHECK(net.layers[0].weight(1, 0) == 0.625);
  CHECK(net.layers[0].weight(2, 0) == -1.5);
  CHECK(net.layers[1].weight(1, 2) == -2.5);
  CHECK(net.layers[1].bias[0] == -0.125);
  CHECK_FALSE(net.normalization.has_value());
}

TEST_CASE("the same small network loads bit-identically from every format") {
  Network reference = qeb::model::load_network(fixture("small_weights.h5"));
  for (const std::string name : kSmallVariants) {
    CAPTURE(name);
    Network net = qeb::model::load_network(fixture(name));
    check_same_layers(net, reference);
    bool nnet = name.ends_with(".nnet") || name.ends_with(".txt");
    CHECK(net.normalization.has_value() == nnet);
    if (net.normalization) {
      // The .nnet variants carry an identity normalisation (mean 0, range 1).
      CHECK(net.normalization->input_mean == std::vector<double>(5, 0.0));
      CHECK(net.normalization->input_range == std::vector<double>(5, 1.0));
      CHECK(net.normalization->output_mean == 0.0);
      CHECK(net.normalization->output_range == 1.0);
    }
  }
}

TEST_CASE("every small-network variant computes numpy's outputs") {
  const json& cases = expected().at("small");
  check_outputs(qeb::model::load_network(fixture("small_weights.h5")), cases);
  for (const char* name : kSmallVariants) check_outputs(qeb::model::load_network(fixture(name)), cases);
}

TEST_CASE("the real MNIST 784-100-10 network loads identically from h5, ONNX and .nnet") {
  std::string h5 = std::string(QEB_SHARED_DATA) + "/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5";
  Network reference = qeb::model::load_network(h5);
  CHECK(shape_string(reference) == "784-100-10");
  CHECK(shape_string(reference) == expected().at("mnist").at("shape").get<std::string>());
  check_outputs(reference, expected().at("mnist"));
  for (const std::string name : {"mnist_1blk_100.onnx", "mnist_1blk_100.nnet"}) {
    CAPTURE(name);
    Network net = qeb::model::load_network(fixture(name));
    check_same_layers(net, reference);
    check_outputs(net, expected().at("mnist"));
  }
}

TEST_CASE(".nnet normalisation is kept as read, and apply_normalization folds it into the layers") {
  const json& want = expected().at("norm");
  const json& norm_json = want.at("normalization");
  Network net = qeb::model::load_network(fixture("norm.nnet"));
  REQUIRE(net.normalization.has_value());
  const qeb::model::Normalization& n = *net.normalization;
  std::vector<double> mean = norm_json.at("mean").get<std::vector<double>>();
  std::vector<double> range = norm_json.at("range").get<std::vector<double>>();
  CHECK(n.input_min == norm_json.at("min").get<std::vector<double>>());
  CHECK(n.input_max == norm_json.at("max").get<std::vector<double>>());
  CHECK(n.input_mean == std::vector<double>(mean.begin(), mean.end() - 1));
  CHECK(n.input_range == std::vector<double>(range.begin(), range.end() - 1));
  CHECK(n.output_mean == mean.back());
  CHECK(n.output_range == range.back());

  const json& raw_inputs = want.at("raw_inputs");
  SUBCASE("not applied: the layers map normalised inputs to normalised outputs") {
    for (std::size_t c = 0; c < raw_inputs.size(); ++c) {
      std::vector<double> x = raw_inputs[c].get<std::vector<double>>();
      for (std::size_t k = 0; k < x.size(); ++k) x[k] = (x[k] - n.input_mean[k]) / n.input_range[k];
      std::vector<double> y = forward(net, x);
      for (double& v : y) v = v * n.output_range + n.output_mean;
      check_close(y, want.at("raw_outputs")[c], 1e-12);
    }
  }
  SUBCASE("applied: the folded network maps raw inputs to raw outputs") {
    qeb::model::apply_normalization(net);
    CHECK_FALSE(net.normalization.has_value());
    for (std::size_t c = 0; c < raw_inputs.size(); ++c)
      // Folding rounds each weight once; inputs up to 6e4 amplify that to ~1e-12 relative.
      check_close(forward(net, raw_inputs[c].get<std::vector<double>>()), want.at("raw_outputs")[c], 1e-9);
  }
}

TEST_CASE("Keras variants: full-model file with variable-length strings and bias listed first") {
  // small_full.h5 lists bias:0 before kernel:0 and uses variable-length strings: rank tells them apart.
  Network full = qeb::model::load_keras_h5(fixture("small_full.h5"));
  Network plain = qeb::model::load_keras_h5(fixture("small_weights.h5"));
  check_same_layers(full, plain);
  CHECK_FALSE(full.layers.back().relu);  // softmax output: compared as logits
}
