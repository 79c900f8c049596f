// `qeb-smt batch`: many verify tasks from a CSV file (VNN-COMP's instances.csv form), each in its
// own child process, N at a time; results.csv and a summary table.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/batch_instances.h"
#include "cli/batch_runner.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "core/csv.h"
#include "core/error.h"

namespace qeb::cli {

namespace {

namespace fs = std::filesystem;

constexpr unsigned kMaxJobs = 256;
const char* const kVerdicts[] = {"verified", "falsified", "unknown", "error"};
const char* const kColumns = "instance,line,model,property,region,verdict,how,seconds,max_error_lower,max_error_upper,"
                             "exit_code,vnncomp,reason";

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string row(const BatchInstance& b, const InstanceOutcome& o) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", o.seconds);
  std::vector<std::string> cells = {b.name, std::to_string(b.line), b.model, b.property, join(b.region), o.verdict, o.how,
                                    seconds, o.max_error_lower, o.max_error_upper,
                                    o.exit_code < 0 ? "" : std::to_string(o.exit_code), o.vnncomp, o.reason};
  std::string line;
  for (const std::string& c : cells) line += (line.empty() ? "" : ",") + csv_field(c);
  return line;
}

void write_results(const std::string& path, const std::vector<BatchInstance>& instances,
                   const std::vector<InstanceOutcome>& outcomes, const std::vector<bool>& have) {
  std::ofstream out(path, std::ios::trunc);
  out << kColumns << "\n";
  for (std::size_t i = 0; i < instances.size(); ++i)
    if (have[i]) out << row(instances[i], outcomes[i]) << "\n";
  out.flush();
  if (!out) throw InputError(path, "could not write the results");
}

std::string own_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find qeb-smt's own executable (/proc/self/exe); give --executable");
  return self.string();
}

BatchDefaults read_defaults(const po::variables_map& vm) {
  BatchDefaults d;
  if (vm.count("bits") != vm.count("preset")) throw OptionError("--preset and --bits go together");
  if (vm.count("preset")) d.quant = {"--preset", vm["preset"].as<std::string>(), "--bits", std::to_string(vm["bits"].as<int>())};
  if (vm.count("quant")) d.quant.insert(d.quant.end(), {"--quant", vm["quant"].as<std::string>()});
  if (vm.count("eps")) d.eps = vm["eps"].as<std::string>();
  d.timeout = seconds_option(vm, "timeout", false);
  if (vm.count("outputs-of")) d.outputs_of = vm["outputs-of"].as<std::string>();
  if (vm.count("args")) {
    std::istringstream in(vm["args"].as<std::string>());
    for (std::string w; in >> w;) d.args.push_back(w);
  }
  if (vm["memory-limit"].as<double>() > 0) {
    char mb[32];
    std::snprintf(mb, sizeof mb, "%.10g", vm["memory-limit"].as<double>());
    d.args.insert(d.args.end(), {"--memory-limit", mb});
  }
  return d;
}

// The working directory for the instances' documents: --log-dir (kept) or a temporary one.
std::string work_directory(const po::variables_map& vm, bool& keep) {
  keep = vm.count("log-dir") > 0;
  if (keep) {
    std::string dir = vm["log-dir"].as<std::string>();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw InputError(dir, "cannot create the log directory");
    return dir;
  }
  std::string pattern = (fs::temp_directory_path() / "qeb-batch.XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw Error("cannot create a temporary directory for the batch");
  return pattern;
}

}  // namespace

