// An SMT-LIB benchmark of a task: the residual problem `verify` solves (verify/residual.h), in the
// logic asked for, with the status qeb-smt obtained for it.
#pragma once

#include <string>
#include <vector>

#include "bounds/subproblem.h"
#include "quant/qnetwork.h"
#include "smt/smtlib_printer.h"
#include "spec/region.h"
#include "verify/residual.h"

namespace qeb::emit {

/** The logics `emit` writes, each with the encoding that produces it and a one-line description. */
struct LogicChoice {
  std::string logic, encoding, description;
};
const std::vector<LogicChoice>& logic_catalogue();

/** The encoding behind `logic`; throws OptionError naming the choices for an unknown one. */
std::string encoding_for_logic(const std::string& logic);

struct EmitOptions {
  std::string logic = "QF_BVLRA";
  bool incremental = false;          ///< one scoped check-sat per output direction (push/pop)
  Rational eps = 1;
  std::vector<std::size_t> outputs;  ///< outputs to check (empty: all)
  bool keep_dra_proved = false;      ///< also write the directions DRA already proves
  bool prune = true;
  bool difference_cuts = true;
  bool solve_status = true;          ///< false: every status is "unknown"
  double status_timeout = 60;        ///< seconds for obtaining the status (whole task, or per check)
  std::string status_backend = "z3";
  std::string task;                  ///< what the task is (model, quantization, region), for :source
  /// > 0: split each open direction by branch and bound (one thread, this many nodes) and write
  /// one scoped check per subproblem it leaves open (needs logic QF_LIRA; implies incremental).
  uint64_t subproblem_nodes = 0;
  std::size_t input_split_dimension = 16;  ///< the subproblems' branching: see bab::BranchingOptions
};

/** What one scoped check of a subproblem benchmark stands for. */
struct CheckOrigin {
  verify::Query query;
  bounds::Subproblem node;  ///< the whole box for a falsified direction
};

/** What branch and bound made of one open direction (subproblem benchmarks). */
struct SplitOutcome {
  verify::Query query;
  std::string outcome;  ///< proved, falsified or open
  uint64_t nodes = 0;
  std::size_t open_nodes = 0;
  double seconds = 0;
};

struct Benchmark {
  verify::ResidualProblem problem;  ///< owns the terms the script refers to
  smt::Script script;
  std::string encoding;
  bool empty = false;          ///< DRA (or branch and bound) proved every selected direction: nothing for a solver
  double status_seconds = 0;
  std::vector<CheckOrigin> origins;  ///< per scoped check, with subproblems
  std::vector<SplitOutcome> splits;  ///< per open direction, with subproblems
};

/**
 * Runs DRA as `verify` does (sound semantics, Sym), encodes the open directions (every direction
 * with keep_dra_proved), and records the status: for a non-incremental script from `verify`'s
 * verdict (falsified: sat, verified: unsat), for an incremental one by solving each scoped check
 * on its own (every sat model is replayed on the exact evaluators; ReplayError if it fails).
 * With subproblem_nodes, each open direction goes through branch and bound first: a proved direction
 * is left out, a falsified one is written whole (status sat: the counterexample replayed exactly),
 * and an undecided one becomes one scoped check per open node (the violation, the node's input
 * bounds and its neuron restrictions). The closed nodes are proved, so the file is sat iff the
 * task is falsified.
 * Throws OptionError for an unknown logic or backend, or subproblems in a logic other than QF_LIRA.
 */
Benchmark build_benchmark(const quant::ModelPair& pair, const spec::Box& box, const EmitOptions& options);

}  // namespace qeb::emit
