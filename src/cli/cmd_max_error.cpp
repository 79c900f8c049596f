// `qeb-smt max-error`: the exact maximum |QNN - DNN| per output over a region, to a tolerance.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/witness_text.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "encodings/encoding.h"
#include "smt/backend.h"
#include "verify/max_error.h"

namespace qeb::cli {

namespace {

nlohmann::json witness_json(const verify::ErrorWitness& w) {
  return {{"input", w.input}, {"qnn", rational_json(w.qnn)}, {"dnn", rational_json(w.dnn)}, {"diff", rational_json(w.diff)}};
}

// The brackets' fields of the document: per output and over all outputs.
nlohmann::json brackets_json(const verify::MaxErrorResult& r) {
  nlohmann::json doc = {{"outputs", nlohmann::json::array()}};
  for (const verify::OutputBracket& b : r.outputs) {
    nlohmann::json j = {{"index", b.output}, {"region", 0}, {"verdict", b.closed ? "bounded" : "unknown"},
                        {"decided_by", b.upper_from}, {"lower", rational_json(b.lower)}, {"upper", rational_json(b.upper)},
                        {"dra_upper", rational_json(b.dra_upper)},
                        {"qnn_minus_dnn_upper", rational_json(b.qnn_minus_dnn_upper)},
                        {"dnn_minus_qnn_upper", rational_json(b.dnn_minus_qnn_upper)}, {"closed", b.closed}, {"lower_from", b.lower_from},
                        {"upper_from", b.upper_from},
                        {"witness", witness_json(b.witness)}, {"solver_calls", b.solver_calls}, {"sat", b.sat},
                        {"unsat", b.unsat}, {"seconds", b.seconds}};
    if (!b.reason.empty()) j["reason"] = b.reason;
    doc["outputs"].push_back(j);
  }
  if (r.outputs.empty()) return doc;
  const verify::OutputBracket& worst =
      *std::find_if(r.outputs.begin(), r.outputs.end(), [&](const verify::OutputBracket& b) { return b.output == r.worst_output; });
  doc["lower"] = rational_json(r.lower);
  doc["upper"] = rational_json(r.upper);
  doc["closed"] = r.closed;
  doc["worst_output"] = r.worst_output;
  doc["witness"] = witness_json(worst.witness);
  return doc;
}

}  // namespace

int cmd_max_error(const Args& args) {
  po::options_description search("Bounding");
  search.add_options()
    ("tolerance", po::value<std::string>()->default_value("0.001")->value_name("T"),
     "stop when upper - lower <= T for the maximum over the outputs (exact decimal or n/d; positive)")
    ("engine", po::value<std::string>()->default_value("auto")->value_name("auto|dra|lp|bab|smt"),
     "auto/bab: DRA, search, the LP relaxation's rigorous bounds, then branch and bound per output side (a\n"
     "violation raises the lower end and the search goes on); lp: no branch and bound; dra: DRA and search only;\n"
     "smt: bisection on one incremental SMT solver")
    ("threads", po::value<unsigned>()->default_value(1)->value_name("N"), "branch-and-bound worker threads")
    ("anneal", po::bool_switch(),
     "branch and bound with an annealing thread (simulated annealing on the exact networks for witnesses); off\n"
     "by default: on 784-100-10 boxes it took a core from branch and bound and found no better witness")
    ("no-anneal", po::bool_switch(), "the default (kept for older scripts)")
    ("no-tabu", po::bool_switch(),
     "no tabu search: neither the stage from each side's LP optimum before branch and bound (witnesses "
     "that line up the QNN's roundings; with --timeout it takes up to 40% of the time left) nor the first "
     "phase of branch and bound's annealing thread (--anneal)")
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"),
     "outputs to bound: all, the QNN's predicted class at the centre, or K")
    ("samples", po::value<unsigned long long>()->default_value(2000)->value_name("N"),
     "first lower bounds: N random samples plus hill-climbing (0: the box midpoint only)")
    ("seed", po::value<unsigned long long>()->default_value(1), "random seed of the sampling")
    ("no-pruning", po::bool_switch(), "keep the case split of every neuron, even those DRA found stable")
    ("no-diff-cuts", po::bool_switch(), "do not assert DRA's hidden difference bounds in the encoding")
    ("quiet,q", po::bool_switch(), "no progress lines on stderr");
  po::options_description all;
  all.add(model_options()).add(region_options()).add(solver_choice_options()).add(search).add(resource_options("task"))
      .add(output_options());
  auto vm = parse_command(
      args, all, "Usage: qeb-smt max-error --model FILE (--preset P --bits Q | --quant S | --qnn F) REGION [options]",
      "Brackets max_k max_x |QNN_k - DNN_k| over the integer points of the region, and each output's own\n"
      "bracket: DRA and the LP relaxation give rigorous upper ends, sampling, hill-climbing and LP optima exact\n"
      "witnesses for the lower end; then branch and bound proves every output side below the best witness plus\n"
      "--tolerance, raising the lower end whenever it meets a worse input (--engine smt: bisection with one SMT\n"
      "solver instead). Every witness is exact. Stops when upper - lower <= --tolerance or at --timeout.\n"
      "Exit codes: 0 the bracket is within tolerance, 20 not (timeout or solver unknown), 2 bad usage or input.\n");
  if (!vm) return 0;
  ResourceLimits limits = enforce_resource_limits(*vm);
  quant::ModelPair pair = load_model_pair(*vm);
  Region region = build_region(*vm, pair);