int cmd_batch(const Args& args) {
  po::options_description run("Batch");
  run.add_options()
    ("instances", po::value<std::string>()->value_name("INSTANCES.csv"), "the instance list (also the first positional argument)")
    ("jobs,j", po::value<unsigned>()->default_value(1)->value_name("N"), "instances run at a time, each a qeb-smt process")
    ("results,o", po::value<std::string>()->default_value("results.csv")->value_name("FILE"), "where the results go (CSV)")
    ("log-dir", po::value<std::string>()->value_name("DIR"),
     "keep each instance's JSON document and stderr in DIR (default: a temporary directory, removed)")
    ("executable", po::value<std::string>()->value_name("PATH"), "the qeb-smt to run per instance (default: this one)")
    ("quiet,q", po::bool_switch(), "no progress lines on stderr");
  po::options_description defaults("Defaults for cells left empty");
  defaults.add_options()
    ("preset", po::value<std::string>()->value_name("NAME"), "quantization preset (with --bits)")
    ("bits", po::value<int>()->value_name("Q"), "bit-width for --preset")
    ("quant", po::value<std::string>()->value_name("SPEC"), "quantization formats, as verify's --quant")
    ("eps", po::value<std::string>()->value_name("E"), "error bound (none: a property's output constraints are checked)")
    ("timeout", po::value<double>()->default_value(60)->value_name("SECONDS"), "time limit per instance")
    ("memory-limit", po::value<double>()->default_value(0)->value_name("MB"), "memory limit per instance (0: none)")
    ("outputs-of", po::value<std::string>()->value_name("qnn|dnn|diff"), "what a property's Y_j are (verify --outputs-of)")
    ("args", po::value<std::string>()->value_name("\"OPTIONS\""), "more verify options for every instance, e.g. \"--backend cvc5\"");
  po::options_description all;
  all.add(run).add(defaults).add(output_options());
  po::positional_options_description positional;
  positional.add("instances", 1);
  auto vm = parse_command(
      args, all, "Usage: qeb-smt batch INSTANCES.csv [--jobs N] [-o results.csv] [defaults]",
      "Runs `qeb-smt verify` on every instance of the CSV file, each in its own process (a crash or a kill is that\n"
      "instance's result; the batch goes on), --jobs at a time, and writes one row per instance to --results:\n"
      "  instance,line,model,property,region,verdict,how,seconds,max_error_lower,max_error_upper,exit_code,vnncomp,reason\n"
      "verdict: verified, falsified, unknown or error; how: the deciding stages (dra, attack, smt, partition, ...);\n"
      "max_error_lower: the largest |QNN - DNN| a counterexample showed; max_error_upper: a proven bound on\n"
      "max |QNN - DNN| (eps, or DRA's tighter bound); vnncomp: unsat (holds), sat, timeout, unknown or error.\n"
      "\n"
      "Instance rows (paths relative to the CSV file; '#' lines are comments):\n"
      "  VNN-COMP form, no header:  MODEL,PROPERTY,TIMEOUT[,QUANT[,EPS]]\n"
      "  with a header row naming the columns, in any order:\n"
      "    instance, model (onnx), property (vnnlib), region, timeout, quant, eps, outputs_of, args\n"
      "  quant: PRESET:BITS (qebverif-mnist:4) or a --quant spec (quote it: it has commas); region: verify's\n"
      "  region options (\"--center 9,6 --radius 3\", \"--box 0:3,0:3\"); args: more verify options. Without eps a\n"
      "  property's output constraints are checked (verify without --eps).\n"
      "Each instance gets --timeout (its own watchdog ends it as unknown); one still running at 1.1 x timeout + 2 s\n"
      "is killed. Exit codes: 0 the batch ran (whatever the instances gave), 2 bad usage or instance list.\n",
      &positional);
  if (!vm) return 0;
  if (!vm->count("instances")) throw OptionError("give the instance list: qeb-smt batch INSTANCES.csv");
  unsigned jobs = (*vm)["jobs"].as<unsigned>();
  if (jobs < 1 || jobs > kMaxJobs) throw OptionError("--jobs must be from 1 to " + std::to_string(kMaxJobs));
  std::vector<BatchInstance> instances = read_instances((*vm)["instances"].as<std::string>(), read_defaults(*vm));
  const std::string results = (*vm)["results"].as<std::string>();
  std::vector<InstanceOutcome> outcomes(instances.size());
  std::vector<bool> have(instances.size(), false);
  write_results(results, instances, outcomes, have);  // the header now: an unwritable path fails before the run

  BatchRunOptions options;
  options.executable = vm->count("executable") ? (*vm)["executable"].as<std::string>() : own_executable();
  options.jobs = jobs;
  options.work_dir = work_directory(*vm, options.keep_files);
  Progress progress("batch", (*vm)["quiet"].as<bool>());
  std::size_t finished = 0;
  options.done = [&](std::size_t i, const InstanceOutcome& o) {
    outcomes[i] = o;
    have[i] = true;
    char line[64];
    std::snprintf(line, sizeof line, " in %.2f s", o.seconds);
    progress.line("[" + std::to_string(++finished) + "/" + std::to_string(instances.size()) + "] " + instances[i].name + ": " +
                  o.verdict + (o.how.empty() ? "" : " by " + o.how) + line + (o.reason.empty() ? "" : " (" + o.reason + ")"));
    write_results(results, instances, outcomes, have);  // kept current: an interrupted batch keeps what it finished
  };
  options.running = [&](const std::string& text) { progress.status(text); };
  auto start = std::chrono::steady_clock::now();
  report::update({{"instances_file", (*vm)["instances"].as<std::string>()}, {"results_file", results}});
  run_instances(instances, options);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.keep_files) fs::remove_all(options.work_dir);
  write_results(results, instances, outcomes, have);

  // The summary table.
  std::map<std::string, std::pair<int, double>> by_verdict;
  double summed = 0;
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < instances.size(); ++i) {
    by_verdict[outcomes[i].verdict].first += 1;
    by_verdict[outcomes[i].verdict].second += outcomes[i].seconds;
    summed += outcomes[i].seconds;
    const InstanceOutcome& o = outcomes[i];
    list.push_back({{"instance", instances[i].name}, {"line", instances[i].line}, {"model", instances[i].model},
                    {"property", instances[i].property}, {"region", join(instances[i].region)}, {"verdict", o.verdict},
                    {"how", o.how}, {"seconds", o.seconds}, {"max_error_lower", o.max_error_lower},
                    {"max_error_upper", o.max_error_upper}, {"exit_code", o.exit_code}, {"vnncomp", o.vnncomp},
                    {"reason", o.reason}});
  }
  std::printf("%zu instances, %u at a time: %.2f s wall, %.2f s summed\n", instances.size(), jobs, wall, summed);
  std::printf("%-10s %6s %10s\n", "verdict", "count", "seconds");
  nlohmann::json summary = nlohmann::json::object();
  for (const char* v : kVerdicts) {
    std::printf("%-10s %6d %10.2f\n", v, by_verdict[v].first, by_verdict[v].second);
    summary[v] = by_verdict[v].first;
  }
  std::printf("results: %s\n", results.c_str());
  summary["total"] = instances.size();
  return report::finish({{"instances", list}, {"summary", summary}, {"seconds", {{"wall", wall}, {"summed", summed}}}},
                        "done", 0);
}

}  // namespace qeb::cli
