// `qeb-smt info`: what was loaded and how it quantizes (formats, shifts, clipped weights).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/normalization.h"
#include "cli/report.h"
#include "cli/saturation.h"
#include "core/error.h"
#include "model/load_network.h"

namespace qeb::cli {

namespace {

// The normalisation as read and, when applied, what it means on the integer grid.
nlohmann::json describe_normalization(const model::Normalization& n, bool applied, std::optional<Rational> scale) {
  std::printf("normalisation (.nnet): %s\n", applied ? "applied outside both networks (--apply-normalization)"
                                                      : "present, not applied (the networks work on normalised values)");
  nlohmann::json j = {{"applied", applied}, {"input_min", n.input_min}, {"input_max", n.input_max},
                      {"input_mean", n.input_mean}, {"input_range", n.input_range}, {"output_mean", n.output_mean},
                      {"output_range", n.output_range}};
  spec::Box domain;
  if (applied && scale) domain = normalised_domain(n, *scale);
  for (std::size_t k = 0; k < n.input_min.size(); ++k) {
    std::printf("  input %zu: raw [%.10g, %.10g], mean %.10g, range %.10g", k, n.input_min[k], n.input_max[k],
                n.input_mean[k], n.input_range[k]);
    if (domain.dimension()) std::printf(" -> integer grid %lld:%lld", (long long)domain.lo[k], (long long)domain.hi[k]);
    std::printf("\n");
  }
  std::printf("  output: %s\n", output_scale_text(n).c_str());
  if (domain.dimension()) j["input_domain"] = domain.to_string();
  return j;
}

// Per hidden layer, the share of activations the QNN clamps at the format's top on MNIST samples.
nlohmann::json report_saturation(const po::variables_map& vm, const quant::ModelPair& pair) {
  if (pair.qnn.affine())
    throw UnsupportedError(pair.qnn.source, "--mnist: the saturation report covers the power-of-two formats only, "
                                            "not an affine (ONNX) QNN");
  spec::MnistSet mnist = spec::load_mnist_test(vm["mnist"].as<std::string>());
  if (pair.qnn.input_size() != mnist.rows * mnist.cols)
    throw OptionError("--mnist: the network has " + std::to_string(pair.qnn.input_size()) + " inputs, MNIST images have " +
                      std::to_string(mnist.rows * mnist.cols) + " pixels");
  std::size_t n = std::min(vm["data-samples"].as<std::size_t>(), mnist.count);
  std::printf("on MNIST test samples 0:%zu, QNN activations at the top of their format:\n", n);
  nlohmann::json list = nlohmann::json::array();
  for (const LayerSaturation& s : measure_saturation(pair, mnist, 0, n)) {
    const FixedPointFormat& f = *pair.qnn.layers[s.layer - 1].activation_format;
    double top = std::ldexp(double(f.max_int()), -f.frac_bits);
    std::printf("  layer %zu (%s, largest value %.10g): %.2f%%; DNN values up to %.10g\n", s.layer, f.to_string().c_str(),
                top, 100 * s.share(), s.dnn_max);
    nlohmann::json j = {{"layer", s.layer}, {"format", f.to_string()}, {"share_at_top", s.share()}, {"dnn_max", s.dnn_max}};
    if (s.share() > kSaturationWarning) {
      std::string fix = widening_override(pair.qnn, s);
      std::printf("  WARNING: layer %zu clamps %.1f%% of its values at %.10g (the DNN reaches %.10g)%s\n", s.layer,
                  100 * s.share(), top, s.dnn_max, fix.empty() ? "" : ("; widen it with --quant " + fix).c_str());
      j["warning"] = true;
      if (!fix.empty()) j["override"] = fix;
    }
    list.push_back(j);
  }
  return list;
}

// An affine layer: weight scales (one per channel or one), integer ranges, the output's quantization.
nlohmann::json affine_layer_info(const quant::QNetwork& qnn, std::size_t i) {
  const quant::QLayer& q = qnn.layers[i];
  const quant::AffineLayer& a = *q.affine;
  Rational lo = qnn.weight_scale(i, 0), hi = lo;
  for (std::size_t j = 1; j < q.outputs; ++j) lo = std::min(lo, qnn.weight_scale(i, j)), hi = std::max(hi, qnn.weight_scale(i, j));
  auto [wmin, wmax] = std::minmax_element(q.weights.begin(), q.weights.end());
  std::size_t offsets = std::count_if(a.acc_offset.begin(), a.acc_offset.end(), [](const Rational& c) { return c != 0; });
  std::string scales = lo == hi ? "weight scale " + to_string(lo) : "weight scales " + to_string(lo) + ".." + to_string(hi) + " (per channel)";
  std::printf("  QNN: %s, weights (zero point subtracted) %lld..%lld, %zu biases off the accumulator grid; ", scales.c_str(),
              (long long)*wmin, (long long)*wmax, offsets);
  nlohmann::json j = {{"weight_scale_range", {to_string(lo), to_string(hi)}},
                      {"weight_range", {*wmin, *wmax}},
                      {"biases_off_grid", offsets}};
  if (a.quantized) {
    std::printf("output scale %s, zero point %lld, clamp %lld..%lld (centred), rounding half to even\n",
                to_string(a.out_scale).c_str(), (long long)a.out_zero_point, (long long)a.out_lo, (long long)a.out_hi);
    j["output"] = {{"scale", to_string(a.out_scale)}, {"zero_point", a.out_zero_point}, {"clamp", {a.out_lo, a.out_hi}}};
  } else {
    std::printf("output unquantized\n");
  }
  return j;
}

}  // namespace

int cmd_info(const Args& args) {
  po::options_description data("Data (optional): how the quantization fits real inputs");
  data.add_options()
    ("mnist", po::value<std::string>()->value_name("DIR"),
     "run both networks on MNIST test samples and report, per hidden layer, the share of QNN activations at the "
     "top of their format (a warning above 5%, with the --quant override that widens the layer)")
    ("data-samples", po::value<std::size_t>()->default_value(1000)->value_name("N"), "use the first N samples");
  po::options_description all;
  all.add(model_options()).add(data).add(output_options());
  auto vm = parse_command(args, all, "Usage: qeb-smt info --model FILE [--preset P --bits Q | --quant S | --qnn F] [--mnist DIR]",
                          "Without a quantization only the DNN is described.\n");
  if (!vm) return 0;
  // --bits alone is still a quantization request: load_model_pair says what it lacks.
  bool quantized = vm->count("preset") || vm->count("quant") || vm->count("qnn") || vm->count("bits");
  quant::ModelPair pair;
  if (quantized) {
    pair = load_model_pair(*vm);
  } else {
    pair.dnn = load_dnn(*vm, false);  // info prints the notes itself
  }
  const model::Network& dnn = pair.dnn;
  std::printf("model: %s\nshape: %s\n", dnn.source.c_str(), model::shape_string(dnn).c_str());
  nlohmann::json doc = {{"command", "info"}, {"model", dnn.source}, {"shape", model::shape_string(dnn)},
                        {"notes", dnn.notes}};
  for (const std::string& note : dnn.notes) std::printf("note: %s\n", note.c_str());
  if (dnn.normalization) doc["normalization"] = describe_normalization(*dnn.normalization, (*vm)["apply-normalization"].as<bool>(),
                                                                      quantized ? std::optional<Rational>(pair.input_scale) : std::nullopt);
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& l = dnn.layers[i];
    auto [wmin, wmax] = std::minmax_element(l.weights.begin(), l.weights.end());
    auto [bmin, bmax] = std::minmax_element(l.bias.begin(), l.bias.end());
    std::printf("layer %zu: %zu -> %zu%s, weights [%g, %g], biases [%g, %g]\n", i + 1, l.inputs, l.outputs,
                l.relu ? ", ReLU" : ", linear", *wmin, *wmax, *bmin, *bmax);
    nlohmann::json layer = {{"inputs", l.inputs}, {"outputs", l.outputs}, {"relu", l.relu},
                            {"weight_range", {*wmin, *wmax}}, {"bias_range", {*bmin, *bmax}}};
    if (quantized && pair.qnn.affine()) {
      layer["qnn"] = affine_layer_info(pair.qnn, i);
    } else if (quantized) {
      const quant::QLayer& q = pair.qnn.layers[i];
      auto saturated = std::count_if(q.weights.begin(), q.weights.end(), [&](int64_t w) {
        return w == q.weight_format.min_int() || w == q.weight_format.max_int();
      });
      std::printf("  QNN: weights %s, biases %s (shift %d), %s; %ld weights at a range end\n",
                  q.weight_format.to_string().c_str(), q.bias_format.to_string().c_str(), pair.qnn.bias_shift(i),
                  q.activation_format
                      ? ("activations " + q.activation_format->to_string() + " (rounding shift " +
                         std::to_string(pair.qnn.activation_shift(i)) + ")").c_str()
                      : "output unquantized",
                  long(saturated));
      layer["qnn"] = {{"weight_format", q.weight_format.to_string()},
                      {"bias_format", q.bias_format.to_string()},
                      {"bias_shift", pair.qnn.bias_shift(i)},
                      {"weights_at_range_end", saturated}};
      if (q.activation_format) {
        layer["qnn"]["activation_format"] = q.activation_format->to_string();
        layer["qnn"]["activation_shift"] = pair.qnn.activation_shift(i);
      }
    }
    doc["layers"].push_back(layer);
  }
  if (quantized && pair.qnn.affine()) {
    const quant::QNetwork& q = pair.qnn;
    std::printf("QNN input: %s%d, scale %s, zero point %lld; both networks see (integer - %lld) * %s\n",
                q.input_format.is_signed ? "int" : "uint", q.input_format.total_bits, qeb::to_string(q.affine_input_scale).c_str(),
                (long long)q.input_zero_point, (long long)q.input_zero_point, qeb::to_string(q.affine_input_scale).c_str());
    doc["scheme"] = "affine";
    doc["input"] = {{"type", std::string(q.input_format.is_signed ? "int" : "uint") + std::to_string(q.input_format.total_bits)},
                    {"scale", qeb::to_string(q.affine_input_scale)},
                    {"zero_point", q.input_zero_point}};
  } else if (quantized) {
    std::printf("QNN input: %s; DNN input = integer / %s\n", pair.qnn.input_format.to_string().c_str(),
                qeb::to_string(pair.input_scale).c_str());
    doc["input_format"] = pair.qnn.input_format.to_string();
    doc["input_scale"] = qeb::to_string(pair.input_scale);
  }
  if (vm->count("mnist")) {
    if (!quantized) throw OptionError("--mnist needs a quantization (--preset P --bits Q, --quant S or --qnn F)");
    doc["saturation"] = report_saturation(*vm, pair);
  }
  return report::finish(doc, "done", 0);
}

}  // namespace qeb::cli
