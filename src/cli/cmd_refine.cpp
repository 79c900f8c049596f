// `qeb-smt refine`: the cheapest per-layer bit-widths under which every region verifies.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/normalization.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "encodings/encoding.h"
#include "eval/eval_dnn.h"
#include "model/load_network.h"
#include "refine/refiner.h"
#include "smt/backend.h"
#include "spec/mnist.h"

namespace qeb::cli {

namespace {

// The DNN and the fixed part of the quantization (input format, input scale) from the model options.
struct Base {
  model::Network dnn;
  quant::QuantConfig config;
};

Base load_base(const po::variables_map& vm) {
  if (vm.count("qnn")) throw OptionError("--qnn does not go with refine: refine derives every QNN from --model");
  Base b;
  b.dnn = load_dnn(vm);
  if (vm.count("bits") != vm.count("preset")) throw OptionError("--preset and --bits go together");
  if (vm.count("preset")) b.config = quant::preset_config(vm["preset"].as<std::string>(), vm["bits"].as<int>());
  if (vm.count("quant")) b.config = quant::parse_quant_config(vm["quant"].as<std::string>(), b.config);
  if (vm.count("input-scale")) {
    b.config.input_scale = parse_rational(vm["input-scale"].as<std::string>());
    if (b.config.input_scale <= 0) throw OptionError("--input-scale must be positive");
  }
  return b;
}

// Index of the DNN's largest output at the centre (the QNN changes with every candidate).
std::size_t dnn_prediction(const Base& b, const std::vector<int64_t>& center) {
  std::vector<Rational> y = eval::eval_dnn_exact(b.dnn, center, b.config.input_scale);
  std::size_t best = 0;
  for (std::size_t j = 1; j < y.size(); ++j)
    if (y[j] > y[best]) best = j;
  return best;
}

std::vector<std::size_t> region_outputs(const std::string& spec, const Base& b, const std::vector<int64_t>& center) {
  if (spec == "all") return {};
  if (spec == "predicted") return {dnn_prediction(b, center)};
  return {parse_output_index(spec, b.dnn.output_size())};
}

struct Regions {
  std::vector<refine::RefineRegion> list;
  std::vector<std::vector<int64_t>> centers;
};

// Repeated --sample (with --mnist and --radius), --center (with --radius) and --box, in that order.
Regions build_regions(const po::variables_map& vm, const Base& b) {
  Regions r;
  const FixedPointFormat& in = b.config.input;
  std::size_t n = b.dnn.input_size();
  long long radius = vm["radius"].as<long long>();
  std::string outputs = vm["output"].as<std::string>();
  auto add = [&](spec::Box box, std::vector<int64_t> center, std::string description) {
    spec::validate(box, n, in);
    if (vm["apply-normalization"].as<bool>() && b.dnn.normalization) {
      std::vector<std::string> notes;
      box = clip_to_domain(box, *b.dnn.normalization, b.config.input_scale, vm["model"].as<std::string>(), notes);
      for (const std::string& note : notes) std::cerr << "region: " << description << ": " << note << "\n";
    }
    r.list.push_back({box, region_outputs(outputs, b, center), std::move(description)});
    r.centers.push_back(std::move(center));
  };
  if (vm.count("sample")) {
    if (!vm.count("mnist")) throw OptionError("--sample needs --mnist DIR");
    spec::MnistSet mnist = spec::load_mnist_test(vm["mnist"].as<std::string>());
    for (long long s : vm["sample"].as<std::vector<long long>>()) {
      if (s < 0) throw OptionError("--sample must be non-negative");
      std::vector<int64_t> c = mnist.image(std::size_t(s));
      if (c.size() != n) throw OptionError("MNIST images have " + std::to_string(c.size()) + " pixels but the network has " + std::to_string(n) + " inputs");
      add(spec::box_around(c, radius, in), c,
          "MNIST sample " + std::to_string(s) + " (label " + std::to_string(mnist.label(std::size_t(s))) + "), radius " + std::to_string(radius));
    }
  }
  if (vm.count("center"))
    for (const std::string& text : vm["center"].as<std::vector<std::string>>()) {
      std::vector<int64_t> c = spec::parse_int_list(text, "--center");
      if (c.size() != n) throw OptionError("--center " + text + " has " + std::to_string(c.size()) + " values but the network has " + std::to_string(n) + " inputs");
      add(spec::box_around(c, radius, in), c, "centre " + text + ", radius " + std::to_string(radius));
    }
  if (vm.count("box"))
    for (const std::string& text : vm["box"].as<std::vector<std::string>>()) {
      spec::Box box = spec::parse_box(text);
      std::vector<int64_t> c;
      for (std::size_t k = 0; k < box.dimension(); ++k) c.push_back(box.lo[k] + (box.hi[k] - box.lo[k]) / 2);
      add(box, c, "box " + (text.size() > 40 ? text.substr(0, 37) + "..." : text));
    }
  if (r.list.empty()) throw OptionError("give at least one region: --mnist DIR --sample N (repeatable), --center V,.. or --box LO:HI,..");
  return r;
}

nlohmann::json bits_json(const refine::SearchSpace& space, const refine::Bits& bits) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t v = 0; v < space.size(); ++v) j[space.names[v]] = bits[v];
  return j;
}

}  // namespace

