// `qeb-smt verify`: DRA, then the bit-precise SMT encoding, solved incrementally; counterexamples replay.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "encodings/encoding.h"
#include "smt/backend.h"
#include "partition/mpi_verifier.h"
#include "partition/partitioned_verifier.h"
#include "verify/verifier.h"

namespace qeb::cli {

namespace {

constexpr unsigned kMaxJobs = 1024;

nlohmann::json counterexample_json(const verify::Counterexample& c) {
  return {{"output", c.output}, {"input", c.input}, {"qnn", rational_json(c.qnn)}, {"dnn", rational_json(c.dnn)},
          {"diff", rational_json(c.diff)}};
}

void print_counterexample(const verify::Counterexample& c, const std::vector<int64_t>& center) {
  std::printf("  counterexample (replayed exactly): output %zu, QNN %s, DNN %.10g, QNN - DNN = %.10g\n", c.output,
              to_string(c.qnn).c_str(), to_double(c.dnn), to_double(c.diff));
  std::string changed;
  for (std::size_t k = 0; k < c.input.size(); ++k)
    if (c.input[k] != center[k] && changed.size() < 300) changed += " " + std::to_string(k) + "=" + std::to_string(c.input[k]);
  std::printf("  input differs from the centre at:%s\n", changed.empty() ? " (nowhere)" : changed.c_str());
}

int exit_code(verify::Verdict v) { return v == verify::Verdict::VERIFIED ? 0 : v == verify::Verdict::FALSIFIED ? 10 : 20; }

// --partition / --jobs: the parts' report instead of the per-output one.
int report_partitioned(const po::variables_map& vm, const quant::ModelPair& pair, const Region& region,
                       const verify::VerifyOptions& options) {
  partition::PartitionOptions po_;
  po_.jobs = vm["jobs"].as<unsigned>();
  po_.max_depth = vm["max-depth"].as<unsigned>();
  po_.part_timeout = seconds_option(vm, "part-timeout", false);
  po_.solver_depth = vm["solver-depth"].as<unsigned>();
  po_.enumerate_limit = vm["enumerate-limit"].as<unsigned long long>();
  partition::PartitionResult r;
  if (vm["mpi"].as<bool>()) {
    int rank = 0;
    r = partition::verify_mpi(pair, region.box, options, po_, &rank);
    if (rank != 0) return 0;  // workers: rank 0 reports
  } else {
    r = partition::verify_partitioned(pair, region.box, options, po_);
  }
  std::size_t by_dra = 0, by_solver = 0, by_enumeration = 0, split = 0;
  nlohmann::json parts = nlohmann::json::array();
  for (const partition::PartRecord& p : r.parts) {
    by_dra += p.how == "DRA";
    by_solver += p.how == "solver" && p.verdict == verify::Verdict::VERIFIED;
    split += p.how == "split";
    by_enumeration += p.how == "enumeration" && p.verdict == verify::Verdict::VERIFIED;
    parts.push_back({{"depth", p.depth}, {"split_path", p.path}, {"verdict", verify::to_string(p.verdict)},
                     {"how", p.how}, {"seconds", p.seconds}, {"dra_gap", p.gap}});
  }
  std::printf("region: %s, eps = %s\n", region.description.c_str(), to_string(options.eps).c_str());
  std::printf("partitioned over %u %s: %zu parts (%zu split, %zu proved by DRA, %zu by the solver, %zu by enumeration), "
              "depth %u; "
              "%.3f s wall, %.3f s of work (%.2fx)\n",
              r.workers, vm["mpi"].as<bool>() ? "MPI worker rank(s)" : "worker thread(s)", r.parts.size(), split, by_dra, by_solver, by_enumeration, r.max_depth_reached, r.wall_seconds, r.busy_seconds,
              r.wall_seconds > 0 ? r.busy_seconds / r.wall_seconds : 1.0);
  if (r.counterexample) print_counterexample(*r.counterexample, region.center);
  std::printf("verdict: %s%s\n", verify::to_string(r.verdict), r.reason.empty() ? "" : (" (" + r.reason + ")").c_str());
  nlohmann::json doc = {{"command", "verify"},
                        {"verdict", verify::to_string(r.verdict)},
                        {"eps", to_string(options.eps)},
                        {"region", {{"description", region.description}, {"box", region.box.to_string()}}},
                        {"backend", options.backend},
                        {"encoding", options.encoding},
                        {"partition", {{"workers", r.workers}, {"mpi", vm["mpi"].as<bool>()}, {"parts", r.parts.size()}, {"max_depth", r.max_depth_reached},
                                       {"wall_seconds", r.wall_seconds}, {"busy_seconds", r.busy_seconds},
                                       {"part_list", parts}}},
                        {"seconds", {{"total", r.wall_seconds}}}};
  if (!r.reason.empty()) doc["reason"] = r.reason;
  if (r.counterexample) doc["counterexample"] = counterexample_json(*r.counterexample);
  write_json(vm, doc);
  return exit_code(r.verdict);
}

}  // namespace

int cmd_verify(const Args& args) {
  po::options_description engine("Proof engine");
  engine.add_options()
    ("engine", po::value<std::string>()->default_value("auto")->value_name("auto|dra|lp|bab|smt"),
     "which stages run after DRA and the attack. auto: exact enumeration of small regions, the LP relaxation\n"
     "(rigorous bounds from its dual), then branch and bound with SMT leaves. dra: DRA and attack only. lp: + the\n"
     "LP. bab: + branch and bound (no SMT). smt: DRA, attack, then the whole residual to the SMT solver")
    ("threads", po::value<unsigned>()->default_value(1)->value_name("N"), "branch-and-bound worker threads")
    ("input-split-dimension", po::value<unsigned>()->default_value(16)->value_name("N"),
     "branch and bound bisects input coordinates when at most N are free, else it splits neurons")
    ("tighten", po::value<double>()->default_value(0)->value_name("SECONDS"),
     "before the output LPs, tighten hidden neurons' bounds by LP for at most SECONDS (0: off)")
    ("leaf-splits", po::value<unsigned>()->default_value(8)->value_name("N"),
     "auto: branch-and-bound nodes with at most N unstable neurons try the SMT solver first (0: never)")
    ("leaf-timeout", po::value<double>()->default_value(2)->value_name("SECONDS"),
     "auto: the SMT solver's budget per branch-and-bound leaf");
  po::options_description solving("Verification");
  solving.add_options()
    ("eps", po::value<std::string>()->value_name("E"),
     "the error bound (exact decimal or n/d): verified means |QNN_k - DNN_k| <= E for every checked output k "
     "and every integer input of the region (required)")
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"),
     "outputs to check: all (the infinity norm), the QNN's predicted class at the centre (as QEBVerif), or K")
    ("strategy", po::value<std::string>()->default_value("disjunctive")->value_name("disjunctive|per-query|fresh"),
     "how open output directions reach the solver. disjunctive: one incremental solver asked whether any open\n"
     "direction is violated; each model settles the directions it violates, an unsat answer all the rest.\n"
     "per-query: one incremental solver, one check per direction (assumption literals). fresh: a new solver per\n"
     "direction (for comparison)")
    ("fresh-solver", po::bool_switch(), "same as --strategy fresh")
    ("no-pruning", po::bool_switch(), "keep the case split of every neuron, even those DRA found stable")
    ("all-counterexamples", po::bool_switch(), "keep checking the other outputs after a counterexample")
    ("attack", po::value<unsigned long long>()->default_value(2000)->value_name("N"),
     "before solving, look for a counterexample with N random samples plus hill-climbing (0: off)")
    ("no-diff-cuts", po::bool_switch(), "do not assert DRA's hidden difference bounds in the encoding")
    ("fact-bits", po::value<int>()->default_value(0)->value_name("B"),
     "round the encoding's redundant bound facts outward to multiples of 2^-B (short constants; 0: exact doubles)")
    ("seed", po::value<unsigned>()->default_value(0), "solver random seed")
    ("solver-option", po::value<std::vector<std::string>>()->value_name("KEY=VALUE")->composing(),
     "pass an option to the solver (repeatable), e.g. smt.arith.solver=2 (z3) or bv-solver=bitblast (cvc5)")
    ("quiet,q", po::bool_switch(), "no progress lines on stderr");
  po::options_description partitioning("Partitioned verification");
  partitioning.add_options()
    ("partition", po::bool_switch(),
     "bisect the input box where DRA gains most and verify the parts (each with DRA, attack and solver); "
     "a part left undecided after --part-timeout is split again, up to --max-depth")
    ("mpi", po::bool_switch(),
     "distribute the parts over MPI ranks (run as `mpirun -np N qeb-smt verify --mpi ...`; rank 0 coordinates and "
     "reports, the other N-1 ranks verify parts; needs a build with -DQEB_MPI=ON)")
    ("jobs,j", po::value<unsigned>()->default_value(1)->value_name("N"),
     "worker threads for the parts, each with its own solver (implies --partition when N > 1)")
    ("max-depth", po::value<unsigned>()->default_value(12)->value_name("D"), "parts deeper than D are not split again")
    ("part-timeout", po::value<double>()->default_value(5)->value_name("SECONDS"),
     "solver budget of one part before it is split")
    ("solver-depth", po::value<unsigned>()->default_value(2)->value_name("D"),
     "parts shallower than D get DRA and the attack only, no solver (split first, so every worker has work)")
    ("enumerate-limit", po::value<unsigned long long>()->default_value(100000)->value_name("N"),
     "regions (and parts) with at most N integer points are decided exactly by enumerating them (0: never)");
  po::options_description all;
  all.add(model_options()).add(region_options()).add(engine).add(solver_choice_options()).add(solving).add(partitioning)
      .add(resource_options("task")).add(output_options());
  auto vm = parse_command(
      args, all,
      "Usage: qeb-smt verify --model FILE (--preset P --bits Q | --quant S | --qnn F) REGION --eps E [options]",
      "Runs DRA (sound semantics); outputs it cannot prove are encoded with the QNN bit-precise and the DNN in\n"
      "exact rationals, and solved per output and direction (QNN - DNN > E, QNN - DNN < -E) on one incremental\n"
      "solver. A sat answer is replayed on the exact evaluators before it is reported as a counterexample.\n"
      "Exit codes: 0 verified, 10 falsified, 20 unknown, 2 bad usage or input, 3 unsupported, 1 internal error.\n");
  if (!vm) return 0;
  if (!vm->count("eps")) throw OptionError("--eps E is required");
  ResourceLimits limits = read_resource_limits(*vm);
  start_watchdog(limits, "verify", vm->count("json") ? (*vm)["json"].as<std::string>() : "", 20);
  quant::ModelPair pair = load_model_pair(*vm);
  Region region = build_region(*vm, pair);

