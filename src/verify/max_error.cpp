#include "verify/max_error.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <thread>

#include "core/deadline.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include "eval/difference.h"
#include "eval/oracle.h"
#include "eval/tabu_search.h"
#include "bab/search.h"
#include "bounds/bound_method.h"
#include "lp/lp_bounder.h"
#include "verify/residual.h"
#include "verify/verifier.h"

namespace qeb::verify {

namespace {

using Clock = std::chrono::steady_clock;

Rational abs(const Rational& r) { return r < 0 ? Rational(-r) : r; }

ErrorWitness witness_at(const eval::PairEvaluator& evaluate, const std::vector<int64_t>& x, std::size_t k) {
  eval::PairOutput exact = evaluate(x);
  return {x, exact.qnn[k], exact.dnn[k], exact.diff[k]};
}

// A dyadic point in [mid, mid + tolerance/4]: small constants keep the solver's arithmetic cheap, and
// the bracket still shrinks to the tolerance (each unsat halves it up to tolerance/4).
Rational bisection_point(const Rational& lower, const Rational& upper, const Rational& tolerance) {
  Rational mid = (lower + upper) / 2;
  BigInt scale = 1;
  while (Rational(1) / Rational(scale) > tolerance / 4) scale *= 2;
  BigInt num = boost::multiprecision::numerator(mid) * scale, den = boost::multiprecision::denominator(mid);
  BigInt n = num / den;
  if (n * den < num) n += 1;  // ceil (mid >= 0)
  return Rational(n, scale);
}

// The integer input of a sat model (as verify's replay reads it).
std::vector<int64_t> model_input(const encodings::NetworkEncoding& enc, smt::Backend& backend) {
  std::vector<int64_t> x;
  for (std::size_t k = 0; k < enc.input_offset.size(); ++k) {
    Rational v = enc.input_vars[k] ? backend.value(*enc.input_vars[k]) : Rational(0);
    x.push_back(enc.input_offset[k] + boost::multiprecision::numerator(v).convert_to<int64_t>());
  }
  return x;
}

// Passes the result so far to MaxErrorOptions::snapshot, naming the step that runs next.
using Publish = std::function<void(const MaxErrorResult&, const std::string&)>;
void bisect_with_solver(const quant::ModelPair& pair, const eval::PairEvaluator& exact, const spec::Box& box,
                        const dra::DraResult& dra,
                        const MaxErrorOptions& options, const std::function<double()>& remaining,
                        const std::function<void(const std::string&)>& note, const Publish& publish,
                        MaxErrorResult& result);
// Per output slot: the search's best inputs for QNN - DNN high ([0]) and low ([1]); empty: none.
using SearchPoints = std::vector<std::array<std::vector<int64_t>, 2>>;
void close_with_engine(const quant::ModelPair& pair, const eval::PairEvaluator& exact, const spec::Box& box,
                       const dra::DraResult& dra,
                       const MaxErrorOptions& options, const SearchPoints& searched,
                       const std::function<double()>& remaining,
                       const std::function<void(const std::string&)>& note, const Publish& publish,
                       MaxErrorResult& result);

// Over all outputs: the highest lower end (and the output whose witness attains it), the highest
// upper end, and whether they are within the tolerance.
void settle_totals(MaxErrorResult& result, const Rational& tolerance) {
  for (std::size_t i = 0; i < result.outputs.size(); ++i) {
    const OutputBracket& b = result.outputs[i];
    if (i == 0 || b.lower > result.lower) result.lower = b.lower, result.worst_output = b.output;
    if (i == 0 || b.upper > result.upper) result.upper = b.upper;
  }
  result.closed = result.upper - result.lower <= tolerance;
}

}  // namespace

MaxErrorResult max_error(const quant::ModelPair& pair, const spec::Box& box, const MaxErrorOptions& options) {
  const auto start = Clock::now();
  if (options.tolerance <= 0) throw OptionError("--tolerance must be positive");
  check_engine(pair, options.engine);
  // An affine QNN has no LP stage: AUTO bisects with the solver instead.
  const bool solver = options.engine == Engine::SMT || (options.engine == Engine::AUTO && !lp_applies(pair.qnn));
  if (solver) {
    if (auto why = incompatibility(options.backend, options.encoding))
      throw OptionError("--backend " + options.backend + " with --encoding " + options.encoding + ": " + *why);
    encodings::make_encoding(options.encoding);  // rejects an unknown name before any work
  }
  auto note = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  // A small margin, so the report is out before an outside watchdog's limit (as verify).
  const double budget = options.timeout_seconds > 0 ? options.timeout_seconds * 0.98 - 0.1 : 0;
  auto remaining = [&]() { return options.timeout_seconds > 0 ? budget - seconds_since(start) : 1e300; };
  MaxErrorResult result;
  const eval::PairEvaluator exact(pair);
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);