int cmd_refine(const Args& args) {
  po::options_description regions("Regions (repeatable; every one must verify)");
  regions.add_options()
    ("mnist", po::value<std::string>()->value_name("DIR"), "directory with the MNIST test set")
    ("sample", po::value<std::vector<long long>>()->value_name("N")->composing(), "MNIST test sample N as a centre (repeatable)")
    ("center", po::value<std::vector<std::string>>()->value_name("V,V,...")->composing(), "an explicit integer centre (repeatable)")
    ("radius", po::value<long long>()->default_value(0)->value_name("R"), "L-infinity radius around every centre")
    ("box", po::value<std::vector<std::string>>()->value_name("LO:HI,...")->composing(), "an explicit integer box (repeatable)");
  po::options_description space("Search space and cost");
  space.add_options()
    ("eps", po::value<std::string>()->value_name("E"), "the error bound every region must meet (required)")
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"),
     "outputs to check per region: all, the DNN's predicted class at the region's centre, or K")
    ("weights", po::value<std::string>()->default_value("2..8")->value_name("A..B[,A..B...]"),
     "weight bit-widths: one range for every layer, or one per layer")
    ("activations", po::value<std::string>()->default_value("2..8")->value_name("A..B[,A..B...]"),
     "hidden activation bit-widths: one range, or one per hidden layer")
    ("weight-int-bits", po::value<int>()->default_value(1), "weights are sQ.(Q-this) (qebverif-mnist: 1)")
    ("bias-int-bits", po::value<int>()->default_value(2), "biases are sQ.(Q-this), Q the layer's weight width (2)")
    ("activation-int-bits", po::value<int>()->default_value(2), "activations are uQ.(Q-this) (2)")
    ("cost", po::value<std::string>()->default_value("bits")->value_name("bits|size"),
     "bits: the sum of all bit-widths; size: model size in bits (weights and biases x their width)");
  po::options_description solving("Verification and limits");
  solving.add_options()
    ("attack", po::value<unsigned long long>()->default_value(2000)->value_name("N"),
     "verify's sampling attack before solving, per region (0: off)")
    ("candidate-timeout", po::value<double>()->default_value(30)->value_name("SECONDS"),
     "time for one candidate over all its regions; a candidate left undecided is rejected as unknown (0: none)")
    ("max-candidates", po::value<unsigned long long>()->default_value(0)->value_name("N"), "try at most N candidates (0: all)")
    ("quiet,q", po::bool_switch(), "no progress lines on stderr");
  po::options_description all;
  all.add(model_options()).add(regions).add(space).add(solver_choice_options()).add(solving).add(resource_options("search"))
      .add(output_options());
  auto vm = parse_command(
      args, all, "Usage: qeb-smt refine --model FILE [--quant in=..,scale=D] REGION... --eps E [options]",
      "Finds the cheapest quantization in the search space (per layer: weight width w1..wL, activation width\n"
      "h1..h(L-1); fractional bits derived from the widths) under which every region verifies within E.\n"
      "Candidates are tried in increasing cost, so the first verified one is minimal among those tried: each is\n"
      "first run on the pool of counterexamples found so far (exact evaluation), then verified region by region\n"
      "(DRA, attack, SMT). Counterexamples join the pool and blame the layer whose widening removes most of their\n"
      "error; candidates of equal cost that widen the most-blamed layers go first. --quant (or --preset) sets the\n"
      "input format and scale (default in=u8.8, scale=255); the output's --quant text reproduces the chosen QNN.\n"
      "Exit codes: 0 found, 10 every candidate falsified (or invalid), 20 undecided (timeouts, limits), 2 usage.\n");
  if (!vm) return 0;
  if (!vm->count("eps")) throw OptionError("--eps E is required");
  ResourceLimits limits = enforce_resource_limits(*vm);
  Base base = load_base(*vm);
  if ((*vm)["radius"].as<long long>() != 0 && !vm->count("sample") && !vm->count("center"))
    throw OptionError("--radius goes with --sample or --center");
  Regions reg = build_regions(*vm, base);

  refine::RefineOptions options;
  options.eps = parse_rational((*vm)["eps"].as<std::string>());
  if (options.eps < 0) throw OptionError("--eps must be non-negative");
  options.cost = refine::parse_cost((*vm)["cost"].as<std::string>());
  SolverChoice solver = read_solver_choice(*vm);
  options.verify.backend = solver.backend;
  options.verify.encoding = solver.encoding;
  options.verify.attack_samples = (*vm)["attack"].as<unsigned long long>();
  options.candidate_timeout = seconds_option(*vm, "candidate-timeout", true);
  options.max_candidates = (*vm)["max-candidates"].as<unsigned long long>();
  Progress progress("refine", (*vm)["quiet"].as<bool>());
  options.progress = progress.callback();
  refine::SearchSpace sp = refine::make_space(
      base.dnn, base.config, refine::parse_bit_ranges((*vm)["weights"].as<std::string>(), "--weights"),
      refine::parse_bit_ranges((*vm)["activations"].as<std::string>(), "--activations"),
      (*vm)["weight-int-bits"].as<int>(), (*vm)["bias-int-bits"].as<int>(), (*vm)["activation-int-bits"].as<int>());

  options.timeout = solver_time_budget(limits);
  refine::RefineResult r = refine::refine(base.dnn, sp, reg.list, options);

  std::printf("%zu region(s), eps = %s, cost %s, variables", reg.list.size(), to_string(options.eps).c_str(),
              refine::to_string(options.cost));
  for (std::size_t v = 0; v < sp.size(); ++v) std::printf(" %s in %d..%d", sp.names[v].c_str(), sp.ranges[v].lo, sp.ranges[v].hi);
  std::printf("\n\n%4s  %-24s %10s  %-16s  %s\n", "#", "candidate", "cost", "outcome", "why");
  nlohmann::json trajectory = nlohmann::json::array();
  for (std::size_t i = 0; i < r.trajectory.size(); ++i) {
    const refine::Attempt& a = r.trajectory[i];
    std::string why = a.reason.size() > 140 ? a.reason.substr(0, 137) + "..." : a.reason;
    std::printf("%4zu  %-24s %10llu  %-16s  %s\n", i, sp.describe(a.bits).c_str(), (unsigned long long)a.cost,
                refine::to_string(a.outcome), why.c_str());
    nlohmann::json j = {{"bits", bits_json(sp, a.bits)}, {"cost", a.cost}, {"quant", a.config},
                        {"outcome", refine::to_string(a.outcome)}, {"reason", a.reason}, {"seconds", a.seconds}};
    if (a.region) j["region"] = *a.region;
    if (a.pool_entry) j["pool_entry"] = *a.pool_entry;
    if (a.output) j["output"] = *a.output;
    if (a.diff) j["diff"] = rational_json(*a.diff);
    if (a.blamed) j["blamed"] = sp.names[*a.blamed];
    trajectory.push_back(j);
  }
  nlohmann::json doc = {{"command", "refine"},
                        {"eps", to_string(options.eps)},
                        {"cost_kind", refine::to_string(options.cost)},
                        {"variables", sp.names},
                        {"trajectory", trajectory},
                        {"pool_size", r.pool.size()},
                        {"seconds", {{"search", r.seconds}}}};
  for (std::size_t i = 0; i < reg.list.size(); ++i)
    doc["regions"].push_back({{"description", reg.list[i].description}, {"box", reg.list[i].box.to_string()},
                              {"outputs", reg.list[i].outputs}});
  nlohmann::json blame = nlohmann::json::object();
  for (std::size_t v = 0; v < sp.size(); ++v) blame[sp.names[v]] = r.blame_weight[v];
  doc["blame_weight"] = blame;
  for (const refine::PoolEntry& e : r.pool) doc["pool"].push_back({{"region", e.region}, {"input", e.input}, {"found_at", e.found_at}});

  std::printf("\n%zu candidate(s) tried, %zu counterexample(s) in the pool, %.3f s\n", r.trajectory.size(), r.pool.size(), r.seconds);
  if (!r.chosen) {
    std::printf("no configuration found: %s\n", r.stop_reason.c_str());
    doc["found"] = false;
    doc["stop_reason"] = r.stop_reason;
    bool undecided = !r.exhausted ||
                     std::any_of(r.trajectory.begin(), r.trajectory.end(), [](const refine::Attempt& a) { return a.outcome == refine::Outcome::UNKNOWN; });
    doc["reason"] = r.stop_reason;
    return report::finish(doc, undecided ? "unknown" : "none", undecided ? 20 : 10);
  }
  std::printf("chosen: %s (cost %llu)\n  --quant %s\n", sp.describe(*r.chosen).c_str(), (unsigned long long)r.cost, r.config.c_str());
  std::printf("minimal in the space: %s\n",
              r.cheaper_undecided == 0 ? "yes (every cheaper candidate was refuted or invalid)"
                                       : (std::to_string(r.cheaper_undecided) + " cheaper candidate(s) were undecided (unknown)").c_str());
  std::printf("%6s  %-8s %6s %9s  %s\n", "region", "proof", "calls", "seconds", "description");
  for (const refine::RegionEvidence& e : r.evidence) {
    std::printf("%6zu  %-8s %6d %9.3f  %s\n", e.region, e.how.c_str(), e.solver_calls, e.seconds,
                reg.list[e.region].description.c_str());
    doc["evidence"].push_back({{"region", e.region}, {"how", e.how}, {"solver_calls", e.solver_calls}, {"seconds", e.seconds}});
  }
  doc["found"] = true;
  doc["chosen"] = {{"bits", bits_json(sp, *r.chosen)}, {"quant", r.config}, {"cost", r.cost},
                   {"minimal", r.cheaper_undecided == 0}, {"cheaper_undecided", r.cheaper_undecided}};
  return report::finish(doc, "found", 0);
}

}  // namespace qeb::cli
