#include "verify/verifier.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "core/deadline.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include "eval/difference.h"
#include "bab/search.h"
#include "bounds/bound_method.h"
#include "eval/oracle.h"
#include "eval/violation_search.h"
#include "lp/lp_bounder.h"
#include "verify/falsifier.h"
#include "verify/residual.h"
#include "verify/smt_leaf.h"

namespace qeb::verify {

namespace {

using Clock = std::chrono::steady_clock;


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
      double seconds = seconds_since(t);
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
      d_seconds[q] += seconds_since(t);
      if (answer == smt::SatResult::SAT) {
        violated(replay(d_pair, d_problem.network, *backend), backend->name(), q);
      } else if (answer == smt::SatResult::UNSAT) {
        d_state[q] = QueryState::REFUTED;
        note(what(q) + ": unsat in " + std::to_string(seconds_since(t)) + " s");
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

const char* to_string(Engine e) {
  switch (e) {
    case Engine::AUTO: return "auto";
    case Engine::DRA: return "dra";
    case Engine::LP: return "lp";
    case Engine::BAB: return "bab";
    case Engine::SMT: return "smt";
  }
  return "?";
}

Engine parse_engine(const std::string& name) {
  for (Engine e : {Engine::AUTO, Engine::DRA, Engine::LP, Engine::BAB, Engine::SMT})
    if (name == to_string(e)) return e;
  throw OptionError("unknown engine '" + name + "'; choose auto, dra, lp, bab or smt");
}

bool lp_applies(const quant::QNetwork& qnn) { return !lp::unsupported_reason(qnn); }

void check_engine(const quant::ModelPair& pair, Engine engine) {
  if (engine != Engine::LP && engine != Engine::BAB) return;
  if (auto why = lp::unsupported_reason(pair.qnn))
    throw UnsupportedError(pair.qnn.source, std::string("--engine ") + to_string(engine) + ": the LP relaxation cannot state this QNN exactly (" +
                                                *why + "); use --engine smt, dra or auto (which then skips the LP stage and branch and bound)");
}

namespace {

// One output direction on its way through the stages.
struct Direction_ {
  Query query;
  QueryState state = QueryState::OPEN;
  Stage stage = Stage::NONE;
  std::string reason;
  std::optional<Counterexample> counterexample;
  double seconds = 0;
  int solver_calls = 0;
};

// Per output: falsified by any violated direction, verified once every direction is refuted
// (by DRA where it was never open); the deciding stage is the last one that settled it.
void settle_outputs(std::vector<OutputResult>& outputs, const std::vector<Direction_>& directions) {
  for (OutputResult& r : outputs) {
    bool all_refuted = true, asked_any = false;
    Stage last = Stage::DRA;
    for (const Direction_& d : directions) {
      if (d.query.output != r.output) continue;
      asked_any = true;
      r.seconds += d.seconds;
      r.solver_calls += d.solver_calls;
      if (d.state == QueryState::VIOLATED && r.verdict != Verdict::FALSIFIED) {
        r.verdict = Verdict::FALSIFIED;
        r.decided_by = d.stage;
        r.counterexample = d.counterexample;
      }
      if (d.state != QueryState::REFUTED) {
        all_refuted = false;
        if (r.reason.empty() && !d.reason.empty()) r.reason = d.reason;
      } else if (int(d.stage) > int(last)) {
        last = d.stage;
      }
    }
    if (r.verdict != Verdict::FALSIFIED && all_refuted) {
      r.verdict = Verdict::VERIFIED;
      r.decided_by = asked_any ? last : Stage::DRA;
    }
  }
}

bool violated_by(const Query& q, const Rational& diff, const Rational& eps) {
  return q.direction == Direction::ABOVE ? diff > eps : diff < -eps;
}

}  // namespace

Counterexample counterexample_of(const quant::ModelPair& pair, std::size_t output, const std::vector<int64_t>& x) {
  eval::PairOutput exact = eval::evaluate_pair(pair, x);
  return {output, x, exact.qnn[output], exact.dnn[output], exact.diff[output]};
}

VerifyResult verify(const quant::ModelPair& pair, const spec::Box& box, const VerifyOptions& options) {
  const auto start = Clock::now();
  // use_solver = false (partitioning's shallow parts): DRA and the attack only.
  const Engine engine = options.use_solver ? options.engine : Engine::DRA;
  check_engine(pair, engine);
  // A QNN the LP cannot state exactly (an affine rule beyond 2^53) has no LP stage: AUTO ends with
  // the SMT engine on what enumeration and the attack leave.
  const bool lp = lp_applies(pair.qnn);
  const bool uses_smt = engine == Engine::SMT || engine == Engine::AUTO;
  if (uses_smt) {
    if (auto why = incompatibility(options.backend, options.encoding))
      throw OptionError("--backend " + options.backend + " with --encoding " + options.encoding + ": " + *why);
    encodings::make_encoding(options.encoding);  // rejects an unknown name before any work
  }
  auto note = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  auto cancelled = [&]() { return options.cancel && options.cancel->load(); };
  // A small margin, so the report is out before an outside watchdog's limit.
  const double budget = options.timeout_seconds > 0 ? options.timeout_seconds * 0.98 - 0.1 : 0;
  auto remaining = [&]() {
    if (cancelled()) return 0.0;
    return options.timeout_seconds > 0 ? budget - seconds_since(start) : 1e300;
  };
  auto attack_budget = [&]() { return options.timeout_seconds > 0 ? std::max(0.001, remaining()) : 0.0; };
  VerifyResult result;
  result.engine = to_string(engine);
  result.encoding = options.encoding;
  result.backend = options.backend;

  // 1. DRA (always the sound semantics here: its bounds and phases are trusted below).
  auto t0 = Clock::now();
  result.dra = bounds::bound(pair, bounds::Subproblem::root(box), bounds::Method::DRA_SYM);
  result.dra_seconds = seconds_since(t0);
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);
  std::vector<Direction_> directions;
  for (const Query& q : open_queries(result.dra, outputs, options.eps))
    directions.push_back(Direction_{q, QueryState::OPEN, Stage::NONE, {}, {}, 0, 0});
  for (std::size_t k : outputs) {
    OutputResult r;
    r.output = k;
    r.bound_lo = result.dra.output_delta()[k].lo;
    r.bound_hi = result.dra.output_delta()[k].hi;
    result.outputs.push_back(r);
  }
  auto result_of = [&](std::size_t k) -> OutputResult& {
    return *std::find_if(result.outputs.begin(), result.outputs.end(), [&](const OutputResult& r) { return r.output == k; });
  };
  note("DRA: " + std::to_string(outputs.size() * 2 - directions.size()) + " of " + std::to_string(outputs.size() * 2) +
       " output directions proved in " + std::to_string(result.dra_seconds) + " s");
  bool falsified = false;
  // The outputs as settled so far, for a run ended from outside (VerifyOptions::snapshot).
  auto publish = [&](const std::string& running) {
    if (!options.snapshot) return;
    VerifyResult snap = result;
    settle_outputs(snap.outputs, directions);
    for (OutputResult& r : snap.outputs)
      if (r.verdict == Verdict::UNKNOWN && r.reason.empty()) r.reason = "stopped during " + running;
    snap.verdict = falsified ? Verdict::FALSIFIED : Verdict::UNKNOWN;
    snap.total_seconds = seconds_since(start);
    options.snapshot(snap);
  };
  auto open = [&]() {
    std::vector<Direction_*> v;
    if (falsified && options.stop_at_counterexample) return v;
    for (Direction_& d : directions)
      if (d.state == QueryState::OPEN) v.push_back(&d);
    return v;
  };
  auto refute = [&](Direction_& d, Stage stage) {
    d.state = QueryState::REFUTED;
    d.stage = stage;
  };
  // A counterexample (exact) settles its direction and every open one of the same output.
  auto falsify = [&](Direction_& d, Counterexample cex, Stage stage) {
    for (Direction_& other : directions)
      if (other.query.output == d.query.output && other.state == QueryState::OPEN) other.state = QueryState::UNKNOWN;
    d.state = QueryState::VIOLATED;
    d.stage = stage;
    d.counterexample = std::move(cex);
    falsified = true;
    note("output " + std::to_string(d.query.output) + ": counterexample (" + to_string(stage) + "), QNN - DNN = " +
         qeb::to_string(d.counterexample->diff));
  };
  auto open_outputs = [&]() {
    std::vector<std::size_t> v;
    for (Direction_* d : open())
      if (v.empty() || v.back() != d->query.output) v.push_back(d->query.output);
    return v;
  };

  // 2. Small regions: exact enumeration decides everything.
  if (engine == Engine::AUTO && !open().empty() && options.enumerate_limit > 0 &&
      box.point_count() <= options.enumerate_limit && !cancelled()) {
    publish("enumeration");
    auto te = Clock::now();
    // Every point, fast with a rigorous error bound, exactly where it may violate; the first exact
    // violation ends the scan.
    std::optional<eval::Violation> v = eval::find_violation(pair, box, open_outputs(), options.eps, options.threads);
    if (v) {
      for (Direction_* d : open())
        if (d->query.output == v->output && violated_by(d->query, v->diff, options.eps)) {
          falsify(*d, counterexample_of(pair, v->output, v->input), Stage::ENUMERATION);
          break;
        }
    } else {
      for (Direction_* d : open()) refute(*d, Stage::ENUMERATION);
    }
    result.engine_stats.enumeration_seconds = seconds_since(te);
    note("enumeration: " + std::to_string(box.point_count()) + " points at most, " +
         std::to_string(result.engine_stats.enumeration_seconds) + " s");
  }

  // 3. A cheap attack on the outputs still open: a counterexample ends the task.
  if (!open().empty() && options.attack_samples > 0 && !cancelled()) {
    publish("the attack");
    auto ta = Clock::now();
    std::optional<Counterexample> found =
        attack(pair, box, open_outputs(), options.eps, options.attack_samples, 1, {}, attack_budget());
    result.attack_seconds = seconds_since(ta);
    if (found) {
      for (Direction_* d : open())
        if (d->query.output == found->output && violated_by(d->query, found->diff, options.eps)) {
          falsify(*d, *found, Stage::ATTACK);
          break;
        }
    } else {
      note("attack: nothing found in " + std::to_string(result.attack_seconds) + " s");
    }
  }

  // 4. The LP relaxation at the root: rigorous bounds from the dual; its optimum seeds the attack.
  const bool lp_stage = lp && (engine == Engine::LP || engine == Engine::BAB || engine == Engine::AUTO);
  dra::DraResult root_bounds = result.dra;
  std::map<std::size_t, double> lp_gap;  // per open direction index: how far the LP bound misses
  if (lp_stage && !open().empty() && pair.qnn.layers.size() > 1 && !cancelled()) {
    auto tl = Clock::now();
    lp::LpBounder bounder(pair, result.dra, options.difference_cuts);
    if (options.tighten_seconds > 0) {
      lp::TightenStats ts;
      auto deadline = deadline_after(std::min(options.tighten_seconds, remaining()));
      root_bounds = bounder.tighten(box, root_bounds, deadline, &ts);
      note("LP tightening: " + std::to_string(ts.optimisations) + " LPs, " + std::to_string(ts.tightened) +
           " bounds tightened in " + std::to_string(ts.seconds) + " s");
    } else {
      bounder.load(box, root_bounds);
    }
    std::vector<std::vector<int64_t>> seeds;
    for (Direction_* d : open()) {
      if (d->state != QueryState::OPEN) continue;
      if (remaining() <= 0) break;
      publish("the LP stage");  // the bounds of the directions before this one
      const bool above = d->query.direction == Direction::ABOVE;
      lp::LpBound b = bounder.optimise(bounder.network().output_difference(d->query.output), above, nullptr,
                                       options.timeout_seconds > 0 ? std::max(0.001, remaining()) : 0);
      ++result.engine_stats.lp_solves;
      OutputResult& r = result_of(d->query.output);
      if (b.bound) {
        double v = to_double(*b.bound);
        if (above) r.bound_hi = std::min(r.bound_hi, rational_from_double(v) >= *b.bound ? v : dra::up(v));
        else r.bound_lo = std::max(r.bound_lo, rational_from_double(v) <= *b.bound ? v : dra::down(v));
        bool proved = above ? *b.bound <= options.eps : *b.bound >= -options.eps;
        if (proved) {
          refute(*d, Stage::LP);
          continue;
        }
        lp_gap[d - directions.data()] = std::fabs(to_double(*b.bound)) - to_double(options.eps);
      }
      if (!b.point.empty()) {
        std::vector<int64_t> x(box.dimension());
        for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::clamp<int64_t>(std::llround(b.point[k]), box.lo[k], box.hi[k]);
        Counterexample c = counterexample_of(pair, d->query.output, x);
        if (violated_by(d->query, c.diff, options.eps)) falsify(*d, c, Stage::LP);
        else seeds.push_back(x);
      }
    }
    // The attack again, climbing from the LP optima.
    if (!open().empty() && !seeds.empty() && options.attack_samples > 0) {
      if (auto found = attack(pair, box, open_outputs(), options.eps, options.attack_samples, 2, seeds, attack_budget()))
        for (Direction_* d : open())
          if (d->query.output == found->output && violated_by(d->query, found->diff, options.eps)) {
            falsify(*d, *found, Stage::LP);
            break;
          }
    }
    result.engine_stats.lp_seconds = seconds_since(tl);
    // The next stage is published before the line that ends this one, so whoever stops the run on
    // seeing that line finds it in the document.
    if (engine != Engine::LP && !open().empty()) publish("branch and bound");
    note("LP: " + std::to_string(result.engine_stats.lp_solves) + " bounds in " +
         std::to_string(result.engine_stats.lp_seconds) + " s; " + std::to_string(open().size()) +
         " direction(s) left");
  }

  // 5. Branch and bound, direction by direction, smallest LP gap first. With a time limit and
  // several directions, a first round gives each a slice (half the time, shared), so a direction
  // that falls quickly is not starved by a hard first one; the second round goes on from where
  // each search stopped (its open nodes), sharing what is left.
  if (lp && (engine == Engine::BAB || engine == Engine::AUTO) && pair.qnn.layers.size() > 1) {
    std::vector<Direction_*> todo = open();
    std::stable_sort(todo.begin(), todo.end(), [&](Direction_* a, Direction_* b) {
      auto ga = lp_gap.find(a - directions.data()), gb = lp_gap.find(b - directions.data());
      return (ga == lp_gap.end() ? 1e300 : ga->second) < (gb == lp_gap.end() ? 1e300 : gb->second);
    });
    auto tb = Clock::now();
    struct Stopped {
      std::vector<bab::OpenNode> open;     // its open nodes
      std::vector<int64_t> anneal_start;  // where its annealing started
      std::shared_ptr<bab::PseudoCosts> pseudo_costs = std::make_shared<bab::PseudoCosts>();  // what its search measured
    };
    std::map<Direction_*, Stopped> stopped;  // where each direction's search left off
    const bool sliced = options.timeout_seconds > 0 && todo.size() > 1;
    for (int round = sliced ? 0 : 1; round < 2; ++round) {
      for (std::size_t i = 0; i < todo.size(); ++i) {
        Direction_* d = todo[i];
        if (d->state != QueryState::OPEN || (falsified && options.stop_at_counterexample)) continue;
        if (remaining() <= 0) break;
        publish("branch and bound");
        std::size_t left = 0;  // open directions from this one on, this round
        for (std::size_t j = i; j < todo.size(); ++j) left += todo[j]->state == QueryState::OPEN;
        bab::BabOptions bo;
        bo.eps = options.eps;
        bo.seconds = options.timeout_seconds > 0 ? remaining() / double(left) / (round == 0 ? 2.0 : 1.0) : 0;
        bo.threads = options.threads;
        bo.branching.input_split_dimension = options.input_split_dimension;
        bo.branching.strong_candidates = options.strong_candidates;
        bo.branching.strong_depth = options.strong_depth;
        bo.branching.reliability = options.reliability;
        bo.difference_cuts = options.difference_cuts;
        bo.enumerate_limit = engine == Engine::AUTO ? std::min<uint64_t>(options.enumerate_limit, 4096) : 0;
        bo.cancel = options.cancel;
        bo.progress = options.progress;
        bo.anneal = options.anneal;
        if (!options.tabu) bo.tabu_steps = 0;
        Stopped& from = stopped[d];
        bo.anneal_start = from.anneal_start;
        bo.pseudo_costs = from.pseudo_costs;
        if (engine == Engine::AUTO && options.leaf_case_splits > 0) {
          bo.leaf_case_splits = options.leaf_case_splits;
          bo.leaf_seconds = options.leaf_seconds;
          bab::Goal goal{d->query.output, d->query.direction == Direction::ABOVE};
          bo.leaf_solver = [&, goal]() -> std::unique_ptr<bab::LeafSolver> {
            return std::make_unique<SmtLeafSolver>(pair, box, root_bounds, goal, options.eps, options.backend,
                                                   options.backend_options, options.difference_cuts);
          };
        }
        if (from.open.empty()) from.open.push_back({bounds::Subproblem::root(box), -std::numeric_limits<double>::infinity(), {}});
        bab::BabResult br = bab::branch_and_bound(pair, box, root_bounds, {d->query.output, d->query.direction == Direction::ABOVE},
                                                  bo, std::move(from.open));
        from.open = std::move(br.open);
        from.anneal_start = std::move(br.anneal_start);
        d->seconds += br.seconds;
        result.engine_stats.bab_nodes += br.stats.nodes;
        result.engine_stats.bab_max_depth = std::max(result.engine_stats.bab_max_depth, br.stats.max_depth);
        result.engine_stats.bab_leaf_calls += br.stats.leaf_calls;
        result.engine_stats.bab_closed_by_leaf += br.stats.closed_by_leaf;
        result.engine_stats.lp_solves += br.stats.lp_solves;
        OutputResult& r = result_of(d->query.output);
        if (br.status == bab::BabStatus::PROVED) {
          refute(*d, Stage::BAB);
          if (d->query.direction == Direction::ABOVE) r.bound_hi = std::min(r.bound_hi, to_double(options.eps));
          else r.bound_lo = std::max(r.bound_lo, -to_double(options.eps));
        } else if (br.status == bab::BabStatus::FALSIFIED) {
          falsify(*d, counterexample_of(pair, d->query.output, *br.counterexample), Stage::BAB);
        } else {
          d->reason = "branch and bound: " + br.reason + " after " + std::to_string(br.stats.nodes) + " nodes";
          if (std::isfinite(br.proven_bound)) {
            if (d->query.direction == Direction::ABOVE) r.bound_hi = std::min(r.bound_hi, dra::up(-br.proven_bound));
            else r.bound_lo = std::max(r.bound_lo, br.proven_bound);
          }
        }
        note("branch and bound, output " + std::to_string(d->query.output) + " (" + describe(d->query.direction) +
             "): " + (br.status == bab::BabStatus::PROVED ? "proved" : br.status == bab::BabStatus::FALSIFIED ? "counterexample" : "unknown") +
             ", " + std::to_string(br.stats.nodes) + " nodes, " + std::to_string(br.seconds) + " s (DRA " +
             std::to_string(br.stats.dra_seconds) + " s, LP " + std::to_string(br.stats.lp_seconds) + " s, " +
             std::to_string(br.stats.lp_iterations) + " iterations, " + std::to_string(br.stats.lp_solves) + " solves of which " +
             std::to_string(br.stats.strong_solves) + " strong branching (" +
             std::to_string(br.stats.strong_estimated) + " splits scored by pseudo-costs); closed: " + std::to_string(br.stats.closed_by_dra) +
             " DRA, " + std::to_string(br.stats.closed_by_lp) + " LP, " + std::to_string(br.stats.closed_infeasible) +
             " empty, " + std::to_string(br.stats.closed_by_enumeration) + " enumerated; splits:" + [&] {
               std::string k;
               for (const auto& [kind, n] : br.stats.branchings) k += " " + kind + " " + std::to_string(n);
               return k;
             }() + (br.stats.anneal_pauses ? "; annealing paused " + std::to_string(br.stats.anneal_paused_seconds) + " s" : "") + ")");
      }
    }
    result.engine_stats.bab_seconds = seconds_since(tb);
  }

  // 6. The SMT engine: the whole residual problem, encoded once and solved incrementally.
  std::vector<Query> queries;
  std::vector<Direction_*> asked;
  if (engine == Engine::SMT || (engine == Engine::AUTO && !lp))
    for (Direction_* d : open()) queries.push_back(d->query), asked.push_back(d);
  if (!queries.empty()) {
    publish("the SMT solver (encoding and solving)");
    auto t1 = Clock::now();
    ResidualProblem problem = encode_residual(pair, box, result.dra, queries, options.eps,
                                              {options.encoding, options.prune, options.difference_cuts, options.fact_bits});
    result.encode_seconds = seconds_since(t1);
    result.logic = problem.network.logic;
    result.assertions = problem.facts.size();
    result.case_splits = problem.network.hidden_case_splits;
    result.terms = problem.terms->size();

    auto t2 = Clock::now();
    QuerySolver solver(pair, problem, options, remaining);
    solver.run();
    result.solve_seconds = seconds_since(t2);
    result.solver_calls = solver.total_calls();
    for (std::size_t q = 0; q < queries.size(); ++q) {
      Direction_& d = *asked[q];
      d.solver_calls += solver.calls(q);
      d.seconds += solver.seconds(q);
      if (solver.state(q) == QueryState::VIOLATED) falsify(d, *solver.counterexample(q), Stage::SMT);
      else if (solver.state(q) == QueryState::REFUTED) refute(d, Stage::SMT);
      else if (solver.state(q) == QueryState::UNKNOWN) d.state = QueryState::UNKNOWN, d.reason = solver.reason(q);
    }
  }

  settle_outputs(result.outputs, directions);

  bool all_verified = true;
  for (OutputResult& r : result.outputs) {
    if (r.verdict == Verdict::UNKNOWN && r.reason.empty())
      r.reason = falsified ? "not checked (a counterexample was found first)"
                           : engine == Engine::DRA ? "not solved (DRA and attack only)"
                           : engine == Engine::LP ? "not solved (engine lp: DRA, attack and LP only)"
                           : remaining() <= 0 ? "timeout" : "undecided";
    all_verified &= r.verdict == Verdict::VERIFIED;
  }
  result.verdict = falsified ? Verdict::FALSIFIED : all_verified ? Verdict::VERIFIED : Verdict::UNKNOWN;
  result.total_seconds = seconds_since(start);
  return result;
}

}  // namespace qeb::verify
