#include "cli/verify_property.h"

#include <cstdio>

#include "cli/common_options.h"
#include "cli/report.h"
#include "cli/verify_report.h"
#include "cli/witness_text.h"

namespace qeb::cli {

namespace po = boost::program_options;

namespace {

nlohmann::json rationals_json(const std::vector<Rational>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (const Rational& r : v) a.push_back(rational_json(r));
  return a;
}

// One region's entry: its verdict, how it was decided, times, and the counterexample.
nlohmann::json region_result(const property::CheckResult& r, spec::OutputsOf which) {
  nlohmann::json j = {{"verdict", verify::to_string(r.verdict)},
                      {"decided_by", verify::to_string(r.decided_by)},
                      {"disjuncts", r.disjuncts},
                      {"refuted_by_dra", r.refuted_by_dra},
                      {"solver_calls", r.solver_calls},
                      {"seconds", {{"dra", r.dra_seconds}, {"attack", r.attack_seconds}, {"encode", r.encode_seconds},
                                   {"solve", r.solve_seconds}, {"task", r.total_seconds}}}};
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (r.counterexample) {
    const property::Witness& w = *r.counterexample;
    j["counterexample"] = {{"input", w.input}, {"qnn", rationals_json(w.qnn)}, {"dnn", rationals_json(w.dnn)},
                           {"y", rationals_json(property::outputs_of(which, w.qnn, w.dnn))},
                           {"disjunct", w.disjunct}};
  }
  return j;
}

void print_region(const property::CheckResult& r, const Region& region, spec::OutputsOf which) {
  std::printf("region: %s: %zu disjunct(s) of the violation, %zu ruled out by DRA's output bounds\n",
              region.description.c_str(), r.disjuncts, r.refuted_by_dra);
  std::printf("DRA %.3f s; attack %.3f s; encoding %.3f s; solver: %d call(s), %.3f s\n", r.dra_seconds,
              r.attack_seconds, r.encode_seconds, r.solver_calls, r.solve_seconds);
  std::string by = r.decided_by == verify::Stage::NONE ? "" : std::string(" by ") + verify::to_string(r.decided_by);
  std::printf("  %s%s%s\n", r.verdict == verify::Verdict::VERIFIED    ? "holds (verified)"
                            : r.verdict == verify::Verdict::FALSIFIED ? "violated (falsified)"
                                                                      : "undecided (unknown)",
              by.c_str(), r.reason.empty() ? "" : (": " + r.reason).c_str());
  if (!r.counterexample) return;
  const property::Witness& w = *r.counterexample;
  std::vector<Rational> y = property::outputs_of(which, w.qnn, w.dnn);
  std::string values;
  for (std::size_t j = 0; j < y.size(); ++j) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%sY_%zu = %.10g", j ? ", " : "", j, to_double(y[j]));
    values += buf;
  }
  std::printf("  counterexample (replayed exactly): disjunct %zu holds: %s\n", w.disjunct + 1, values.c_str());
  std::printf("  %s\n", describe_input(w.input, region.box, {}).c_str());
}

}  // namespace

po::options_description property_check_options() {
  po::options_description o("Output properties (verify --property FILE without --eps)");
  o.add_options()
    ("outputs-of", po::value<std::string>()->default_value("qnn")->value_name("qnn|dnn|diff"),
     "what the property's Y_j are: the QNN's outputs, the DNN's, or their difference QNN_j - DNN_j. The file's "
     "output constraints state the violation (VNN-LIB): verified means no integer input of a region satisfies them");
  return o;
}

int verify_output_property(const po::variables_map& vm, const quant::ModelPair& pair, const std::vector<Region>& regions,
                           property::CheckOptions options, const ResourceLimits& limits) {
  std::printf("property: %s, %s; %zu region(s)\n", vm["property"].as<std::string>().c_str(),
              spec::describe(options.outputs_of).c_str(), regions.size());
  nlohmann::json region_list = regions_json(regions);
  report::update({{"regions", region_list},
                  {"property", {{"file", vm["property"].as<std::string>()},
                                {"outputs_of", spec::to_string(options.outputs_of)},
                                {"meaning", spec::describe(options.outputs_of)},
                                {"disjuncts", regions.front().violation.disjuncts.size()}}},
                  {"backend", options.backend},
                  {"encoding", options.encoding}});
  std::vector<verify::Verdict> verdicts;
  std::string reason;
  nlohmann::json counterexample;
  for (std::size_t i = 0; i < regions.size(); ++i) {
    options.timeout_seconds = solver_time_budget(limits);
    property::CheckResult r = property::check_property(pair, regions[i].box, regions[i].violation, options);
    print_region(r, regions[i], options.outputs_of);
    region_list[i].update(region_result(r, options.outputs_of));
    verdicts.push_back(r.verdict);
    if (reason.empty() && !r.reason.empty()) reason = r.reason;
    if (r.counterexample) counterexample = region_list[i]["counterexample"];
    report::update({{"regions", region_list}});
    if (r.verdict == verify::Verdict::FALSIFIED) break;
  }
  verify::Verdict verdict = combine(verdicts);
  if (verdicts.size() < regions.size())
    std::printf("(regions %zu..%zu not checked: a counterexample ends the task)\n", verdicts.size() + 1, regions.size());
  std::printf("verdict: %s\n", verify::to_string(verdict));
  nlohmann::json doc = {{"regions", region_list}};
  if (!counterexample.is_null()) doc["counterexample"] = counterexample;
  if (verdict == verify::Verdict::UNKNOWN) doc["reason"] = reason.empty() ? "undecided" : reason;
  return report::finish(doc, verify::to_string(verdict), exit_code(verdict));
}

}  // namespace qeb::cli
