#include "cli/common_options.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli/report.h"
#include "core/error.h"
#include "encodings/encoding.h"
#include "smt/backend.h"
#include "verify/verifier.h"
#include "eval/eval_qnn.h"
#include "model/load_network.h"
#include "quant/affine.h"
#include "quant/qnn_file.h"
#include "quant/quantize.h"

namespace qeb::cli {

po::options_description model_options() {
  po::options_description o("Model and quantization");
  o.add_options()
    ("model,m", po::value<std::string>()->value_name("FILE"),
     "the real-valued network (DNN): Keras .h5, .onnx or .nnet (required)")
    ("qnn", po::value<std::string>()->value_name("FILE"),
     "a pre-quantized network instead of deriving it from --model: qeb-smt QNN JSON (see `qeb-smt quantize`), "
     "or an int8/uint8 ONNX model (QDQ, QLinearMatMul or MatMulInteger form) of --model; it must have the DNN's shape")
    ("preset", po::value<std::string>()->value_name("NAME"),
     (std::string("a quantization preset with --bits: ") + quant::preset_help()).c_str())
    ("bits", po::value<int>()->value_name("Q"), "bit-width Q for --preset (2..32)")
    ("quant", po::value<std::string>()->value_name("SPEC"),
     "formats per tensor, e.g. in=u8.8,w=s4.3,b=s4.2,h=u4.2 (uQ.F unsigned, sQ.F signed: Q bits, F "
     "fractional); wN/bN/hN override layer N; scale=D sets the input scale. Applied on top of --preset if both")
    ("input-scale", po::value<std::string>()->value_name("D"),
     "the DNN sees integer input x as x/D (exact rational; MNIST presets: 255)")
    ("apply-normalization", po::bool_switch(),
     "apply a .nnet file's normalisation outside both networks: the QNN stays the quantization of the "
     "network as stored, x/D is the normalised input, regions keep only inputs within the file's [min, max], "
     "eval also prints raw outputs; differences stay in normalised output units (README: Normalisation)");
  return o;
}

po::options_description output_options() {
  po::options_description o("Output");
  o.add_options()
    ("json", po::value<std::string>()->value_name("FILE"),
     "also write the result as one JSON document to FILE (- = stdout; the text report then goes to stderr); "
     "written for every outcome, errors included (docs/result-schema.json)")
    ("help,h", "show this help");
  return o;
}

bool quiet(const po::variables_map& vm) { return vm.count("quiet") && vm["quiet"].as<bool>(); }

namespace {

bool is_onnx(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".onnx";
}

}  // namespace

model::Network load_dnn(const po::variables_map& vm, bool print_notes) {
  if (!vm.count("model")) throw OptionError("--model is required");
  const std::string path = vm["model"].as<std::string>();
  model::Network dnn = model::load_network(path);
  // What the loader accepted but changed goes to stderr, like the commands' progress lines.
  if (print_notes && !quiet(vm))
    for (const std::string& note : dnn.notes) std::cerr << "model: " << path << ": " << note << "\n";
  if (vm["apply-normalization"].as<bool>()) {
    if (!dnn.normalization)
      throw OptionError("--apply-normalization: " + path + " has no normalisation (only .nnet files carry one)");
    model::check_normalization(dnn);
  }
  return dnn;
}

quant::ModelPair load_model_pair(const po::variables_map& vm) {
  model::Network dnn = load_dnn(vm);

  bool has_preset = vm.count("preset"), has_quant = vm.count("quant");
  if (vm.count("bits") && !has_preset) throw OptionError("--bits goes with --preset");
  if (has_preset && !vm.count("bits")) throw OptionError("--preset needs --bits Q");
  if (!has_preset && !has_quant && !vm.count("qnn"))
    throw OptionError("choose a quantization: --preset NAME --bits Q, --quant SPEC, or --qnn FILE");
  quant::QuantConfig config;
  if (has_preset) config = quant::preset_config(vm["preset"].as<std::string>(), vm["bits"].as<int>());
  if (has_quant) config = quant::parse_quant_config(vm["quant"].as<std::string>(), config);
  if (vm.count("input-scale")) {
    config.input_scale = parse_rational(vm["input-scale"].as<std::string>());
    if (config.input_scale <= 0) throw OptionError("--input-scale must be positive");
  }
  if (!vm.count("qnn")) return quant::make_pair(std::move(dnn), config);

  const std::string qnn_path = vm["qnn"].as<std::string>();
  if (is_onnx(qnn_path)) {
    // The ONNX QNN's own input quantization relates the two networks' inputs.
    if (has_preset || has_quant || vm.count("input-scale"))
      throw OptionError("--qnn " + qnn_path + " is an ONNX QNN: its QuantizeLinear defines the input scale, so "
                        "--preset, --quant and --input-scale do not apply");
    return quant::make_affine_pair(std::move(dnn), quant::load_affine_qnn(qnn_path));
  }
  // With --qnn the formats come from the file; --preset/--quant/--input-scale only give the input scale.
  quant::ModelPair pair;
  pair.qnn = quant::load_qnn(qnn_path);
  pair.dnn = std::move(dnn);
  pair.input_scale = config.input_scale;
  quant::validate(pair);
  return pair;
}

double seconds_option(const po::variables_map& vm, const std::string& name, bool zero_means_none) {
  constexpr double kMaxSeconds = 1e7;
  double v = vm[name].as<double>();
  bool ok = (zero_means_none ? v >= 0 : v > 0) && v <= kMaxSeconds;  // false for NaN
  if (!ok) {
    std::ostringstream got;
    got << v;  // "-1", "nan", "inf": std::to_string would print -1.000000
    throw OptionError("--" + name + (zero_means_none ? " must be a number of seconds from 0 (none) to 1e7"
                                                      : " must be positive, a number of seconds up to 1e7") +
                      ", got " + got.str());
  }
  return v;
}

std::size_t argmax(const std::vector<double>& values) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < values.size(); ++j)
    if (values[j] > values[best]) best = j;
  return best;
}

