#include "verify/verifier.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "dra/diff_analysis.h"
#include "eval/difference.h"
#include "verify/falsifier.h"
#include "verify/residual.h"

namespace qeb::verify {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The model's input and the exact outputs of both networks there.
struct Replayed {
  std::vector<int64_t> input;
  eval::PairOutput exact;
};

Replayed replay(const quant::ModelPair& pair, const encodings::NetworkEncoding& enc, smt::Backend& backend) {
  Replayed r;
  for (std::size_t k = 0; k < enc.input_offset.size(); ++k) {
    Rational v = enc.input_vars[k] ? backend.value(*enc.input_vars[k]) : Rational(0);
    r.input.push_back(enc.input_offset[k] + boost::multiprecision::numerator(v).convert_to<int64_t>());
  }
  r.exact = eval::evaluate_pair(pair, r.input);
  return r;
}

// The counterexample for `query` at a replayed model; throws ReplayError unless it violates the bound.
Counterexample counterexample_at(const Replayed& r, const std::string& solver, const Query& query, const Rational& eps) {
  Counterexample cex;
  cex.output = query.output;
  cex.input = r.input;
  cex.qnn = r.exact.qnn[query.output];
  cex.dnn = r.exact.dnn[query.output];
  cex.diff = r.exact.diff[query.output];
  bool violates = query.direction == Direction::ABOVE ? cex.diff > eps : cex.diff < -eps;
  if (!violates)
    throw ReplayError(solver + " returned a model for output " + std::to_string(query.output) + " (" +
                      describe(query.direction) + ") that does not replay: exact QNN - DNN = " +
                      qeb::to_string(cex.diff) + " with eps = " + qeb::to_string(eps) +
                      " (this is a qeb-smt or solver bug; please report it)");
  return cex;
}

/** What a solver found out about one query. */
enum class QueryState { OPEN, REFUTED, VIOLATED, UNKNOWN };

/** Solves the queries of one residual problem with one strategy; fills the per-query outcome. */
class QuerySolver {
 public:
  QuerySolver(const quant::ModelPair& pair, ResidualProblem& problem, const VerifyOptions& options,
              std::function<double()> remaining)
      : d_pair(pair), d_problem(problem), d_options(options), d_remaining(std::move(remaining)),
        d_state(problem.queries.size(), QueryState::OPEN), d_reason(problem.queries.size()),
        d_cex(problem.queries.size()), d_calls(problem.queries.size(), 0), d_seconds(problem.queries.size(), 0) {}

  void run() {
    switch (d_options.strategy) {
      case SolveStrategy::DISJUNCTIVE: run_disjunctive(); break;
      case SolveStrategy::PER_QUERY: run_per_query(false); break;
      case SolveStrategy::FRESH: run_per_query(true); break;
    }
  }

  QueryState state(std::size_t q) const { return d_state[q]; }
  const std::string& reason(std::size_t q) const { return d_reason[q]; }
  const std::optional<Counterexample>& counterexample(std::size_t q) const { return d_cex[q]; }
  int calls(std::size_t q) const { return d_calls[q]; }
  double seconds(std::size_t q) const { return d_seconds[q]; }
  int total_calls() const { return d_total_calls; }

 private:
  std::unique_ptr<smt::Backend> new_backend() {
    smt::BackendOptions bo = d_options.backend_options;
    if (d_options.timeout_seconds > 0) bo.timeout_seconds = std::max(0.001, d_remaining());
    auto b = smt::make_backend(d_options.backend, *d_problem.terms, bo);
    for (smt::Term a : d_problem.facts) b->assert_formula(a);
    return b;
  }

  bool stop() const { return d_falsified && d_options.stop_at_counterexample; }

