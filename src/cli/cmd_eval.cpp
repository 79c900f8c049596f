// `qeb-smt eval`: both networks on one input (exact), or classification accuracy on MNIST samples.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/normalization.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "eval/difference.h"
#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"
#include "spec/mnist.h"

namespace qeb::cli {

namespace {

int eval_one(const po::variables_map& vm, const quant::ModelPair& pair) {
  std::vector<int64_t> x;
  std::optional<int> label;
  std::string what;
  if (vm.count("input")) {
    x = spec::parse_int_list(vm["input"].as<std::string>(), "--input");
    what = "--input";
  } else {
    if (!vm.count("mnist")) throw OptionError("--sample needs --mnist DIR");
    spec::MnistSet mnist = spec::load_mnist_test(vm["mnist"].as<std::string>());
    long long sample = vm["sample"].as<long long>();
    if (sample < 0) throw OptionError("--sample must be non-negative");
    x = mnist.image(std::size_t(sample));
    label = mnist.label(std::size_t(sample));
    what = "MNIST sample " + std::to_string(sample);
    if (pair.qnn.affine()) {
      // The QNN's quantization of the image the float model reads (pixel / 255); both then see that grid point.
      for (int64_t& p : x) p = pair.qnn.quantize_input(Rational(p, 255));
      what += " (quantized by the QNN's input QuantizeLinear)";
    }
  }
  eval::PairOutput out = eval::evaluate_pair(pair, x);
  std::vector<double> qnn, dnn;
  for (std::size_t j = 0; j < out.qnn.size(); ++j) {
    qnn.push_back(to_double(out.qnn[j]));
    dnn.push_back(to_double(out.dnn[j]));
  }
  std::size_t q_class = argmax(qnn), d_class = argmax(dnn);
  std::printf("input: %s%s\n", what.c_str(), label ? (" (label " + std::to_string(*label) + ")").c_str() : "");
  std::printf("%6s %16s %16s %16s   %s\n", "output", "QNN", "DNN", "QNN - DNN", "QNN exact");
  for (std::size_t j = 0; j < qnn.size(); ++j)
    std::printf("%6zu %16.9g %16.9g %16.9g   %s\n", j, qnn[j], dnn[j], to_double(out.diff[j]),
                qeb::to_string(out.qnn[j]).c_str());
  std::printf("predicted class: QNN %zu, DNN %zu\n", q_class, d_class);

  nlohmann::json doc = {{"command", "eval"}, {"input", x}, {"qnn_class", q_class}, {"dnn_class", d_class}};
  if (label) doc["label"] = *label;
  for (std::size_t j = 0; j < qnn.size(); ++j)
    doc["outputs"].push_back({{"index", j},
                              {"qnn", rational_json(out.qnn[j])},
                              {"dnn", rational_json(out.dnn[j])},
                              {"diff", rational_json(out.diff[j])}});
  if (vm["apply-normalization"].as<bool>() && pair.dnn.normalization) {
    // The same outputs in the file's raw units (the networks themselves work on normalised values).
    const model::Normalization& n = *pair.dnn.normalization;
    spec::Box domain = normalised_domain(n, pair.input_scale);
    std::printf("raw input (x/D * range + mean):");
    for (std::size_t k = 0; k < x.size(); ++k) {
      std::printf(" %.10g", to_double(raw_input(n, k, x[k], pair.input_scale)));
      if (x[k] < domain.lo[k] || x[k] > domain.hi[k]) std::printf(" (outside [min, max])");
    }
    std::printf("\n%6s %16s %16s %16s   (%s)\n", "output", "QNN raw", "DNN raw", "QNN - DNN raw", output_scale_text(n).c_str());
    for (std::size_t j = 0; j < qnn.size(); ++j) {
      Rational q = raw_output(n, out.qnn[j]), d = raw_output(n, out.dnn[j]);
      std::printf("%6zu %16.9g %16.9g %16.9g\n", j, to_double(q), to_double(d), to_double(q - d));
      doc["outputs"][j]["qnn_raw"] = rational_json(q);
      doc["outputs"][j]["dnn_raw"] = rational_json(d);
    }
  }
  return report::finish(doc, "done", 0);
}

// Accuracy over a range of MNIST samples: the DNN in double, the QNN exactly.
int eval_accuracy(const po::variables_map& vm, const quant::ModelPair& pair) {
  if (!vm.count("mnist")) throw OptionError("--samples needs --mnist DIR");
  spec::MnistSet mnist = spec::load_mnist_test(vm["mnist"].as<std::string>());
  std::string range = vm["samples"].as<std::string>();
  std::size_t first = 0, last = mnist.count;
  if (range != "all") {
    auto colon = range.find(':');
    if (colon == std::string::npos) throw OptionError("--samples must be all or A:B (half-open), got " + range);
    std::vector<int64_t> ends = spec::parse_int_list(range.substr(0, colon) + "," + range.substr(colon + 1), "--samples");
    if (ends[0] < 0 || ends[1] < ends[0] || std::size_t(ends[1]) > mnist.count)
      throw OptionError("--samples " + range + " is not a range within 0:" + std::to_string(mnist.count));
    first = std::size_t(ends[0]);
    last = std::size_t(ends[1]);
  }
  if (pair.dnn.input_size() != mnist.rows * mnist.cols)
    throw OptionError("the network has " + std::to_string(pair.dnn.input_size()) + " inputs, MNIST images have " +
                      std::to_string(mnist.rows * mnist.cols) + " pixels");
  double inverse = to_double(Rational(1) / pair.input_scale);
  // An ONNX QNN quantizes pixel / 255 itself: one table for the 256 pixel values.
  std::vector<int64_t> quantized;
  if (pair.qnn.affine())
    for (int p = 0; p < 256; ++p) quantized.push_back(pair.qnn.quantize_input(Rational(p, 255)));
  std::size_t dnn_correct = 0, qnn_correct = 0, agree = 0;
  Progress progress("eval", false);
  for (std::size_t s = first; s < last; ++s) {
    if ((s - first) % 500 == 0) progress.status(std::to_string(s - first) + " / " + std::to_string(last - first) + " samples");
    std::vector<int64_t> x = mnist.image(s);
    std::vector<double> real(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) real[k] = double(x[k]) * inverse;
    if (pair.qnn.affine())
      // As deployed: the float model reads pixel / 255, the QNN its own quantization of that.
      for (std::size_t k = 0; k < x.size(); ++k) real[k] = double(x[k]) / 255, x[k] = quantized[std::size_t(x[k])];
    std::size_t d_class = argmax(eval::eval_dnn_double(pair.dnn, real));
    eval::QnnOutput q = eval::eval_qnn(pair.qnn, x);
    std::vector<double> qv;
    for (std::size_t j = 0; j < q.acc.size(); ++j) qv.push_back(q.approx(j));
    std::size_t q_class = argmax(qv);
    dnn_correct += d_class == std::size_t(mnist.label(s));
    qnn_correct += q_class == std::size_t(mnist.label(s));
    agree += d_class == q_class;
  }
  double n = double(last - first);
  std::printf("samples %zu:%zu (%zu)\nDNN accuracy %.4f%% (%zu correct)\nQNN accuracy %.4f%% (%zu correct)\n"
              "QNN and DNN agree on %.4f%%\n",
              first, last, last - first, 100 * dnn_correct / n, dnn_correct, 100 * qnn_correct / n, qnn_correct,
              100 * agree / n);
  return report::finish({{"command", "eval"},
                  {"samples", {first, last}},
                  {"dnn_accuracy", dnn_correct / n},
                  {"qnn_accuracy", qnn_correct / n},
                  {"dnn_correct", dnn_correct},
                  {"qnn_correct", qnn_correct},
                  {"agreement", agree / n}},
                         "done", 0);
}

}  // namespace

int cmd_eval(const Args& args) {
  po::options_description input("Input (one of)");
  input.add_options()
    ("input", po::value<std::string>()->value_name("V,V,..."),
     "integer QNN input (the DNN gets V/D; for an ONNX QNN, the stored int8/uint8 values: the DNN gets (V - zero point) * scale)")
    ("mnist", po::value<std::string>()->value_name("DIR"), "MNIST test set directory (idx files, gzipped or not)")
    ("sample", po::value<long long>()->value_name("N"), "evaluate MNIST test sample N (with --mnist)")
    ("samples", po::value<std::string>()->value_name("A:B|all"),
     "classification accuracy of both networks over samples A..B-1 (with --mnist)");
  po::options_description all;
  all.add(model_options()).add(input).add(resource_options("run")).add(output_options());
  auto vm = parse_command(args, all, "Usage: qeb-smt eval --model FILE (--preset P --bits Q | --quant S | --qnn F) "
                                     "(--input V,.. | --mnist DIR (--sample N | --samples A:B))",
                          "Prints both outputs, exactly for the QNN, and the difference QNN - DNN; with --samples, the\n"
                          "accuracy of the DNN (double) and the QNN (exact) against the MNIST labels.\n");
  if (!vm) return 0;
  int modes = int(vm->count("input")) + int(vm->count("sample")) + int(vm->count("samples"));
  if (modes != 1) throw OptionError("give exactly one of --input, --sample and --samples");
  enforce_resource_limits(*vm);
  quant::ModelPair pair = load_model_pair(*vm);
  return vm->count("samples") ? eval_accuracy(*vm, pair) : eval_one(*vm, pair);
}

}  // namespace qeb::cli
