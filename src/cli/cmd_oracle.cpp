// `qeb-smt oracle`: exact extreme differences QNN - DNN over a region, by brute force.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/resource_limits.h"
#include "cli/witness_text.h"
#include "eval/oracle.h"

namespace qeb::cli {

int cmd_oracle(const Args& args) {
  po::options_description search("Search");
  search.add_options()
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"),
     "outputs to report: all, the QNN's predicted class at the centre, or index K")
    ("exhaustive-limit", po::value<unsigned long long>()->default_value(1'000'000)->value_name("N"),
     "enumerate every point when the region has at most N points (exact result)")
    ("samples", po::value<unsigned long long>()->default_value(20'000)->value_name("N"),
     "larger regions: N uniform random points, then hill-climbing (result is a bound, labelled so)")
    ("climb", po::value<unsigned long long>()->default_value(5'000)->value_name("N"),
     "hill-climbing evaluations per output and direction")
    ("anneal", po::value<double>()->default_value(0)->value_name("S"),
     "larger regions: then S seconds of simulated annealing per output and direction")
    ("seed", po::value<unsigned long long>()->default_value(1), "random seed")
    ("quiet,q", po::bool_switch(), "no progress messages on stderr");
  po::options_description all;
  all.add(model_options()).add(region_options()).add(search).add(resource_options("search")).add(output_options());
  auto vm = parse_command(
      args, all, "Usage: qeb-smt oracle --model FILE (--preset P --bits Q | --quant S | --qnn F) REGION [options]",
      "For each selected output j, the exact minimum and maximum of QNN_j(x) - DNN_j(x/D) over the integer\n"
      "points x of the region, with an input attaining each. Regions of at most --exhaustive-limit points are\n"
      "enumerated (every point is checked: the result is exact); larger ones are sampled, and the reported\n"
      "max is then only a lower bound of the true max (min: an upper bound of the true min).\n");
  if (!vm) return 0;
  enforce_resource_limits(*vm);
  quant::ModelPair pair = load_model_pair(*vm);
  Region region = build_region(*vm, pair);

  eval::OracleOptions options;
  options.exhaustive_limit = (*vm)["exhaustive-limit"].as<unsigned long long>();
  options.random_samples = (*vm)["samples"].as<unsigned long long>();
  options.climb_evaluations = (*vm)["climb"].as<unsigned long long>();
  options.anneal_seconds = (*vm)["anneal"].as<double>();
  options.seed = (*vm)["seed"].as<unsigned long long>();
  options.outputs = select_outputs((*vm)["output"].as<std::string>(), pair, region.center);
  Progress progress("oracle", (*vm)["quiet"].as<bool>());
  if (!(*vm)["quiet"].as<bool>())
    options.progress = [&progress](uint64_t done, uint64_t planned) {
      progress.status(std::to_string(done) + " / " + std::to_string(planned) + " points evaluated");
    };

  auto start = std::chrono::steady_clock::now();
  eval::OracleResult result = eval::run_oracle(pair, region.box, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  uint64_t points = region.box.point_count();
  std::printf("region: %s, %s%llu points\n", region.description.c_str(), points >= (uint64_t(1) << 62) ? ">= " : "",
              (unsigned long long)points);
  std::printf("mode: %s, %llu points evaluated, %llu exactly, %.3f s\n",
              result.exhaustive ? "exhaustive (exact range)" : "sampled (max is a LOWER bound, min an UPPER bound)",
              (unsigned long long)result.points_evaluated, (unsigned long long)result.exact_evaluations, seconds);
  std::printf("%6s %18s %18s   %s\n", "output", "min(QNN-DNN)", "max(QNN-DNN)", "max |QNN-DNN|");
  nlohmann::json doc = {{"command", "oracle"},
                        {"exhaustive", result.exhaustive},
                        {"regions", regions_json({region})},
                        {"points_evaluated", result.points_evaluated},
                        {"seconds", {{"search", seconds}}}};
  for (const eval::OutputRange& r : result.outputs) {
    Rational abs_max = r.max.diff > -r.min.diff ? r.max.diff : Rational(-r.min.diff);
    std::printf("%6zu %18.10g %18.10g   %.10g\n", r.output, to_double(r.min.diff), to_double(r.max.diff),
                to_double(abs_max));
    std::vector<int64_t> centre = region.centred ? region.center : std::vector<int64_t>{};
    std::printf("       min at %s\n       max at %s\n", describe_input(r.min.input, region.box, centre).c_str(),
                describe_input(r.max.input, region.box, centre).c_str());
    doc["outputs"].push_back({{"index", r.output},
                              {"min", rational_json(r.min.diff)},
                              {"min_input", r.min.input},
                              {"max", rational_json(r.max.diff)},
                              {"max_input", r.max.input},
                              {"max_abs", rational_json(abs_max)}});
  }
  return report::finish(doc, "done", 0);
}

}  // namespace qeb::cli