  // With a cancel flag (partitioned runs: another part found a counterexample), a watcher thread
  // interrupts the check as soon as the flag is raised, instead of letting it run to its timeout.
  smt::SatResult cancellable_check(smt::Backend& backend, const std::vector<smt::Term>& assumptions) {
    // A solver shared by several checks must not give each the whole budget again.
    if (d_options.timeout_seconds > 0) backend.set_timeout(std::max(0.001, d_remaining()));
    if (!d_options.cancel) return backend.check(assumptions);
    std::atomic<bool> finished{false};
    // Interrupting again and again: a request that lands just before the solver starts its search
    // may be reset by it (measured: a cancelled part then ran 10 s to its end).
    std::thread watcher([&] {
      while (!finished.load()) {
        if (d_options.cancel->load()) backend.interrupt();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
    smt::SatResult answer = backend.check(assumptions);
    finished = true;
    watcher.join();
    return answer;
  }

  std::string stopped_reason() const {
    return d_options.cancel && d_options.cancel->load() ? "cancelled" : "timeout";
  }

  std::string what(std::size_t q) const {
    const Query& query = d_problem.queries[q];
    return "output " + std::to_string(query.output) + " (" + describe(query.direction) + ")";
  }

  void note(const std::string& line) const {
    if (d_options.progress) d_options.progress(line);
  }

  // A query whose output another query already falsified needs no answer.
  bool settled(std::size_t q) const {
    if (d_state[q] != QueryState::OPEN) return true;
    for (std::size_t p = 0; p < d_state.size(); ++p)
      if (d_state[p] == QueryState::VIOLATED && d_problem.queries[p].output == d_problem.queries[q].output) return true;
    return false;
  }

  void violated(const Replayed& model, const std::string& solver, std::size_t q) {
    d_cex[q] = counterexample_at(model, solver, d_problem.queries[q], d_options.eps);
    d_state[q] = QueryState::VIOLATED;
    d_falsified = true;
    note(what(q) + ": counterexample, QNN - DNN = " + qeb::to_string(d_cex[q]->diff));
  }

  void unknown(smt::Backend& backend, std::size_t q) {
    d_state[q] = QueryState::UNKNOWN;
    d_reason[q] = backend.reason_unknown();
    if (d_reason[q].empty()) d_reason[q] = "solver returned unknown";
    note(what(q) + ": unknown (" + d_reason[q] + ")");
  }

  // Each check asks "is any still-open direction violated?": unsat refutes them all at once, and a
  // model settles every direction it violates. Learned clauses carry over between checks.
  void run_disjunctive() {
    std::unique_ptr<smt::Backend> backend;
    std::vector<smt::Term> literal(d_state.size());
    for (int round = 0; !stop(); ++round) {
      std::vector<std::size_t> open;
      for (std::size_t q = 0; q < d_state.size(); ++q)
        if (!settled(q)) open.push_back(q);
      if (open.empty()) return;
      if (d_remaining() <= 0) {
        for (std::size_t q : open) d_state[q] = QueryState::UNKNOWN, d_reason[q] = stopped_reason();
        return;
      }
      if (!backend) {
        backend = new_backend();
        for (std::size_t q = 0; q < d_state.size(); ++q) {
          literal[q] = d_problem.terms->variable("violates_" + std::to_string(q), smt::Sort::boolean());
          backend->assert_formula(d_problem.terms->implies(literal[q], d_problem.violations[q]));
        }
      }
      std::vector<smt::Term> disjuncts;
      for (std::size_t q : open) disjuncts.push_back(literal[q]);
      smt::Term any = d_problem.terms->variable("some_open_" + std::to_string(round), smt::Sort::boolean());
      backend->assert_formula(d_problem.terms->implies(any, d_problem.terms->or_(disjuncts)));
      auto t = Clock::now();
      smt::SatResult answer = cancellable_check(*backend, {any});
      double seconds = since(t);
      ++d_total_calls;
      for (std::size_t q : open) ++d_calls[q], d_seconds[q] += seconds / open.size();
      if (answer == smt::SatResult::UNSAT) {
        for (std::size_t q : open) d_state[q] = QueryState::REFUTED;
        note(std::to_string(open.size()) + " open direction(s): unsat in " + std::to_string(seconds) + " s");
        return;
      }
      if (answer == smt::SatResult::UNKNOWN) {
        for (std::size_t q : open) unknown(*backend, q);
        return;
      }
      bool any_violated = false;
      Replayed model = replay(d_pair, d_problem.network, *backend);
      for (std::size_t q : open)
        if (!settled(q) && backend->value(d_problem.violations[q]) == 1) {
          violated(model, backend->name(), q);
          any_violated = true;
        }
      if (!any_violated)
        throw ReplayError(backend->name() + " returned a model violating none of the open output directions "
                          "(this is a qeb-smt or solver bug; please report it)");
    }
  }

  void run_per_query(bool fresh) {
    std::unique_ptr<smt::Backend> shared;
    for (std::size_t q = 0; q < d_state.size() && !stop(); ++q) {
      if (settled(q)) continue;
      if (d_remaining() <= 0) {
        d_state[q] = QueryState::UNKNOWN;
        d_reason[q] = stopped_reason();
        continue;
      }
      auto t = Clock::now();
      std::unique_ptr<smt::Backend> own;
      smt::SatResult answer;
      smt::Backend* backend;
      if (fresh) {
        own = new_backend();
        backend = own.get();
        backend->assert_formula(d_problem.violations[q]);
        answer = cancellable_check(*backend, {});
      } else {
        if (!shared) shared = new_backend();
        backend = shared.get();
        smt::Term literal = d_problem.terms->variable("violates_" + std::to_string(q), smt::Sort::boolean());
        backend->assert_formula(d_problem.terms->implies(literal, d_problem.violations[q]));
        answer = cancellable_check(*backend, {literal});
      }
      ++d_calls[q];
      ++d_total_calls;
      d_seconds[q] += since(t);
      if (answer == smt::SatResult::SAT) {
        violated(replay(d_pair, d_problem.network, *backend), backend->name(), q);
      } else if (answer == smt::SatResult::UNSAT) {
        d_state[q] = QueryState::REFUTED;
        note(what(q) + ": unsat in " + std::to_string(since(t)) + " s");
      } else {
        unknown(*backend, q);
      }
    }
  }

  const quant::ModelPair& d_pair;
  ResidualProblem& d_problem;
  const VerifyOptions& d_options;
  std::function<double()> d_remaining;
  std::vector<QueryState> d_state;
  std::vector<std::string> d_reason;
  std::vector<std::optional<Counterexample>> d_cex;
  std::vector<int> d_calls;
  std::vector<double> d_seconds;
  int d_total_calls = 0;
  bool d_falsified = false;
};

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::VERIFIED: return "verified";
    case Verdict::FALSIFIED: return "falsified";
    case Verdict::UNKNOWN: return "unknown";
  }
  return "?";
}

const char* to_string(Stage s) {
  switch (s) {
    case Stage::NONE: return "none";
    case Stage::DRA: return "dra";
    case Stage::ATTACK: return "attack";
    case Stage::ENUMERATION: return "enumeration";
    case Stage::LP: return "lp";
    case Stage::BAB: return "bab";
    case Stage::SMT: return "smt";
  }
  return "?";
}

const char* to_string(SolveStrategy s) {
  switch (s) {
    case SolveStrategy::DISJUNCTIVE: return "disjunctive";
    case SolveStrategy::PER_QUERY: return "per-query";
    case SolveStrategy::FRESH: return "fresh";
  }
  return "?";
}

SolveStrategy parse_solve_strategy(const std::string& name) {
  for (SolveStrategy s : {SolveStrategy::DISJUNCTIVE, SolveStrategy::PER_QUERY, SolveStrategy::FRESH})
    if (name == to_string(s)) return s;
  throw OptionError("unknown solve strategy '" + name + "'; choose disjunctive, per-query or fresh");
}

std::optional<std::string> incompatibility(const std::string& backend, const std::string& encoding) {
  if (backend == "cvc5" && encoding == "bv-lra-nat")
    return "cvc5 1.0's bv2nat reasoning grows exponentially with the bit-width (measured: networks with 4 "
           "neurons time out); use bv-lra or lira with cvc5";
  return std::nullopt;
}

VerifyResult verify(const quant::ModelPair& pair, const spec::Box& box, const VerifyOptions& options) {
  const auto start = Clock::now();
  if (auto why = incompatibility(options.backend, options.encoding))
    throw OptionError("--backend " + options.backend + " with --encoding " + options.encoding + ": " + *why);
  encodings::make_encoding(options.encoding);  // rejects an unknown name before any work
  auto note = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  auto cancelled = [&]() { return options.cancel && options.cancel->load(); };
  auto remaining = [&]() {
    if (cancelled()) return 0.0;
    return options.timeout_seconds > 0 ? options.timeout_seconds - since(start) : 1e300;
  };
  VerifyResult result;
  result.encoding = options.encoding;
  result.backend = options.backend;

  // 1. DRA (always the sound semantics here: its bounds and phases are trusted below).
  auto t0 = Clock::now();
  result.dra = dra::run_dra(pair, box, {dra::DraMode::SYM, dra::Semantics::SOUND, true});
  result.dra_seconds = since(t0);
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);
  std::vector<Query> queries = open_queries(result.dra, outputs, options.eps);
  for (std::size_t k : outputs) {
    OutputResult r;
    r.output = k;
    if (std::none_of(queries.begin(), queries.end(), [&](const Query& q) { return q.output == k; })) {
      r.verdict = Verdict::VERIFIED;
      r.decided_by = Stage::DRA;
    }
    result.outputs.push_back(r);
  }
  auto result_of = [&](std::size_t k) -> OutputResult& {
    return *std::find_if(result.outputs.begin(), result.outputs.end(), [&](const OutputResult& r) { return r.output == k; });
  };
  note("DRA: " + std::to_string(outputs.size() * 2 - queries.size()) + " of " + std::to_string(outputs.size() * 2) +
       " output directions proved in " + std::to_string(result.dra_seconds) + " s");