  verify::MaxErrorOptions options;
  options.tolerance = parse_rational((*vm)["tolerance"].as<std::string>());
  if (options.tolerance <= 0) throw OptionError("--tolerance must be positive");
  options.outputs = select_outputs((*vm)["output"].as<std::string>(), pair, region.center);
  SolverChoice solver = read_solver_choice(*vm);
  options.backend = solver.backend;
  options.encoding = solver.encoding;
  options.search_samples = (*vm)["samples"].as<unsigned long long>();
  options.seed = (*vm)["seed"].as<unsigned long long>();
  options.prune = !(*vm)["no-pruning"].as<bool>();
  options.difference_cuts = !(*vm)["no-diff-cuts"].as<bool>();
  options.engine = verify::parse_engine((*vm)["engine"].as<std::string>());
  options.threads = (*vm)["threads"].as<unsigned>();
  options.anneal = (*vm)["anneal"].as<bool>();
  if (options.anneal && (*vm)["no-anneal"].as<bool>()) throw OptionError("--anneal and --no-anneal contradict each other");
  options.tabu = !(*vm)["no-tabu"].as<bool>();
  if (options.threads < 1 || options.threads > 1024) throw OptionError("--threads must be from 1 to 1024");
  Progress progress("max-error", (*vm)["quiet"].as<bool>());
  options.progress = progress.callback();

  // Open brackets are reported when the time runs out; the watchdog ends a solver call that overruns.
  options.timeout_seconds = solver_time_budget(limits);
  // The brackets so far stay in the document: a watchdog or signal stop still reports them.
  if (report::wanted()) options.snapshot = [](const verify::MaxErrorResult& so_far) { report::update(brackets_json(so_far)); };
  verify::MaxErrorResult r = verify::max_error(pair, region.box, options);

  std::printf("region: %s, tolerance %s\n", region.description.c_str(), to_string(options.tolerance).c_str());
  if (options.engine == verify::Engine::SMT || !verify::lp_applies(pair.qnn))  // the solver bisected
    std::printf("DRA %.3f s; search %.3f s; encoding %s (%s) %.3f s; %s: %d solver calls, %.3f s\n", r.dra_seconds,
                r.search_seconds, options.encoding.c_str(), r.logic.empty() ? "not needed" : r.logic.c_str(),
                r.encode_seconds, options.backend.c_str(), r.solver_calls, r.solve_seconds);
  else
    std::printf("engine %s: DRA %.3f s; search and LP %.3f s; branch and bound %.3f s\n", verify::to_string(options.engine),
                r.dra_seconds, r.search_seconds, r.solve_seconds);
  std::printf("%6s %16s %16s %12s %12s %6s %9s  %s\n", "output", "lower", "upper", "gap", "DRA upper", "calls",
              "sat/unsat", "lower/upper from");
  nlohmann::json doc = {{"command", "max-error"},
                        {"regions", regions_json({region})},
                        {"tolerance", rational_json(options.tolerance)},
                        {"engine", {{"name", verify::to_string(options.engine)}}},
                        {"backend", options.backend},
                        {"encoding", options.encoding},
                        {"solver_calls", r.solver_calls},
                        {"seconds", {{"dra", r.dra_seconds}, {"search", r.search_seconds}, {"encode", r.encode_seconds},
                                     {"solve", r.solve_seconds}, {"task", r.total_seconds}}}};
  for (const verify::OutputBracket& b : r.outputs)
    std::printf("%6zu %16.10g %16.10g %12.4g %12.6g %6d %4d/%-4d  %s%s\n", b.output, to_double(b.lower),
                to_double(b.upper), to_double(b.upper - b.lower), to_double(b.dra_upper), b.solver_calls, b.sat,
                b.unsat, (b.lower_from + "/" + b.upper_from).c_str(), b.closed ? "" : ("  open: " + b.reason).c_str());
  const verify::OutputBracket& worst =
      *std::find_if(r.outputs.begin(), r.outputs.end(), [&](const verify::OutputBracket& b) { return b.output == r.worst_output; });
  std::printf("max |QNN - DNN| in [%.10g, %.10g] (%s), attained %s at output %zu: QNN %s, DNN %.10g\n",
              to_double(r.lower), to_double(r.upper), r.closed ? "within tolerance" : "NOT within tolerance",
              to_string(r.lower).size() < 40 ? ("exactly " + to_string(r.lower)).c_str() : "exactly (see --json)",
              r.worst_output, to_string(worst.witness.qnn).c_str(), to_double(worst.witness.dnn));
  std::printf("  %s\n", describe_input(worst.witness.input, region.box, region.centred ? region.center : std::vector<int64_t>{}).c_str());
  doc.update(brackets_json(r));
  if (!r.closed) doc["reason"] = "not every bracket is within the tolerance (timeout or solver unknown)";
  return report::finish(doc, r.closed ? "bounded" : "unknown", r.closed ? 0 : 20);
}

}  // namespace qeb::cli
