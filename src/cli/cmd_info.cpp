// `qeb-smt info`: what was loaded and how it quantizes (formats, shifts, clipped weights).
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/report.h"
#include "core/error.h"
#include "model/load_network.h"

namespace qeb::cli {

int cmd_info(const Args& args) {
  po::options_description all;
  all.add(model_options()).add(output_options());
  auto vm = parse_command(args, all, "Usage: qeb-smt info --model FILE [--preset P --bits Q | --quant S | --qnn F]",
                          "Without a quantization only the DNN is described.\n");
  if (!vm) return 0;
  if (!vm->count("model")) throw OptionError("--model is required");
  // --bits alone is still a quantization request: load_model_pair says what it lacks.
  bool quantized = vm->count("preset") || vm->count("quant") || vm->count("qnn") || vm->count("bits");
  quant::ModelPair pair;
  if (quantized) {
    pair = load_model_pair(*vm);
  } else {
    pair.dnn = model::load_network((*vm)["model"].as<std::string>());
  }
  const model::Network& dnn = pair.dnn;
  std::printf("model: %s\nshape: %s\n", dnn.source.c_str(), model::shape_string(dnn).c_str());
  if (dnn.normalization) std::printf("normalisation: present (.nnet); not applied unless --apply-normalization\n");
  nlohmann::json doc = {{"command", "info"}, {"model", dnn.source}, {"shape", model::shape_string(dnn)}};
  for (std::size_t i = 0; i < dnn.layers.size(); ++i) {
    const model::DenseLayer& l = dnn.layers[i];
    auto [wmin, wmax] = std::minmax_element(l.weights.begin(), l.weights.end());
    auto [bmin, bmax] = std::minmax_element(l.bias.begin(), l.bias.end());
    std::printf("layer %zu: %zu -> %zu%s, weights [%g, %g], biases [%g, %g]\n", i + 1, l.inputs, l.outputs,
                l.relu ? ", ReLU" : ", linear", *wmin, *wmax, *bmin, *bmax);
    nlohmann::json layer = {{"inputs", l.inputs}, {"outputs", l.outputs}, {"relu", l.relu},
                            {"weight_range", {*wmin, *wmax}}, {"bias_range", {*bmin, *bmax}}};
    if (quantized) {
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
  if (quantized) {
    std::printf("QNN input: %s; DNN input = integer / %s\n", pair.qnn.input_format.to_string().c_str(),
                qeb::to_string(pair.input_scale).c_str());
    doc["input_format"] = pair.qnn.input_format.to_string();
    doc["input_scale"] = qeb::to_string(pair.input_scale);
  }
  return report::finish(doc, "done", 0);
}

}  // namespace qeb::cli