  // 2. A cheap attack on the outputs DRA left open: a counterexample ends the task.
  bool falsified = false;
  if (!queries.empty() && options.attack_samples > 0 && !cancelled()) {
    auto ta = Clock::now();
    std::vector<std::size_t> open;
    for (const Query& q : queries)
      if (open.empty() || open.back() != q.output) open.push_back(q.output);
    std::optional<Counterexample> found = attack(pair, box, open, options.eps, options.attack_samples);
    result.attack_seconds = since(ta);
    if (found) {
      OutputResult& r = result_of(found->output);
      r.verdict = Verdict::FALSIFIED;
      r.decided_by = Stage::ATTACK;
      r.counterexample = found;
      falsified = true;
      note("attack: counterexample for output " + std::to_string(found->output) + ", QNN - DNN = " +
           qeb::to_string(found->diff));
      if (options.stop_at_counterexample) queries.clear();
      std::erase_if(queries, [&](const Query& q) { return q.output == found->output; });
    } else {
      note("attack: nothing found in " + std::to_string(result.attack_seconds) + " s");
    }
  }

  // 3. Encode the residual problem once, then 4. solve it.
  if (!queries.empty() && !options.use_solver) {
    for (const Query& q : queries)
      if (result_of(q.output).reason.empty()) result_of(q.output).reason = "not solved (DRA and attack only)";
    queries.clear();
  }
  if (!queries.empty()) {
    auto t1 = Clock::now();
    ResidualProblem problem = encode_residual(pair, box, result.dra, queries, options.eps,
                                              {options.encoding, options.prune, options.difference_cuts});
    result.encode_seconds = since(t1);
    result.logic = problem.network.logic;
    result.assertions = problem.facts.size();
    result.case_splits = problem.network.hidden_case_splits;
    result.terms = problem.terms->size();

    auto t2 = Clock::now();
    QuerySolver solver(pair, problem, options, remaining);
    solver.run();
    result.solve_seconds = since(t2);
    result.solver_calls = solver.total_calls();
    // An output is falsified by any violated direction, verified once every open direction is refuted.
    for (std::size_t q = 0; q < queries.size(); ++q) {
      OutputResult& r = result_of(queries[q].output);
      r.solver_calls += solver.calls(q);
      r.seconds += solver.seconds(q);
      if (solver.state(q) == QueryState::VIOLATED && r.verdict != Verdict::FALSIFIED) {
        r.verdict = Verdict::FALSIFIED;
        r.decided_by = Stage::SMT;
        r.counterexample = solver.counterexample(q);
        falsified = true;
      } else if (solver.state(q) == QueryState::UNKNOWN && r.reason.empty()) {
        r.reason = solver.reason(q);
      }
    }
    for (OutputResult& r : result.outputs) {
      if (r.decided_by == Stage::DRA || r.verdict == Verdict::FALSIFIED) continue;
      bool refuted = true, asked = false;
      for (std::size_t q = 0; q < queries.size(); ++q)
        if (queries[q].output == r.output) asked = true, refuted &= solver.state(q) == QueryState::REFUTED;
      if (asked && refuted) r.verdict = Verdict::VERIFIED, r.decided_by = Stage::SMT;
    }
  }

  bool all_verified = true;
  for (OutputResult& r : result.outputs) {
    if (r.verdict == Verdict::UNKNOWN && r.reason.empty()) r.reason = "not checked (a counterexample was found first)";
    all_verified &= r.verdict == Verdict::VERIFIED;
  }
  result.verdict = falsified ? Verdict::FALSIFIED : all_verified ? Verdict::VERIFIED : Verdict::UNKNOWN;
  result.total_seconds = since(start);
  return result;
}

}  // namespace qeb::verify