std::vector<std::size_t> select_outputs(const std::string& spec, const quant::ModelPair& pair,
                                        const std::vector<int64_t>& center) {
  std::size_t outputs = pair.qnn.output_size();
  std::vector<std::size_t> selected;
  if (spec == "all") {
    for (std::size_t j = 0; j < outputs; ++j) selected.push_back(j);
  } else if (spec == "predicted") {
    eval::QnnOutput q = eval::eval_qnn(pair.qnn, center);
    std::vector<double> values;
    for (std::size_t j = 0; j < outputs; ++j) values.push_back(q.approx(j));
    selected.push_back(argmax(values));
  } else {
    selected.push_back(parse_output_index(spec, outputs));
  }
  return selected;
}

std::optional<po::variables_map> parse_command(const std::vector<std::string>& args, const po::options_description& all,
                                               const std::string& usage, const std::string& details,
                                               const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    po::command_line_parser parser(args);
    parser.options(all);
    if (positional) parser.positional(*positional);
    po::parsed_options parsed = parser.run();
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << all << "\n" << details;
      report::cancel();
      return std::nullopt;
    }
    po::notify(vm);
    // Boost reads "-1" for an unsigned option as 2^64 - 1 (lexical_cast wraps): refuse it here, for all.
    for (const po::option& o : parsed.options) {
      if (!vm.count(o.string_key) || o.value.empty() || !o.value[0].starts_with("-")) continue;
      const std::type_info& type = vm[o.string_key].value().type();
      if (type == typeid(unsigned) || type == typeid(unsigned long) || type == typeid(unsigned long long))
        throw OptionError("--" + o.string_key + " must be non-negative, got " + o.value[0]);
    }
  } catch (const po::error& e) {
    throw OptionError(e.what());
  }
  if (vm.count("json")) report::set_json_path(vm["json"].as<std::string>());
  report::set_options(vm);
  return vm;
}

nlohmann::json rational_json(const Rational& r) { return {{"exact", qeb::to_string(r)}, {"approx", to_double(r)}}; }

}  // namespace qeb::cli

namespace qeb::cli {

po::options_description solver_choice_options() {
  std::string backends;
  for (const std::string& b : smt::available_backends()) backends += (backends.empty() ? "" : "|") + b;
  std::string encodings = "SMT encoding:";
  for (auto& [name, description] : encodings::encoding_catalogue()) encodings += "\n  " + name + ": " + description;
  po::options_description d("Solver");
  d.add_options()
    ("backend", po::value<std::string>()->default_value("z3")->value_name(backends), "SMT solver")
    ("encoding", po::value<std::string>()->default_value("lira")->value_name("NAME"), encodings.c_str());
  return d;
}

SolverChoice read_solver_choice(const po::variables_map& vm) {
  SolverChoice c{vm["backend"].as<std::string>(), vm["encoding"].as<std::string>()};
  // Checked now: DRA may settle every output, and the backend would never be created (nor its name checked).
  std::vector<std::string> backends = smt::available_backends();
  if (std::find(backends.begin(), backends.end(), c.backend) == backends.end()) {
    std::string list;
    for (const std::string& b : backends) list += (list.empty() ? "" : ", ") + b;
    throw OptionError("--backend: unknown SMT backend '" + c.backend + "' (available: " + list + ")");
  }
  encodings::make_encoding(c.encoding);  // an unknown name is an OptionError listing the known ones
  if (auto why = verify::incompatibility(c.backend, c.encoding))
    throw OptionError("--backend " + c.backend + " with --encoding " + c.encoding + ": " + *why);
  return c;
}

}  // namespace qeb::cli

namespace qeb::cli {

std::size_t parse_output_index(const std::string& spec, std::size_t outputs) {
  long long k = -1;
  try {
    std::size_t used = 0;
    k = std::stoll(spec, &used);
    if (used != spec.size()) k = -1;
  } catch (const std::exception&) {
  }
  if (k < 0 || k >= (long long)outputs)
    throw OptionError("--output must be all, predicted or an index 0.." + std::to_string(outputs - 1) + ", got '" +
                      spec + "'");
  return std::size_t(k);
}

}  // namespace qeb::cli