  verify::VerifyOptions options;
  options.eps = parse_rational((*vm)["eps"].as<std::string>());
  if (options.eps < 0) throw OptionError("--eps must be non-negative");
  options.outputs = select_outputs((*vm)["output"].as<std::string>(), pair, region.center);
  SolverChoice solver = read_solver_choice(*vm);
  options.backend = solver.backend;
  options.encoding = solver.encoding;
  // Each job is a thread with its own solver: 0 would be none, and thousands fail to start.
  unsigned jobs = (*vm)["jobs"].as<unsigned>();
  if (jobs < 1 || jobs > kMaxJobs)
    throw OptionError("--jobs must be from 1 to " + std::to_string(kMaxJobs) + ", got " + std::to_string(jobs));
  options.engine = verify::parse_engine((*vm)["engine"].as<std::string>());
  options.threads = (*vm)["threads"].as<unsigned>();
  if (options.threads < 1 || options.threads > kMaxJobs)
    throw OptionError("--threads must be from 1 to " + std::to_string(kMaxJobs));
  options.tighten_seconds = seconds_option(*vm, "tighten", true);
  options.input_split_dimension = (*vm)["input-split-dimension"].as<unsigned>();
  options.leaf_case_splits = (*vm)["leaf-splits"].as<unsigned>();
  options.leaf_seconds = seconds_option(*vm, "leaf-timeout", false);
  options.enumerate_limit = (*vm)["enumerate-limit"].as<unsigned long long>();
  options.strategy = verify::parse_solve_strategy((*vm)["strategy"].as<std::string>());
  if ((*vm)["fresh-solver"].as<bool>()) options.strategy = verify::SolveStrategy::FRESH;
  options.prune = !(*vm)["no-pruning"].as<bool>();
  options.stop_at_counterexample = !(*vm)["all-counterexamples"].as<bool>();
  options.attack_samples = (*vm)["attack"].as<unsigned long long>();
  options.difference_cuts = !(*vm)["no-diff-cuts"].as<bool>();
  options.fact_bits = (*vm)["fact-bits"].as<int>();
  if (options.fact_bits < 0 || options.fact_bits > 60) throw OptionError("--fact-bits must be from 0 to 60");
  options.backend_options.seed = (*vm)["seed"].as<unsigned>();
  if (vm->count("solver-option"))
    for (const std::string& kv : (*vm)["solver-option"].as<std::vector<std::string>>()) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw OptionError("--solver-option takes KEY=VALUE, got '" + kv + "'");
      options.backend_options.extra[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  if (!(*vm)["quiet"].as<bool>()) options.progress = [](const std::string& line) { std::cerr << "verify: " << line << "\n"; };

  // The rest of the time limit (loading and DRA count too); the watchdog ends what overruns it.
  options.timeout_seconds = solver_time_budget(limits);
  if ((*vm)["mpi"].as<bool>() && !partition::mpi_available())
    throw UnsupportedError("--mpi: this qeb-smt was built without MPI; rebuild with -DQEB_MPI=ON (needs libopenmpi-dev)");
  if ((*vm)["partition"].as<bool>() || (*vm)["mpi"].as<bool>() || (*vm)["jobs"].as<unsigned>() > 1)
    return report_partitioned(*vm, pair, region, options);
  verify::VerifyResult r = verify::verify(pair, region.box, options);

  std::printf("region: %s, eps = %s\n", region.description.c_str(), to_string(options.eps).c_str());
  const verify::EngineStats& es = r.engine_stats;
  std::printf("engine %s: DRA %.3f s; enumeration %.3f s; attack %.3f s; LP %zu solves, %.3f s; branch and bound %zu nodes "
              "(depth %u, %zu SMT leaves, %zu closed), %.3f s\n",
              r.engine.c_str(), r.dra_seconds, es.enumeration_seconds, r.attack_seconds, es.lp_solves, es.lp_seconds,
              es.bab_nodes, es.bab_max_depth, es.bab_leaf_calls, es.bab_closed_by_leaf, es.bab_seconds);
  if (r.solver_calls > 0 || !r.logic.empty())
  std::printf("DRA %.3f s; attack %.3f s; encoding %s (%s): %zu terms, %zu case splits, %.3f s; %s (%s): %d solver calls, %.3f s\n",
              r.dra_seconds, r.attack_seconds, r.encoding.c_str(), r.logic.empty() ? "not needed" : r.logic.c_str(), r.terms,
              r.case_splits, r.encode_seconds, r.backend.c_str(), verify::to_string(options.strategy), r.solver_calls, r.solve_seconds);
  nlohmann::json doc = {{"command", "verify"},
                        {"verdict", verify::to_string(r.verdict)},
                        {"eps", to_string(options.eps)},
                        {"region", {{"description", region.description}, {"box", region.box.to_string()}}},
                        {"backend", r.backend},
                        {"encoding", r.encoding},
                        {"logic", r.logic},
                        {"terms", r.terms},
                        {"case_splits", r.case_splits},
                        {"strategy", verify::to_string(options.strategy)},
                        {"engine", {{"name", r.engine}, {"lp_solves", es.lp_solves}, {"lp_seconds", es.lp_seconds},
                                    {"enumeration_seconds", es.enumeration_seconds}}},
                        {"bab", {{"nodes", es.bab_nodes}, {"max_depth", es.bab_max_depth}, {"leaf_calls", es.bab_leaf_calls},
                                 {"closed_by_leaf", es.bab_closed_by_leaf}, {"seconds", es.bab_seconds}}},
                        {"solver_calls", r.solver_calls},
                        {"seconds", {{"dra", r.dra_seconds}, {"attack", r.attack_seconds}, {"encode", r.encode_seconds}, {"solve", r.solve_seconds},
                                     {"total", r.total_seconds}}}};
  for (const verify::OutputResult& o : r.outputs) {
    const dra::Interval& d = r.dra.output_delta()[o.output];
    std::printf("output %zu: %s%s  (DRA [%.6g, %.6g], proven [%.6g, %.6g])%s\n", o.output, verify::to_string(o.verdict),
                o.decided_by == verify::Stage::NONE ? "" : (std::string(" by ") + verify::to_string(o.decided_by)).c_str(), d.lo, d.hi,
                o.bound_lo, o.bound_hi, o.reason.empty() ? "" : ("  " + o.reason).c_str());
    nlohmann::json j = {{"index", o.output}, {"verdict", verify::to_string(o.verdict)}, {"decided_by", verify::to_string(o.decided_by)},
                        {"by_dra", o.decided_by == verify::Stage::DRA}, {"by_attack", o.decided_by == verify::Stage::ATTACK},
                        {"dra_interval", {d.lo, d.hi}}, {"bound", {o.bound_lo, o.bound_hi}}, {"solver_calls", o.solver_calls}, {"seconds", o.seconds}};
    if (!o.reason.empty()) j["reason"] = o.reason;
    if (o.counterexample) {
      print_counterexample(*o.counterexample, region.center);
      j["counterexample"] = counterexample_json(*o.counterexample);
    }
    doc["outputs"].push_back(j);
  }
  std::printf("verdict: %s\n", verify::to_string(r.verdict));
  write_json(*vm, doc);
  return exit_code(r.verdict);
}

}  // namespace qeb::cli