  // Upper ends: DRA's sound output-difference intervals.
  auto t0 = Clock::now();
  dra::DraResult dra = bounds::bound(pair, bounds::Subproblem::root(box), bounds::Method::DRA_SYM);
  result.dra_seconds = seconds_since(t0);
  for (std::size_t k : outputs) {
    OutputBracket b;
    b.output = k;
    const dra::Interval& d = dra.output_delta()[k];
    b.upper = b.dra_upper = std::max(abs(rational_from_double(d.lo)), abs(rational_from_double(d.hi)));
    b.qnn_minus_dnn_upper = rational_from_double(d.hi);
    b.dnn_minus_qnn_upper = -rational_from_double(d.lo);
    b.upper_from = "dra";
    result.outputs.push_back(b);
  }

  // Lower ends: exact witnesses from sampling and hill-climbing (never enumeration: the solver proves).
  auto t1 = Clock::now();
  std::vector<int64_t> mid(box.dimension());
  for (std::size_t i = 0; i < mid.size(); ++i) mid[i] = box.lo[i] + (box.hi[i] - box.lo[i]) / 2;
  std::optional<eval::OracleResult> search;
  if (options.search_samples > 0) {
    eval::OracleOptions o;
    o.exhaustive_limit = 0;
    o.random_samples = o.climb_evaluations = options.search_samples;
    o.seed = options.seed;
    o.outputs = outputs;
    search = eval::run_oracle(pair, box, o);
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    OutputBracket& b = result.outputs[i];
    b.witness = witness_at(exact, mid, b.output);
    if (search)
      for (const eval::Witness* w : {&search->outputs[i].max, &search->outputs[i].min})
        if (abs(w->diff) > abs(b.witness.diff)) b.witness = witness_at(exact, w->input, b.output);
    b.lower = abs(b.witness.diff);
    b.lower_from = "search";
    if (b.lower > b.upper)
      throw Error("max-error: an exact witness exceeds DRA's sound bound on output " + std::to_string(b.output) +
                  " (this is a qeb-smt bug; please report it)");
    b.closed = b.upper - b.lower <= options.tolerance;
  }
  result.search_seconds = seconds_since(t1);
  note("DRA and search: " + std::to_string(result.dra_seconds + result.search_seconds) + " s");
  Publish publish = [&](const MaxErrorResult& current, const std::string& running) {
    if (!options.snapshot) return;
    MaxErrorResult so_far = current;
    for (OutputBracket& b : so_far.outputs)
      if (!b.closed && b.reason.empty()) b.reason = "stopped during " + running;
    settle_totals(so_far, options.tolerance);
    so_far.total_seconds = seconds_since(start);
    options.snapshot(so_far);
  };

  if (!solver) {
    publish(result, options.engine == Engine::DRA ? "the report" : "the LP stage");
    SearchPoints searched(outputs.size());
    if (search)
      for (std::size_t i = 0; i < outputs.size(); ++i)
        searched[i] = {search->outputs[i].max.input, search->outputs[i].min.input};
    close_with_engine(pair, exact, box, dra, options, searched, remaining, note, publish, result);
  } else {
    publish(result, "the solver's bisection");
    bisect_with_solver(pair, exact, box, dra, options, remaining, note, publish, result);
  }

