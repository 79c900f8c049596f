// `qeb-smt emit`: the residual problem `verify` solves, written as an SMT-LIB 2.6 benchmark.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/progress.h"
#include "cli/report.h"
#include "cli/resource_limits.h"
#include "core/error.h"
#include "emit/benchmark.h"
#include "smt/backend.h"

namespace qeb::cli {

namespace {

std::string logics_help() {
  std::string s = "the SMT-LIB logic, which picks the encoding:";
  for (const emit::LogicChoice& c : emit::logic_catalogue())
    s += "\n  " + c.logic + " (encoding " + c.encoding + "): " + c.description;
  return s;
}

// "model PTQ_...h5 (784-100-10), --preset qebverif-mnist --bits 4, region ...": what the task is.
std::string task_text(const po::variables_map& vm, const quant::ModelPair& pair, const Region& region,
                      const std::string& outputs) {
  std::string text = "model " + std::filesystem::path(vm["model"].as<std::string>()).filename().string() + " (" +
                     model::shape_string(pair.dnn) + ")";
  if (vm.count("preset")) text += ", preset " + vm["preset"].as<std::string>() + " " + std::to_string(vm["bits"].as<int>()) + " bits";
  if (vm.count("quant")) text += ", quantization " + vm["quant"].as<std::string>();
  if (vm.count("qnn")) text += ", QNN " + std::filesystem::path(vm["qnn"].as<std::string>()).filename().string();
  std::string region_text = region.description.size() > 200 ? region.description.substr(0, 200) + "..." : region.description;
  return text + ", input scale " + to_string(pair.input_scale) + ", region " + region_text + " (" +
         std::to_string(region.box.point_count()) + " integer points), outputs " + outputs;
}

nlohmann::json splits_json(const emit::Benchmark& b) {
  nlohmann::json out = nlohmann::json::array();
  for (const emit::SplitOutcome& o : b.splits)
    out.push_back({{"output", o.query.output}, {"direction", verify::describe(o.query.direction)},
                   {"branch_and_bound", o.outcome}, {"nodes", o.nodes}, {"open_nodes", o.open_nodes},
                   {"seconds", o.seconds}});
  return out;
}

}  // namespace

int cmd_emit(const Args& args) {
  std::string backends;
  for (const std::string& b : smt::available_backends()) backends += (backends.empty() ? "" : "|") + b;
  po::options_description o("Benchmark");
  o.add_options()
    ("output-file,o", po::value<std::string>()->value_name("FILE.smt2"), "the file to write (required)")
    ("logic", po::value<std::string>()->default_value("QF_BVLRA")->value_name("L"), logics_help().c_str())
    ("eps", po::value<std::string>()->value_name("E"), "the error bound (exact decimal or n/d), as for verify (required)")
    ("output", po::value<std::string>()->default_value("all")->value_name("all|predicted|K"), "outputs to check, as for verify")
    ("incremental", po::bool_switch(),
     "assert the network once, then one (push 1) (assert violation) (set-info :status ...) (check-sat) (pop 1)\n"
     "per output direction (default: a single check-sat of the disjunction of all open directions)")
    ("keep-dra-proved", po::bool_switch(),
     "also write the output directions DRA already proves (default: they are left out, and when DRA proves\n"
     "every direction nothing is written)")
    ("status", po::value<std::string>()->default_value("solve")->value_name("solve|unknown"),
     "solve: record the status qeb-smt obtains (verify's verdict; per check with --incremental, each sat model\n"
     "replayed exactly); unknown: skip solving and record unknown")
    ("status-timeout", po::value<double>()->default_value(60)->value_name("SECONDS"),
     "time for obtaining the status (the whole task, or each check with --incremental); also the time limit\n"
     "named in the file's :source. A timeout records unknown")
    ("status-backend", po::value<std::string>()->default_value("z3")->value_name(backends), "solver used for the status")
    ("subproblems", po::value<uint64_t>()->default_value(0)->value_name("N"),
     "split each open output direction by N nodes of branch and bound (one thread, no time limit, the same\n"
     "nodes on every run) and write one scoped check per subproblem left open: the violation within the\n"
     "node's input bounds and neuron restrictions, the hard cores of the task. A direction it proves is left\n"
     "out; a falsified one is written whole (status sat). Needs --logic QF_LIRA; implies --incremental\n"
     "(0: off)")
    ("input-split-dimension", po::value<unsigned>()->default_value(16)->value_name("N"),
     "with --subproblems: bisect input coordinates when at most N are free, else split neurons")
    ("no-pruning", po::bool_switch(), "keep the case split of every neuron, even those DRA found stable")
    ("no-diff-cuts", po::bool_switch(), "do not assert DRA's hidden difference bounds")
    ("quiet,q", po::bool_switch(), "no summary on stdout");
  po::options_description all;
  all.add(model_options()).add(region_options()).add(o).add(resource_options("run")).add(output_options());
  auto vm = parse_command(
      args, all,
      "Usage: qeb-smt emit --model FILE (--preset P --bits Q | --quant S | --qnn F) REGION --eps E --logic L "
      "[--incremental] -o FILE.smt2",
      "Writes the residual problem verify would solve (after DRA, sound semantics; stable neurons pruned and DRA's\n"
      "bounds asserted as redundant facts) as an SMT-LIB 2.6 benchmark: header with :source, :license, :category\n"
      "and :status, exact rational literals, shared subterms as define-fun, (exit) at the end. sat means some\n"
      "output direction is violated (|QNN - DNN| > E somewhere in the region), unsat that the bound holds.\n"
      "Check a file with the solvers' binaries: z3 FILE, cvc5 FILE (cvc5 --incremental for --incremental files;\n"
      "z3 prints 'unsupported' for (set-logic QF_BVLRA) and goes on).\n"
      "Exit codes: 0 written (or nothing to write: DRA proves every direction), 2 bad usage or input,\n"
      "3 unsupported, 1 internal error.\n");
  if (!vm) return 0;
  if (!vm->count("eps")) throw OptionError("--eps E is required");
  if (!vm->count("output-file")) throw OptionError("-o FILE.smt2 is required");
  const std::string path = (*vm)["output-file"].as<std::string>();
  emit::EmitOptions options;
  options.logic = (*vm)["logic"].as<std::string>();
  emit::encoding_for_logic(options.logic);  // a bad logic fails before any work
  options.eps = parse_rational((*vm)["eps"].as<std::string>());
  if (options.eps < 0) throw OptionError("--eps must be non-negative");
  const std::string status = (*vm)["status"].as<std::string>();
  if (status != "solve" && status != "unknown") throw OptionError("--status takes solve or unknown, not '" + status + "'");
  options.solve_status = status == "solve";
  options.status_timeout = seconds_option(*vm, "status-timeout", false);
  options.status_backend = (*vm)["status-backend"].as<std::string>();
  options.subproblem_nodes = (*vm)["subproblems"].as<uint64_t>();
  options.input_split_dimension = (*vm)["input-split-dimension"].as<unsigned>();
  options.incremental = (*vm)["incremental"].as<bool>() || options.subproblem_nodes > 0;
  options.keep_dra_proved = (*vm)["keep-dra-proved"].as<bool>();
  options.prune = !(*vm)["no-pruning"].as<bool>();
  options.difference_cuts = !(*vm)["no-diff-cuts"].as<bool>();
  const bool quiet = (*vm)["quiet"].as<bool>();
  enforce_resource_limits(*vm);

  quant::ModelPair pair = load_model_pair(*vm);
  Region region = build_region(*vm, pair);
  const std::string output_spec = (*vm)["output"].as<std::string>();
  options.outputs = select_outputs(output_spec, pair, region.center);
  options.task = task_text(*vm, pair, region, output_spec);

  // Open the file first: an unwritable path should fail before minutes of solving, not after.
  // (When DRA proves everything the empty file is removed again.)
  std::ofstream file(path, std::ios::binary);
  if (!file) throw InputError(path, "cannot open for writing");
  emit::Benchmark b;
  Progress progress("emit", quiet);
  progress.status(options.solve_status ? "encoding, then solving for the status (up to --status-timeout " +
                                             std::to_string(int(options.status_timeout)) + " s)"
                                       : "encoding");
  try {
    b = emit::build_benchmark(pair, region.box, options);
  } catch (...) {
    file.close();
    std::filesystem::remove(path);
    throw;
  }
  nlohmann::json doc = {{"command", "emit"}, {"regions", regions_json({region})}, {"logic", options.logic}, {"encoding", b.encoding},
                        {"incremental", options.incremental}, {"eps", to_string(options.eps)}};
  if (b.empty) {
    file.close();
    std::filesystem::remove(path);
    if (!quiet)
      std::printf("nothing to write: %s proves every selected output direction (the task is verified); %s not written\n",
                  b.splits.empty() ? "DRA" : "DRA with branch and bound", path.c_str());
    doc["subproblems"] = splits_json(b);
    doc["file"] = nullptr;
    doc["written"] = false;
    doc["queries"] = 0;
    doc["status"] = "unsat";
    return report::finish(doc, "done", 0);
  }
  smt::print_smtlib(file, *b.problem.terms, b.script);
  file.close();
  if (!file) throw InputError(path, "write failed");
  const auto bytes = std::filesystem::file_size(path);
  nlohmann::json checks = nlohmann::json::array();
  for (const smt::ScopedCheck& c : b.script.checks) checks.push_back(c.status);
  if (options.subproblem_nodes > 0) {
    doc["subproblems"] = splits_json(b);
    nlohmann::json origins = nlohmann::json::array();
    for (const emit::CheckOrigin& o : b.origins)
      origins.push_back({{"output", o.query.output}, {"direction", verify::describe(o.query.direction)}, {"node", o.node.to_string()}});
    doc["check_origin"] = origins;
  }
  doc.update({{"file", path}, {"written", true}, {"queries", b.problem.queries.size()}, {"status", b.script.status},
              {"check_status", checks}, {"terms", b.problem.terms->size()}, {"assertions", b.script.assertions.size()},
              {"bytes", bytes}, {"status_seconds", b.status_seconds}});
  if (!quiet)
    std::printf("wrote %s: logic %s (encoding %s), %zu output direction(s)%s, status %s (%.3f s), %zu terms, %zu assertions, %llu bytes\n",
                path.c_str(), b.script.logic.c_str(), b.encoding.c_str(), b.problem.queries.size(),
                options.incremental ? " as scoped checks" : "", b.script.status.c_str(), b.status_seconds,
                b.problem.terms->size(), b.script.assertions.size(), (unsigned long long)bytes);
  if (!quiet)
    for (const emit::SplitOutcome& o : b.splits)
      std::printf("  output %zu (%s): branch and bound %s after %llu nodes (%.3f s)%s\n", o.query.output,
                  verify::describe(o.query.direction), o.outcome.c_str(), (unsigned long long)o.nodes, o.seconds,
                  o.outcome == "open" ? (", " + std::to_string(o.open_nodes) + " subproblems written").c_str() : "");
  return report::finish(doc, "done", 0);
}

}  // namespace qeb::cli
