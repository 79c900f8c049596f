#include "cli/verify_report.h"

#include <cstdio>

#include "cli/number_text.h"
#include "cli/witness_text.h"

namespace qeb::cli {

int exit_code(verify::Verdict v) { return v == verify::Verdict::VERIFIED ? 0 : v == verify::Verdict::FALSIFIED ? 10 : 20; }

nlohmann::json counterexample_json(const verify::Counterexample& c) {
  return {{"output", c.output}, {"input", c.input}, {"qnn", rational_json(c.qnn)}, {"dnn", rational_json(c.dnn)},
          {"diff", rational_json(c.diff)}};
}

void print_counterexample(const verify::Counterexample& c, const Region& region) {
  std::printf("  counterexample (replayed exactly): output %zu, QNN %.10g, DNN %.10g, QNN - DNN = %.10g\n", c.output,
              to_double(c.qnn), to_double(c.dnn), to_double(c.diff));
  std::printf("  %s\n", describe_input(c.input, region.box, region.centred ? region.center : std::vector<int64_t>{}).c_str());
}

nlohmann::json output_json(const verify::OutputResult& o, const dra::Interval& d, std::size_t region) {
  nlohmann::json j = {{"index", o.output}, {"region", region}, {"verdict", verify::to_string(o.verdict)},
                      {"decided_by", verify::to_string(o.decided_by)},
                      {"by_dra", o.decided_by == verify::Stage::DRA}, {"by_attack", o.decided_by == verify::Stage::ATTACK},
                      {"dra_interval", {d.lo, d.hi}}, {"bound", {o.bound_lo, o.bound_hi}},
                      {"solver_calls", o.solver_calls}, {"seconds", o.seconds}};
  if (!o.reason.empty()) j["reason"] = o.reason;
  if (o.counterexample) j["counterexample"] = counterexample_json(*o.counterexample);
  return j;
}

void print_output(const verify::OutputResult& o, const dra::Interval& d, const Region& region) {
  std::string by = o.decided_by == verify::Stage::NONE ? "" : std::string(" by ") + verify::to_string(o.decided_by);
  std::printf("output %zu: %s%s  (DRA [%s, %s], proven [%s, %s])%s\n", o.output, verify::to_string(o.verdict), by.c_str(),
              decimal(d.lo).c_str(), decimal(d.hi).c_str(), decimal(o.bound_lo).c_str(), decimal(o.bound_hi).c_str(),
              o.reason.empty() ? "" : ("  " + readable_numbers(o.reason)).c_str());
  if (o.counterexample) print_counterexample(*o.counterexample, region);
}

nlohmann::json report_plain(const verify::VerifyResult& r, const verify::VerifyOptions& options, const Region& region,
                            std::size_t region_index) {
  std::printf("region: %s, eps = %s\n", region.description.c_str(), to_string(options.eps).c_str());
  const verify::EngineStats& es = r.engine_stats;
  std::printf("engine %s: DRA %.3f s; enumeration %.3f s; attack %.3f s; LP %zu solves, %.3f s; branch and bound %zu "
              "nodes (depth %u, %zu SMT leaves, %zu closed), %.3f s\n",
              r.engine.c_str(), r.dra_seconds, es.enumeration_seconds, r.attack_seconds, es.lp_solves, es.lp_seconds,
              es.bab_nodes, es.bab_max_depth, es.bab_leaf_calls, es.bab_closed_by_leaf, es.bab_seconds);
  if (r.solver_calls > 0 || !r.logic.empty())
    std::printf("encoding %s (%s): %zu terms, %zu case splits, %.3f s; %s (%s): %d solver calls, %.3f s\n",
                r.encoding.c_str(), r.logic.empty() ? "not needed" : r.logic.c_str(), r.terms, r.case_splits,
                r.encode_seconds, r.backend.c_str(), verify::to_string(options.strategy), r.solver_calls, r.solve_seconds);
  nlohmann::json stats = {{"verdict", verify::to_string(r.verdict)},
                          {"logic", r.logic},
                          {"terms", r.terms},
                          {"case_splits", r.case_splits},
                          {"solver_calls", r.solver_calls},
                          {"engine", {{"name", r.engine}, {"lp_solves", es.lp_solves}, {"lp_seconds", es.lp_seconds},
                                      {"enumeration_seconds", es.enumeration_seconds}}},
                          {"bab", {{"nodes", es.bab_nodes}, {"max_depth", es.bab_max_depth}, {"leaf_calls", es.bab_leaf_calls},
                                   {"closed_by_leaf", es.bab_closed_by_leaf}, {"seconds", es.bab_seconds}}},
                          {"seconds", {{"dra", r.dra_seconds}, {"attack", r.attack_seconds}, {"encode", r.encode_seconds},
                                       {"solve", r.solve_seconds}, {"task", r.total_seconds}}}};
  nlohmann::json outputs = nlohmann::json::array();
  for (const verify::OutputResult& o : r.outputs) {
    const dra::Interval& d = r.dra.output_delta()[o.output];
    print_output(o, d, region);
    outputs.push_back(output_json(o, d, region_index));
  }
  return {{"region", stats}, {"outputs", outputs}};
}

namespace {

verify::Stage stage_of_part(const std::string& how) {
  if (how == "DRA") return verify::Stage::DRA;
  if (how == "attack") return verify::Stage::ATTACK;
  if (how == "enumeration") return verify::Stage::ENUMERATION;
  if (how == "solver") return verify::Stage::SMT;
  if (how == "branch and bound") return verify::Stage::BAB;
  return verify::Stage::NONE;
}

}  // namespace

nlohmann::json report_partitioned(const partition::PartitionResult& r, const verify::VerifyOptions& options,
                                  const Region& region, std::size_t region_index, bool mpi) {
  std::size_t by_dra = 0, by_solver = 0, by_enumeration = 0, by_bab = 0, split = 0;
  nlohmann::json parts = nlohmann::json::array();
  verify::Stage cex_stage = verify::Stage::NONE;
  for (const partition::PartRecord& p : r.parts) {
    by_dra += p.how == "DRA";
    by_solver += p.how == "solver" && p.verdict == verify::Verdict::VERIFIED;
    split += p.how == "split";
    by_bab += p.how == "branch and bound" && p.verdict == verify::Verdict::VERIFIED;
    by_enumeration += p.how == "enumeration" && p.verdict == verify::Verdict::VERIFIED;
    if (p.verdict == verify::Verdict::FALSIFIED) cex_stage = stage_of_part(p.how);
    parts.push_back({{"depth", p.depth}, {"split_path", p.path}, {"verdict", verify::to_string(p.verdict)},
                     {"how", p.how}, {"seconds", p.seconds}, {"dra_gap", p.gap}});
  }
  std::printf("region: %s, eps = %s\n", region.description.c_str(), to_string(options.eps).c_str());
  std::printf("partitioned over %u %s: %zu parts (%zu split, %zu proved by DRA, %zu by the solver, %zu by enumeration, "
              "%zu by branch and bound), depth %u; %.3f s wall, %.3f s of work (%.2fx)\n",
              r.workers, mpi ? "MPI worker rank(s)" : "worker thread(s)", r.parts.size(), split, by_dra, by_solver,
              by_enumeration, by_bab, r.max_depth_reached, r.wall_seconds, r.busy_seconds,
              r.wall_seconds > 0 ? r.busy_seconds / r.wall_seconds : 1.0);
  if (r.counterexample) print_counterexample(*r.counterexample, region);

  // Per output: every checked output shares the run's verdict, except that a counterexample settles
  // its own output only (the run stops there, the others stay unknown).
  nlohmann::json outputs = nlohmann::json::array();
  for (std::size_t k : options.outputs) {
    nlohmann::json j = {{"index", k}, {"region", region_index}, {"seconds", r.wall_seconds}, {"solver_calls", 0}};
    if (r.verdict == verify::Verdict::VERIFIED) {
      j["verdict"] = "verified";
      j["decided_by"] = "partition";
    } else if (r.counterexample && r.counterexample->output == k) {
      j["verdict"] = "falsified";
      j["decided_by"] = verify::to_string(cex_stage);
      j["counterexample"] = counterexample_json(*r.counterexample);
    } else {
      j["verdict"] = "unknown";
      j["decided_by"] = "none";
      j["reason"] = r.counterexample ? "not decided: a counterexample on another output ended the run"
                                     : (r.reason.empty() ? "undecided" : r.reason);
    }
    outputs.push_back(j);
  }
  nlohmann::json stats = {{"verdict", verify::to_string(r.verdict)},
                          {"partition", {{"workers", r.workers}, {"mpi", mpi}, {"parts", r.parts.size()},
                                         {"max_depth", r.max_depth_reached}, {"wall_seconds", r.wall_seconds},
                                         {"busy_seconds", r.busy_seconds}, {"part_list", parts}}},
                          {"seconds", {{"task", r.wall_seconds}}}};
  if (!r.reason.empty()) stats["reason"] = r.reason;
  if (r.counterexample) stats["counterexample"] = counterexample_json(*r.counterexample);
  return {{"region", stats}, {"outputs", outputs}};
}

verify::Verdict combine(const std::vector<verify::Verdict>& verdicts) {
  bool all_verified = true;
  for (verify::Verdict v : verdicts) {
    if (v == verify::Verdict::FALSIFIED) return v;
    all_verified = all_verified && v == verify::Verdict::VERIFIED;
  }
  return all_verified ? verify::Verdict::VERIFIED : verify::Verdict::UNKNOWN;
}

verify::Verdict verdict_named(const std::string& name) {
  for (verify::Verdict v : {verify::Verdict::VERIFIED, verify::Verdict::FALSIFIED, verify::Verdict::UNKNOWN})
    if (name == verify::to_string(v)) return v;
  return verify::Verdict::UNKNOWN;
}

}  // namespace qeb::cli
