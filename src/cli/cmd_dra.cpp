// `qeb-smt dra`: differential reachability analysis; with --eps, a verdict (verified or unknown).
#include <cstdio>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/number_text.h"
#include "cli/report.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include <chrono>

#include "bounds/bound_method.h"

namespace qeb::cli {

namespace {

nlohmann::json interval_json(const dra::Interval& i) { return nlohmann::json::array({i.lo, i.hi}); }

nlohmann::json intervals_json(const std::vector<dra::Interval>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const dra::Interval& i : v) a.push_back(interval_json(i));
  return a;
}

}  // namespace

int cmd_dra(const Args& args) {
  po::options_description analysis("Analysis");
  analysis.add_options()
    ("dra", po::value<std::string>()->default_value("sym")->value_name("base|con|sym"),
     "base: interval bounds of each network; con: interval propagation of the difference; sym: symbolic "
     "(DeepPoly) bounds of both networks, subtracted")
    ("semantics", po::value<std::string>()->default_value("sound")->value_name("published|sound"),
     "published: reproduce the QEBVerif paper's numbers (spec 3.5, P1-P4; not always sound); sound: fix every "
     "known gap, round outward, keep every sound intersection")
    ("no-con-intersection", po::bool_switch(),
     "sound sym only: do not intersect the symbolic difference with Con's propagated one (to measure it)")
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"),
     "outputs to check: all, the QNN's predicted class at the centre, or index K")
    ("eps", po::value<std::string>()->value_name("E"),
     "error bound: answer verified if every checked output difference lies within [-E, E], else unknown")
    ("layers", po::bool_switch(), "also print every hidden neuron's intervals and phases")
    ("lp", po::bool_switch(),
     "sound semantics only: also bound each checked output's difference by the LP relaxation of both networks\n"
     "(COIN-OR CLP; the bound is made rigorous from the dual, never taken from the floating-point optimum)")
    ("tighten", po::value<double>()->default_value(0)->value_name("SECONDS"),
     "with --lp: first tighten the hidden neurons' bounds by LP, layer by layer, for at most SECONDS");
  po::options_description all;
  all.add(model_options()).add(region_options()).add(analysis).add(resource_options("analysis")).add(output_options());
  auto vm = parse_command(
      args, all, "Usage: qeb-smt dra --model FILE (--preset P --bits Q | --quant S | --qnn F) REGION [options]",
      "Bounds QNN(x) - DNN(x/D) for every neuron over the region (QEBVerif's DRA, spec section 3) and classifies\n"
      "every hidden neuron's phase in both networks (stable neurons need no case split in the SMT encoding).\n"
      "Exit codes: 0 verified (or no --eps), 20 unknown, 2 bad input.\n");
  if (!vm) return 0;
  enforce_resource_limits(*vm);
  quant::ModelPair pair = load_model_pair(*vm);
  Region region = build_region(*vm, pair);
  dra::DraOptions options;
  options.mode = dra::parse_dra_mode((*vm)["dra"].as<std::string>());
  options.semantics = dra::parse_semantics((*vm)["semantics"].as<std::string>());
  options.intersect_con = !(*vm)["no-con-intersection"].as<bool>();
  std::vector<std::size_t> outputs = select_outputs((*vm)["output"].as<std::string>(), pair, region.center);
  std::optional<Rational> eps;
  if (vm->count("eps")) {
    eps = parse_rational((*vm)["eps"].as<std::string>());
    if (*eps < 0) throw OptionError("--eps must be non-negative");
  }

  dra::DraResult result = dra::run_dra(pair, region.box, options);

  std::printf("region: %s\nDRA %s, %s semantics: %.4f s\n", region.description.c_str(), dra::to_string(options.mode),
              dra::to_string(options.semantics), result.seconds);
  std::printf("hidden neurons: %zu, stable in both networks: %zu; hidden difference width sum (H_Diff): %.6g\n",
              result.hidden_neurons(), result.stable_neurons(), result.hidden_delta_width());
  nlohmann::json doc = {{"command", "dra"},
                        {"mode", dra::to_string(options.mode)},
                        {"semantics", dra::to_string(options.semantics)},
                        {"regions", regions_json({region})},
                        {"seconds", {{"dra", result.seconds}}},
                        {"hidden_neurons", result.hidden_neurons()},
                        {"stable_neurons", result.stable_neurons()},
                        {"hidden_delta_width", result.hidden_delta_width()}};
  if ((*vm)["layers"].as<bool>()) std::printf("%6s %6s %28s %12s %12s\n", "layer", "neuron", "QNN - DNN", "DNN", "QNN");
  for (std::size_t i = 0; i + 1 < result.layers.size(); ++i) {
    const dra::LayerReport& r = result.layers[i];
    nlohmann::json layer = {{"delta", intervals_json(r.delta)},
                            {"delta_in", intervals_json(r.delta_in)},
                            {"dnn_pre", intervals_json(r.dnn_pre)},
                            {"qnn_pre", intervals_json(r.qnn_pre)}};
    for (std::size_t j = 0; j < r.delta.size(); ++j) {
      layer["dnn_phase"].push_back(dra::to_string(r.dnn_phase[j]));
      layer["qnn_phase"].push_back(dra::to_string(r.qnn_phase[j]));
      if ((*vm)["layers"].as<bool>())
        std::printf("%6zu %6zu [%12s, %12s] %12s %12s\n", i + 1, j, decimal(r.delta[j].lo).c_str(), decimal(r.delta[j].hi).c_str(),
                    dra::to_string(r.dnn_phase[j]), dra::to_string(r.qnn_phase[j]));
    }
    doc["hidden_layers"].push_back(layer);
  }
  bool verified = true;
  std::printf("%6s %30s %30s\n", "output", "QNN - DNN", "QNN output");
  const dra::LayerReport& out = result.layers.back();
  for (std::size_t j : outputs) {
    const dra::Interval& d = out.delta[j];
    bool within = eps && rational_from_double(d.lo) >= -*eps && rational_from_double(d.hi) <= *eps;
    verified = verified && within;
    std::printf("%6zu [%13s, %13s] [%13s, %13s]%s\n", j, decimal(d.lo).c_str(), decimal(d.hi).c_str(),
                decimal(out.qnn_pre[j].lo).c_str(), decimal(out.qnn_pre[j].hi).c_str(),
                eps ? (within ? "  within eps" : "  not within eps") : "");
    doc["outputs"].push_back({{"index", j}, {"delta", interval_json(d)}, {"qnn", interval_json(out.qnn_pre[j])},
                              {"dnn", interval_json(out.dnn_pre[j])}});
  }
  if ((*vm)["lp"].as<bool>()) {
    if (options.semantics != dra::Semantics::SOUND || options.mode != dra::DraMode::SYM)
      throw OptionError("--lp needs --dra sym --semantics sound");
    bounds::BoundOptions bo;
    bo.tighten_seconds = (*vm)["tighten"].as<double>();
    bo.outputs = outputs;
    auto t = std::chrono::steady_clock::now();
    dra::DraResult lp = bounds::bound(pair, bounds::Subproblem::root(region.box), bounds::Method::LP, bo);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    std::printf("LP relaxation (rigorous bounds from its dual): %.3f s; stable neurons now %zu of %zu\n", seconds,
                lp.stable_neurons(), lp.hidden_neurons());
    verified = true;
    for (std::size_t j : outputs) {
      const dra::Interval& d = lp.layers.back().delta[j];
      bool within = eps && rational_from_double(d.lo) >= -*eps && rational_from_double(d.hi) <= *eps;
      verified = verified && within;
      std::printf("%6zu LP [%13.8g, %13.8g]%s\n", j, d.lo, d.hi, eps ? (within ? "  within eps" : "  not within eps") : "");
      for (auto& o : doc["outputs"])
        if (o["index"] == j) o["lp_delta"] = interval_json(d);
    }
    doc["lp_seconds"] = seconds;
  }
  int code = 0;
  std::string verdict = "done";
  if (eps) {
    std::printf("verdict: %s\n", verified ? "verified" : "unknown (DRA alone cannot decide)");
    doc["eps"] = qeb::to_string(*eps);
    doc["verdict"] = verified ? "verified" : "unknown";
    code = verified ? 0 : 20;
    verdict = verified ? "verified" : "unknown";
    if (!verified) doc["reason"] = "DRA alone cannot decide";
  }
  return report::finish(doc, verdict, code);
}

}  // namespace qeb::cli