  for (OutputBracket& b : result.outputs) {
    // |QNN - DNN| <= upper bounds both sides (what the solver's bisection proves).
    b.qnn_minus_dnn_upper = std::min(b.qnn_minus_dnn_upper, b.upper);
    b.dnn_minus_qnn_upper = std::min(b.dnn_minus_qnn_upper, b.upper);
    // An open bracket says why: the engines that end before branch and bound (or the solver) say so.
    if (!b.closed && b.reason.empty())
      b.reason = remaining() <= 0 ? "timeout"
                 : options.engine == Engine::DRA || options.engine == Engine::LP
                     ? std::string("engine ") + to_string(options.engine) + " ends here"
                     : "open";
  }
  settle_totals(result, options.tolerance);
  result.total_seconds = seconds_since(start);
  return result;
}

namespace {

// The SMT engine's bisection: one encoding and one incremental solver for every output.
void bisect_with_solver(const quant::ModelPair& pair, const eval::PairEvaluator& exact, const spec::Box& box,
                        const dra::DraResult& dra,
                        const MaxErrorOptions& options, const std::function<double()>& remaining,
                        const std::function<void(const std::string&)>& note, const Publish& publish,
                        MaxErrorResult& result) {
  // Bisection: one encoding and one incremental solver for every output; each check asks
  // |QNN_k - DNN_k| > c under a fresh assumption literal.
  bool any_open = false;
  for (const OutputBracket& b : result.outputs) any_open |= !b.closed;
  if (any_open && remaining() > 0) {
    auto t2 = Clock::now();
    ResidualProblem problem = encode_residual(pair, box, dra, {}, 0, {options.encoding, options.prune, options.difference_cuts});
    for (const OutputBracket& b : result.outputs)
      if (!b.closed) violation(problem, dra, b.output, Direction::ABOVE, b.lower);  // builds diff_k and its facts
    result.logic = problem.network.logic;
    result.encode_seconds = seconds_since(t2);
    smt::BackendOptions bo = options.backend_options;
    if (options.timeout_seconds > 0) bo.timeout_seconds = std::max(0.001, remaining());
    std::unique_ptr<smt::Backend> backend = smt::make_backend(options.backend, *problem.terms, bo);
    for (smt::Term fact : problem.facts) backend->assert_formula(fact);
    smt::TermManager& terms = *problem.terms;
    auto t3 = Clock::now();
    for (OutputBracket& b : result.outputs) {
      auto tb = Clock::now();
      while (!b.closed) {
        if (remaining() <= 0) {
          b.reason = "timeout";
          break;
        }
        Rational c = bisection_point(b.lower, b.upper, options.tolerance);
        smt::Term literal = terms.variable("exceeds_" + std::to_string(b.output) + "_" + std::to_string(b.solver_calls),
                                           smt::Sort::boolean());
        backend->assert_formula(terms.implies(
            literal, terms.or_({violation(problem, dra, b.output, Direction::ABOVE, c),
                                violation(problem, dra, b.output, Direction::BELOW, c)})));
        if (options.timeout_seconds > 0) backend->set_timeout(std::max(0.001, remaining()));  // not the whole budget again
        smt::SatResult answer = backend->check({literal});
        ++b.solver_calls;
        ++result.solver_calls;
        if (answer == smt::SatResult::UNKNOWN) {
          b.reason = backend->reason_unknown();
          if (b.reason.empty()) b.reason = "solver returned unknown";
          break;
        }
        if (answer == smt::SatResult::UNSAT) {
          ++b.unsat;
          b.upper = c;
        } else {
          // A model raises the lower end to its own exact error, which may be well above c.
          ++b.sat;
          ErrorWitness w = witness_at(exact, model_input(problem.network, *backend), b.output);
          if (!box.contains(w.input) || abs(w.diff) <= c || abs(w.diff) > b.upper)
            throw ReplayError(backend->name() + " returned a model for |QNN_" + std::to_string(b.output) + " - DNN_" +
                              std::to_string(b.output) + "| > " + qeb::to_string(c) +
                              " that does not replay: exact QNN - DNN = " + qeb::to_string(w.diff) +
                              " (this is a qeb-smt or solver bug; please report it)");
          b.witness = w;
          b.lower = abs(w.diff);
          b.lower_from = "solver";
        }
        b.closed = b.upper - b.lower <= options.tolerance;
        note("output " + std::to_string(b.output) + ": " + (answer == smt::SatResult::SAT ? "sat" : "unsat") + " at " +
             qeb::to_string(c) + ", bracket [" + std::to_string(to_double(b.lower)) + ", " +
             std::to_string(to_double(b.upper)) + "]");
        publish(result, "the solver's bisection");
      }
      b.seconds = seconds_since(tb);
    }
    result.solve_seconds = seconds_since(t3);
  } else if (any_open) {
    for (OutputBracket& b : result.outputs)
      if (!b.closed) b.reason = "timeout";
  }
}

// One side of an output's error: its rigorous bound and where its searches start.
struct Side {
  std::size_t slot;  // index into result.outputs
  bool above;        // true: QNN - DNN <= bound; false: DNN - QNN <= bound
  Rational bound;
  std::vector<int64_t> lp_point;      // the LP optimum rounded to the grid (empty: none)
  std::vector<int64_t> search_point;  // the search's best input for this side (empty: none)
  std::vector<int64_t> anneal_start;  // where branch and bound's annealing starts (empty: its own search)
  // Nodes that cover the box, each with a proven bound: the root alone (bound -inf) at first; after
  // a branch-and-bound run, the nodes its runs closed, each with the bound that closed it, and the
  // nodes left open (BabOptions::keep_closed). The side's bound is the worst of theirs, and each run,
  // at any target, goes on from those whose bound does not prove it.
  std::vector<bab::OpenNode> frontier;
  std::size_t runs = 0;  // branch-and-bound runs on this side so far
  // What its branch-and-bound runs measured of the splits' gains, for the next run (reliability).
  std::shared_ptr<bab::PseudoCosts> pseudo_costs = std::make_shared<bab::PseudoCosts>();
};

// Sets each bracket's lower end to its |diff| at x where that is higher (with `from` as its source).
// One evaluation for all outputs: branch and bound calls this under its lock, and with one exact
// evaluation per output (and the DNN's scaled weights made again each time) a point cost 65-90 ms
// on 784-100-10 while the other worker waited.
void raise_lowers(const eval::PairEvaluator& evaluate, std::vector<OutputBracket>& brackets,
                  const std::vector<int64_t>& x, const char* from) {
  const eval::PairOutput exact = evaluate(x);  // once for every output
  for (OutputBracket& b : brackets) {
    const std::size_t k = b.output;
    if (abs(exact.diff[k]) > b.lower) {
      b.witness = {x, exact.qnn[k], exact.dnn[k], exact.diff[k]};
      b.lower = abs(exact.diff[k]);
      b.lower_from = from;
    }
  }
}

// Lower ends from tabu search started at each side's LP optimum, where the LP has put the input
// where its relaxation is worst and the search lines up the QNN's roundings around it; the side with
// the highest bound also from the first search's best input for it, since which start is better
// depends on the network (60 s, radius 3, sample 3236, one start only: 784-100-10 Q=8 reached
// 0.1625 from the LP optimum and 0.1399 from the search's input; 784-100x3-10 Q=4 1.648 and 2.074).
// Sides whose bound exceeds the overall lower end take part, highest bound first. With a time limit
// the stage gets kTabuShare of what is left: the highest side's run from its LP optimum a whole
// thread of it (half with one thread), its run from the search's input a quarter of that, and the
// other sides' runs equal parts of the rest; without one, kTabuSteps steps per run. Any run ends
// sooner once it has settled (kTabuFruitlessRestarts). Runs on options.threads.
constexpr double kTabuShare = 0.4;
constexpr uint64_t kTabuSteps = 500;
// A run ends after this many restarts in a row without a new best, and its time goes to branch
// and bound. Measured on the ten RQ_2 boxes of bench/max_error.py (784-100-10 Q=8, 60 s): on
// every box the stage's best witness came within 7.1 s of its 23 s; a restart takes about 3 s there.
constexpr uint64_t kTabuFruitlessRestarts = 2;
void tabu_searches(const quant::ModelPair& pair, const eval::PairEvaluator& exact, const spec::Box& box,
                   const MaxErrorOptions& options,
                   const std::function<double()>& remaining, std::vector<Side>& sides, MaxErrorResult& result) {
  Rational lower = 0;
  for (const OutputBracket& b : result.outputs) lower = std::max(lower, b.lower);
  std::vector<Side*> todo;
  for (Side& s : sides)
    if (!s.lp_point.empty() && s.bound > lower + options.tolerance) todo.push_back(&s);
  if (todo.empty() || remaining() <= 0) return;
  std::stable_sort(todo.begin(), todo.end(), [](const Side* a, const Side* b) { return a->bound > b->bound; });
  struct Run {
    Side* side;
    const std::vector<int64_t>* start;
    double seconds = 0;  // its share, with a time limit
    eval::TabuResult found;
  };
  std::vector<Run> runs;
  for (Side* side : todo) {
    runs.push_back({side, &side->lp_point, 0, {}});
    if (side == todo.front() && !side->search_point.empty() && side->search_point != side->lp_point)
      runs.push_back({side, &side->search_point, 0, {}});
  }
  const unsigned threads = std::max(1u, std::min<unsigned>(options.threads, unsigned(runs.size())));
  const double stage = options.timeout_seconds > 0 ? remaining() * kTabuShare : 0;
  double shared = threads * stage;  // thread time
  for (std::size_t n = 0; n < runs.size() && runs[n].side == todo.front(); ++n)
    shared -= runs[n].seconds = (threads > 1 ? stage : stage / 2) / (n == 0 ? 1 : 4);
  std::size_t others = 0;
  for (const Run& run : runs) others += run.side != todo.front();
  for (Run& run : runs)
    if (run.side != todo.front()) run.seconds = std::max(0.0, shared) / double(others);
  const auto stage_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(stage));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t n; (n = next++) < runs.size();) {
      Run& run = runs[n];
      eval::TabuOptions o;
      o.output = result.outputs[run.side->slot].output;
      o.maximize = run.side->above;
      o.seed = options.seed + n;
      o.max_fruitless_restarts = kTabuFruitlessRestarts;
      if (options.timeout_seconds > 0) {
        if (Clock::now() >= stage_end) break;
        o.deadline = std::min(stage_end, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                            std::chrono::duration<double>(run.seconds)));
      } else {
        o.max_steps = kTabuSteps;
      }
      run.found = eval::tabu_search(pair, box, *run.start, o);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  std::map<const Side*, double> best;  // per side: its runs' best value, oriented (higher is better)
  for (const Run& run : runs) {
    if (run.found.best.empty()) continue;  // not reached before the stage's end
    raise_lowers(exact, result.outputs, run.found.best, "tabu");
    // Branch and bound's annealing goes on from the side's better run.
    const double value = run.side->above ? run.found.best_value : -run.found.best_value;
    auto [at, first] = best.emplace(run.side, value);
    if (first || value > at->second) at->second = value, run.side->anneal_start = run.found.best;
  }
}

// The engine: the LP's rigorous bounds per output side (and its optima as witnesses), then branch
// and bound in optimisation mode on every side whose bound still exceeds the overall lower end by
// more than the tolerance: a violating input raises the lower end (and so the target) instead of
// ending the search, and a finished search proves the side below the target.
// Per output slot: the search's best inputs for QNN - DNN high ([0]) and low ([1]); empty: none.
using SearchPoints = std::vector<std::array<std::vector<int64_t>, 2>>;
void close_with_engine(const quant::ModelPair& pair, const eval::PairEvaluator& exact, const spec::Box& box,
                       const dra::DraResult& dra,
                       const MaxErrorOptions& options, const SearchPoints& searched,
                       const std::function<double()>& remaining,
                       const std::function<void(const std::string&)>& note, const Publish& publish,
                       MaxErrorResult& result) {
  if (options.engine == Engine::DRA || pair.qnn.layers.size() < 2) return;
  auto t0 = Clock::now();
  // Per output: the rigorous LP bound of each side (max of QNN - DNN, and of DNN - QNN).
  std::vector<Side> sides;
  lp::LpBounder bounder(pair, dra, options.difference_cuts);
  bounder.load(box, dra);
  for (std::size_t i = 0; i < result.outputs.size() && remaining() > 0; ++i) {
    OutputBracket& b = result.outputs[i];
    const dra::Interval& d = dra.output_delta()[b.output];
    Rational side_bound[2] = {rational_from_double(d.hi), -rational_from_double(d.lo)};
    lp::Objective diff = bounder.network().output_difference(b.output);
    std::vector<int64_t> lp_point[2];
    for (bool above : {true, false}) {
      lp::LpBound lb = bounder.optimise(diff, above, nullptr, options.timeout_seconds > 0 ? std::max(0.001, remaining()) : 0);
      Rational& s = side_bound[above ? 0 : 1];
      if (lb.bound) s = std::min(s, above ? *lb.bound : Rational(-*lb.bound));
      if (!lb.point.empty()) {
        std::vector<int64_t>& x = lp_point[above ? 0 : 1];
        x.resize(box.dimension());
        for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::clamp<int64_t>(std::llround(lb.point[k]), box.lo[k], box.hi[k]);
        raise_lowers(exact, result.outputs, x, "lp");
      }
    }
    Rational upper = std::max(std::max(side_bound[0], side_bound[1]), b.lower);
    if (upper < b.upper) b.upper = upper, b.upper_from = "lp";
    b.qnn_minus_dnn_upper = std::min(b.qnn_minus_dnn_upper, side_bound[0]);
    b.dnn_minus_qnn_upper = std::min(b.dnn_minus_qnn_upper, side_bound[1]);
    // Named members: the others keep their defaults (a positional list once gave pseudo_costs a null).
    for (bool above : {true, false}) {
      const int k = above ? 0 : 1;
      sides.push_back({.slot = i, .above = above, .bound = std::max(side_bound[k], Rational(0)),
                       .lp_point = std::move(lp_point[k]), .search_point = searched[i][k], .anneal_start = {},
                       .frontier = {bab::OpenNode{bounds::Subproblem::root(box), -lp::kInfinity, {}}}});
    }
    b.closed = b.upper - b.lower <= options.tolerance;
    publish(result, "the LP stage");
  }
  result.search_seconds += seconds_since(t0);
  // The next stage is published before the line that ends this one, so whoever stops the run on
  // seeing that line finds it in the document (under ASan, publishing took longer than the gap).
  if (options.engine != Engine::LP) publish(result, "the tabu search");
  note("LP: " + std::to_string(sides.size()) + " bounds in " + std::to_string(seconds_since(t0)) + " s");
  if (options.engine == Engine::LP) return;

  // Bisection on a common target with branch and bound as the decision procedure: each pass proves
  // every side above the target below it (cheap while the target is loose; the LP bounds already
  // settle most sides), so the overall upper end halves its distance to the lower end per pass.
  // A violating input raises the lower end (and the target) instead of ending the search.
  auto overall_lower = [&]() {
    Rational l = 0;
    for (const OutputBracket& b : result.outputs) l = std::max(l, b.lower);
    return l;
  };
  auto overall_upper = [&]() {
    Rational u = overall_lower();
    for (const Side& s : sides) u = std::max(u, s.bound);
    return u;
  };
  // Each output's upper end: its worse side (never below its own witness).
  auto apply_sides = [&](MaxErrorResult& r) {
    for (std::size_t i = 0; i < r.outputs.size(); ++i) {
      OutputBracket& b = r.outputs[i];
      Rational upper = b.lower;
      for (const Side& s : sides)
        if (s.slot == i) {
          upper = std::max(upper, s.bound);
          Rational& side_upper = s.above ? b.qnn_minus_dnn_upper : b.dnn_minus_qnn_upper;
          side_upper = std::min(side_upper, s.bound);
        }
      if (upper < b.upper) b.upper = upper, b.upper_from = "bab";
      b.closed = b.upper - b.lower <= options.tolerance;
    }
  };
  auto t1 = Clock::now();
  if (options.tabu) {
    tabu_searches(pair, exact, box, options, remaining, sides, result);
    note("tabu search: bracket [" + std::to_string(to_double(overall_lower())) + ", " +
         std::to_string(to_double(overall_upper())) + "] after " + std::to_string(seconds_since(t1)) + " s");
  }
  publish(result, "branch and bound");
  bool stuck = false;
  // A run stopped by its time share without lowering its side's bound is followed by one more with
  // all the time left (the target is then the one it could not reach); a second such run in a row
  // ends it (before, any second one did, however many runs had moved their sides in between).
  bool last_try = false;
  // The target stays where it is while a run on it has stopped short; it moves down only once every
  // side is proven below it. Each side's runs go on from its frontier (Side::frontier) whatever the
  // target: before, every run started from the root, and on sample 3236 (784-100-10 Q=8, output
  // 6, 40 s) two of its three runs worked on the same target, the second redoing the first's 4,000
  // nodes; and a run at a lower target, once the side was proved at one, began with that proof's
  // work again.
  std::optional<Rational> held_target;
  while (!stuck && remaining() > 0 && overall_upper() - overall_lower() > options.tolerance) {
    const Rational lower = overall_lower();
    const Rational target =
        std::max<Rational>(lower + options.tolerance, held_target ? *held_target : (lower + overall_upper()) / 2);
    held_target.reset();
    std::vector<Side*> todo;
    for (Side& s : sides)
      if (s.bound > target) todo.push_back(&s);
    std::sort(todo.begin(), todo.end(), [](const Side* a, const Side* b) { return a->bound > b->bound; });
    for (std::size_t n = 0; n < todo.size() && !stuck && remaining() > 0; ++n) {
      Side& side = *todo[n];
      OutputBracket& b = result.outputs[side.slot];
      bab::BabOptions bo;
      bo.eps = std::max<Rational>(target, overall_lower() + options.tolerance);
      if (side.bound <= bo.eps) continue;  // a witness found meanwhile moved the target above it
      bo.threads = options.threads;
      bo.difference_cuts = options.difference_cuts;
      bo.max_nodes = options.bab_max_nodes;
      // The side with the highest bound decides the overall upper end: it gets half of what is left
      // when other sides wait (all of it when none do).
      if (options.timeout_seconds > 0)
        bo.seconds = std::max(0.001, last_try || todo.size() - n == 1 ? remaining()
                                     : n == 0                          ? remaining() / 2
                                                                       : remaining() / double(todo.size() - n));
      bo.anneal = options.anneal;
      if (!options.tabu) bo.tabu_steps = 0;
      bo.anneal_start = side.anneal_start;
      bo.pseudo_costs = side.pseudo_costs;
      // Pure best-first: the bound of a search stopped early is what counts here, and a plunge
      // spends nodes below the top of the queue. Against 8 levels (bench/results/ab_plunge.md, ten
      // 784-100-10 Q=8 boxes, 60 s): four upper ends lower, none higher; median width 11.6% -> 11.1%.
      bo.plunge_depth = 0;
      // Strong branching at every depth: here the search must move the bound of its worst nodes,
      // and the score alone picks splits that do not (on sample 3236, output 6, eps 0.1815, the
      // phase-exact optimum being 0.1806: proved in 100 s, bound still 0.1876 at 117 s with strong
      // branching down to depth 8). Verify keeps the limit: see BranchingOptions::strong_depth.
      bo.branching.strong_depth = std::numeric_limits<std::size_t>::max();
      // Splits taken on pseudo-costs alone may move the worst node's bound nothing: see there.
      bo.branching.solve_winner = true;
      bo.improved = [&](const std::vector<int64_t>& x, const Rational&) {
        raise_lowers(exact, result.outputs, x, "bab");
        return std::max<Rational>(bo.eps, overall_lower() + options.tolerance);
      };
      bo.keep_closed = true;
      // The frontier's nodes whose bound proves the target stay as they are; the rest start the run.
      std::vector<bab::OpenNode> start, kept;
      for (bab::OpenNode& n : side.frontier)
        (std::isfinite(n.bound) && rational_from_double(n.bound) >= -bo.eps ? kept : start).push_back(std::move(n));
      side.frontier.clear();
      const std::size_t frontier_size = start.size() + kept.size(), resumed_from = start.size();
      if (start.empty()) {  // proven at the target already (cannot happen: side.bound > eps)
        side.frontier = std::move(kept);
        continue;
      }
      bab::BabResult r = bab::branch_and_bound(pair, box, dra, {b.output, side.above}, bo, std::move(start));
      const bool resumed = side.runs++ > 0;
      side.anneal_start = std::move(r.anneal_start);
      const std::size_t left_open = r.open.size();
      if (r.status == bab::BabStatus::UNKNOWN && !r.open.empty()) held_target = target;
      side.frontier = std::move(kept);
      for (auto* nodes : {&r.closed, &r.open})
        for (bab::OpenNode& n : *nodes) side.frontier.push_back(std::move(n));
      // The side is proven below the worst bound of its frontier (negating a double is exact). Only
      // a run that proved the target with no node left (none can be: the box has inputs) falls
      // back on the target.
      double least = lp::kInfinity;
      for (const bab::OpenNode& n : side.frontier) least = std::min(least, n.bound);
      Rational proved = side.frontier.empty() ? (r.status == bab::BabStatus::PROVED ? r.eps : side.bound)
                        : std::isfinite(least) ? rational_from_double(-least)
                                               : side.bound;
      const Rational before = side.bound;
      side.bound = std::min(side.bound, std::max(proved, Rational(0)));
      if (r.status != bab::BabStatus::PROVED && !(side.bound < before)) {
        stuck = last_try;
        last_try = true;
      } else {
        last_try = false;  // "in a row": a run that moved its side starts the count again
      }
      note("branch and bound, output " + std::to_string(b.output) + (side.above ? " (QNN - DNN)" : " (DNN - QNN)") +
           " <= " + std::to_string(to_double(r.eps)) +
           (resumed ? " (from " + std::to_string(resumed_from) + " of its " + std::to_string(frontier_size) + " nodes)" : "") + ": " +
           (r.status == bab::BabStatus::PROVED ? "proved" : "stopped with " + std::to_string(left_open) + " open") +
           ", side bound " + std::to_string(to_double(side.bound)) + " (was " + std::to_string(to_double(before)) +
           "), " + std::to_string(r.stats.nodes) + " nodes (frontier " + std::to_string(side.frontier.size()) + "), " +
           std::to_string(r.seconds) + " s; bracket [" + std::to_string(to_double(overall_lower())) + ", " +
           std::to_string(to_double(overall_upper())) + "]");
      if (options.snapshot) {  // the brackets with the side bounds so far
        MaxErrorResult so_far = result;
        apply_sides(so_far);
        publish(so_far, "branch and bound");
      }
    }
  }
  apply_sides(result);
  for (OutputBracket& b : result.outputs)
    if (!b.closed && b.reason.empty()) b.reason = remaining() <= 0 ? "timeout" : "open";
  result.solve_seconds = seconds_since(t1);
}

}  // namespace

}  // namespace qeb::verify
