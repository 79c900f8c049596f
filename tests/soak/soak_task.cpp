#include "soak/soak_task.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "core/error.h"
#include "encodings/encoding.h"
#include "eval/difference.h"
#include "smt/backend.h"

namespace qeb::soak {

namespace {

using Clock = std::chrono::steady_clock;

// splitmix64: task seeds that do not overlap for neighbouring run seeds or indices.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Draw {
  std::mt19937_64 rng;
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  template <class T>
  const T& one_of(const std::vector<T>& v) { return v[std::size_t(between(0, int(v.size()) - 1))]; }
};

// The network, quantization and box. The exact "bv" encoding gets the unit test's smaller shapes
// (one hidden layer: ~60-bit constants); the others up to 4 inputs and two hidden layers of 6.
// Power-of-two or affine quantization, with the same shapes.
test::RandomCase draw_case(Draw& d, bool bv, bool affine) {
  uint64_t max_points = uint64_t(std::exp(std::uniform_real_distribution<double>(std::log(4), std::log(4000))(d.rng)));
  auto make = affine ? test::random_affine_case : test::random_case;
  if (bv) return make(d.rng, d.between(1, 2), {std::size_t(d.between(1, 4))}, d.between(1, 2), std::min<uint64_t>(max_points, 400));
  if (d.chance(0.5)) return affine ? test::random_small_affine_case(d.rng, max_points) : test::random_small_case(d.rng, max_points);
  std::vector<std::size_t> hidden(d.between(1, 2));
  for (auto& h : hidden) h = d.between(1, 6);
  return make(d.rng, d.between(1, 4), hidden, d.between(1, 3), max_points);
}

// eps around the exact maximum: at it (must verify), just below (must falsify), just above, far
// either side, 0, or a random fraction of it.
std::pair<std::string, Rational> draw_eps(Draw& d, const Rational& worst) {
  Rational tiny = Rational(1) / (BigInt(1) << d.between(6, 30));
  int r = d.between(0, 99);
  if (r < 25) return {"max", worst};
  if (r < 45 && worst > 0) return {"below", Rational(worst - worst * tiny)};
  if (r < 45) return {"zero", 0};
  if (r < 60) return {"above", Rational(worst + (worst > 0 ? worst : Rational(1, 16)) * tiny)};
  if (r < 68) return {"far-above", Rational(worst * 2 + Rational(1, 4))};
  if (r < 78) return {"far-below", Rational(worst / 4)};
  if (r < 83) return {"zero", 0};
  return {"fraction", Rational(worst * Rational(d.between(0, 2000), 1000))};
}

bool is_checked(const Task& t, std::size_t k) {
  return t.options.outputs.empty() || std::find(t.options.outputs.begin(), t.options.outputs.end(), k) != t.options.outputs.end();
}

// Outputs: one (half the tasks), all (the empty list), or a random non-empty subset; and the
// oracle's worst error over them.
void draw_outputs(Draw& d, Task& t) {
  std::vector<std::size_t>& outputs = t.options.outputs;
  std::size_t m = t.oracle.outputs.size();
  int which = d.between(0, 3);
  if (which < 2) outputs = {std::size_t(d.between(0, int(m) - 1))};
  else if (which == 3)
    while (outputs.empty())
      for (std::size_t k = 0; k < m; ++k)
        if (d.chance(0.5)) outputs.push_back(k);
  t.worst = 0;
  for (std::size_t k = 0; k < m; ++k)
    if (is_checked(t, k)) t.worst = std::max(t.worst, t.oracle.outputs[k].max_abs());
}

// A max-error task: every engine, with its knobs; node limits of 1-20 per branch-and-bound run cut
// runs short, so that sides go on from their frontiers (verify/max_error.cpp) again and again.
void draw_max_error(Draw& d, Task& t, double timeout_seconds) {
  verify::MaxErrorOptions& m = t.max_error_options;
  m.backend = d.one_of(smt::available_backends());
  std::vector<std::string> encodings;
  for (auto& [name, description] : encodings::encoding_catalogue())
    if (name != "bv" && !verify::incompatibility(m.backend, name)) encodings.push_back(name);
  m.encoding = d.one_of(encodings);
  int e = d.between(0, 99);
  m.engine = e < 45 ? verify::Engine::AUTO : e < 65 ? verify::Engine::BAB : e < 75 ? verify::Engine::LP
           : e < 85 ? verify::Engine::DRA : verify::Engine::SMT;
  m.threads = unsigned(d.between(1, 2));
  m.anneal = d.chance(0.5);
  m.tabu = d.chance(0.7);
  m.tolerance = d.one_of(std::vector<Rational>{Rational(1, 1 << 20), Rational(1, 1000), Rational(1, 64), Rational(1, 4)});
  m.search_samples = d.one_of(std::vector<uint64_t>{0, 50, 2000});
  m.seed = uint64_t(d.between(1, 1000));
  m.bab_max_nodes = d.one_of(std::vector<uint64_t>{0, 0, 1, 3, 20});
  m.prune = d.chance(0.7);
  m.difference_cuts = d.chance(0.7);
  m.backend_options.seed = unsigned(d.between(0, 9));
  // At most 5 s: a bracket is checked whether it closed or not, and a longer run only goes on
  // bisecting (a tolerance of 2^-20 often runs to the limit).
  m.timeout_seconds = std::min(timeout_seconds, 5.0);
  t.c = draw_case(d, false, t.affine);
  if (!verify::lp_applies(t.c.pair.qnn) && (m.engine == verify::Engine::LP || m.engine == verify::Engine::BAB))
    m.engine = verify::Engine::AUTO;
  t.oracle = eval::run_oracle(t.c.pair, t.c.box);  // exhaustive: boxes hold at most 4000 points
  if (!t.oracle.exhaustive) throw std::logic_error("soak: the oracle was not exhaustive");
  draw_outputs(d, t);
  m.outputs = t.options.outputs;
  if (m.outputs.empty())  // max-error's "all" is the empty list too; spelled out, the check is the same
    for (std::size_t k = 0; k < t.oracle.outputs.size(); ++k) m.outputs.push_back(k);
  t.eps_kind = "none";
}

std::string str(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return "(" + s + ")";
}

// An exact value with its approximation: "1234/8192 (~0.150635)".
std::string show(const Rational& r) {
  char approx[40];
  std::snprintf(approx, sizeof approx, "%.6g", to_double(r));
  return qeb::to_string(r) + " (~" + approx + ")";
}

// What is wrong with a counterexample: it must lie in the box, be for a checked output, replay
// exactly on the evaluators, and exceed eps. Empty if nothing.
std::string counterexample_problem(const Task& t, const verify::Counterexample& c) {
  if (!is_checked(t, c.output)) return "counterexample for unchecked output " + std::to_string(c.output);
  if (c.input.size() != t.c.box.dimension() || !t.c.box.contains(c.input))
    return "counterexample input " + str(c.input) + " is outside the box";
  eval::PairOutput exact = eval::evaluate_pair(t.c.pair, c.input);
  if (exact.qnn[c.output] != c.qnn || exact.dnn[c.output] != c.dnn || exact.diff[c.output] != c.diff)
    return "counterexample at " + str(c.input) + " does not replay: reported qnn/dnn/diff " + qeb::to_string(c.qnn) + " / " +
           qeb::to_string(c.dnn) + " / " + qeb::to_string(c.diff) + ", exact " + qeb::to_string(exact.qnn[c.output]) + " / " +
           qeb::to_string(exact.dnn[c.output]) + " / " + qeb::to_string(exact.diff[c.output]);
  if (-t.options.eps <= c.diff && c.diff <= t.options.eps)
    return "counterexample at " + str(c.input) + " has |diff| = " + show(abs(c.diff)) + " <= eps";
  return "";
}

// Unknown reasons, counted by kind: numbers become N ("3 part(s) undecided" -> "N part(s) undecided").
std::string reason_kind(std::string reason) {
  if (reason.empty()) return "(no reason given)";
  std::string out;
  for (char ch : reason)
    if (!std::isdigit(static_cast<unsigned char>(ch))) out += ch;
    else if (out.empty() || out.back() != 'N') out += 'N';
  return out;
}

Outcome check_plain(const Task& t, const verify::VerifyResult& r) {
  std::vector<std::string> problems;
  std::vector<std::size_t> expected = t.options.outputs, seen;
  if (expected.empty())
    for (std::size_t k = 0; k < t.oracle.outputs.size(); ++k) expected.push_back(k);
  bool any_falsified = false, all_verified = true;
  std::string unknown_reason;
  for (const verify::OutputResult& o : r.outputs) {
    seen.push_back(o.output);
    if (o.output >= t.oracle.outputs.size()) {
      problems.push_back("result for output " + std::to_string(o.output) + ", which does not exist");
      continue;
    }
    const eval::OutputRange& truth = t.oracle.outputs[o.output];
    const eval::Witness& extreme = truth.max.diff > -truth.min.diff ? truth.max : truth.min;
    std::string k = "output " + std::to_string(o.output);
    if (o.verdict == verify::Verdict::VERIFIED && truth.max_abs() > t.options.eps)
      problems.push_back(k + " verified" + (o.decided_by != verify::Stage::NONE ? std::string(" by ") + verify::to_string(o.decided_by) : std::string()) + ", but the oracle's QNN - DNN = " + show(extreme.diff) +
                         " at " + str(extreme.input) + " exceeds eps");
    if (o.verdict == verify::Verdict::FALSIFIED) {
      if (!o.counterexample) problems.push_back(k + " falsified without a counterexample");
      else if (std::string p = counterexample_problem(t, *o.counterexample); !p.empty()) problems.push_back(k + ": " + p);
      if (truth.max_abs() <= t.options.eps)
        problems.push_back(k + " falsified" + (o.decided_by != verify::Stage::NONE ? std::string(" by ") + verify::to_string(o.decided_by) : std::string()) + ", but the oracle's max |QNN - DNN| = " +
                           show(truth.max_abs()) + " <= eps");
    }
    if (o.verdict == verify::Verdict::UNKNOWN && unknown_reason.empty()) unknown_reason = o.reason;
    any_falsified |= o.verdict == verify::Verdict::FALSIFIED;
    all_verified &= o.verdict == verify::Verdict::VERIFIED;
  }
  std::sort(seen.begin(), seen.end());
  std::sort(expected.begin(), expected.end());
  if (seen != expected) problems.push_back("the result lists other outputs than the checked ones");
  verify::Verdict overall = any_falsified ? verify::Verdict::FALSIFIED : all_verified ? verify::Verdict::VERIFIED : verify::Verdict::UNKNOWN;
  if (r.verdict != overall)
    problems.push_back(std::string("overall verdict ") + verify::to_string(r.verdict) + " but per-output verdicts give " +
                       verify::to_string(overall));
  Outcome out;
  if (!problems.empty()) {
    out.status = Status::DISAGREEMENT;
    for (const std::string& p : problems) out.detail += (out.detail.empty() ? "" : "; ") + p;
  } else if (r.verdict == verify::Verdict::UNKNOWN) {
    out.status = Status::UNKNOWN;
    out.detail = reason_kind(unknown_reason);
  } else {
    out.status = r.verdict == verify::Verdict::VERIFIED ? Status::VERIFIED : Status::FALSIFIED;
  }
  return out;
}

Outcome check_partitioned(const Task& t, const partition::PartitionResult& r) {
  Outcome out;
  std::string problem;
  if (r.verdict == verify::Verdict::VERIFIED && t.worst > t.options.eps)
    problem = "verified (" + std::to_string(r.parts.size()) + " parts), but the oracle's max |QNN - DNN| = " + show(t.worst) +
              " exceeds eps";
  if (r.verdict == verify::Verdict::FALSIFIED) {
    if (!r.counterexample) problem = "falsified without a counterexample";
    else problem = counterexample_problem(t, *r.counterexample);
    if (problem.empty() && t.worst <= t.options.eps) problem = "falsified, but the oracle says the bound holds";
  }
  if (!problem.empty()) {
    out.status = Status::DISAGREEMENT;
    out.detail = "partitioned: " + problem;
  } else if (r.verdict == verify::Verdict::UNKNOWN) {
    out.status = Status::UNKNOWN;
    out.detail = "partitioned: " + reason_kind(r.reason);
  } else {
    out.status = r.verdict == verify::Verdict::VERIFIED ? Status::VERIFIED : Status::FALSIFIED;
  }
  return out;
}

// A max-error bracket must hold the oracle's exact maximum per output (a wrong upper end is as bad
// as a wrong `verified`), its witness must replay to the lower end exactly, and the totals and
// "closed" flags must follow from the brackets.
Outcome check_max_error(const Task& t, const verify::MaxErrorResult& r) {
  std::vector<std::string> problems;
  const Rational& tolerance = t.max_error_options.tolerance;
  std::vector<std::size_t> expected = t.max_error_options.outputs, seen;
  Rational lower = 0, upper = 0;
  std::string open_reason;
  for (std::size_t i = 0; i < r.outputs.size(); ++i) {
    const verify::OutputBracket& b = r.outputs[i];
    seen.push_back(b.output);
    std::string k = "output " + std::to_string(b.output);
    if (b.output >= t.oracle.outputs.size()) {
      problems.push_back("bracket for " + k + ", which does not exist");
      continue;
    }
    const eval::OutputRange& truth = t.oracle.outputs[b.output];
    const eval::Witness& extreme = truth.max.diff > -truth.min.diff ? truth.max : truth.min;
    if (b.upper < truth.max_abs())
      problems.push_back(k + ": upper end " + show(b.upper) + " (from " + b.upper_from + ") is below the oracle's max |QNN - DNN| = " +
                         show(truth.max_abs()) + " at " + str(extreme.input));
    if (b.qnn_minus_dnn_upper < truth.max.diff)
      problems.push_back(k + ": its bound of QNN - DNN, " + show(b.qnn_minus_dnn_upper) + ", is below the oracle's maximum " +
                         show(truth.max.diff) + " at " + str(truth.max.input));
    if (b.dnn_minus_qnn_upper < -truth.min.diff)
      problems.push_back(k + ": its bound of DNN - QNN, " + show(b.dnn_minus_qnn_upper) + ", is below the oracle's maximum " +
                         show(Rational(-truth.min.diff)) + " at " + str(truth.min.input));
    if (b.lower > truth.max_abs())
      problems.push_back(k + ": lower end " + show(b.lower) + " (from " + b.lower_from + ") exceeds the oracle's max " + show(truth.max_abs()));
    if (b.upper > b.dra_upper) problems.push_back(k + ": upper end " + show(b.upper) + " above DRA's " + show(b.dra_upper));
    const verify::ErrorWitness& w = b.witness;
    if (w.input.size() != t.c.box.dimension() || !t.c.box.contains(w.input)) {
      problems.push_back(k + ": witness " + str(w.input) + " is outside the box");
    } else {
      eval::PairOutput exact = eval::evaluate_pair(t.c.pair, w.input);
      if (exact.qnn[b.output] != w.qnn || exact.dnn[b.output] != w.dnn || exact.diff[b.output] != w.diff)
        problems.push_back(k + ": witness " + str(w.input) + " does not replay (exact QNN - DNN " + show(exact.diff[b.output]) +
                           ", reported " + show(w.diff) + ")");
      if (abs(w.diff) != b.lower)
        problems.push_back(k + ": the witness's |QNN - DNN| " + show(abs(w.diff)) + " is not the lower end " + show(b.lower));
    }
    if (b.closed != (b.upper - b.lower <= tolerance)) problems.push_back(k + ": closed flag disagrees with its bracket");
    if (!b.closed && open_reason.empty()) open_reason = b.reason;
    if (i == 0 || b.lower > lower) lower = b.lower;
    if (i == 0 || b.upper > upper) upper = b.upper;
  }
  std::sort(seen.begin(), seen.end());
  std::sort(expected.begin(), expected.end());
  if (seen != expected) problems.push_back("the result lists other outputs than the checked ones");
  if (!r.outputs.empty() && (r.lower != lower || r.upper != upper))
    problems.push_back("totals [" + show(r.lower) + ", " + show(r.upper) + "] are not the brackets' [" + show(lower) + ", " + show(upper) + "]");
  if (r.closed != (r.upper - r.lower <= tolerance)) problems.push_back("the result's closed flag disagrees with its totals");
  Outcome out;
  if (!problems.empty()) {
    out.status = Status::DISAGREEMENT;
    for (const std::string& p : problems) out.detail += (out.detail.empty() ? "max-error: " : "; ") + p;
  } else if (r.closed) {
    out.status = Status::CLOSED;
  } else {
    out.status = Status::OPEN;
    out.detail = "max-error: " + reason_kind(open_reason);
  }
  return out;
}

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::VERIFIED: return "verified";
    case Status::FALSIFIED: return "falsified";
    case Status::UNKNOWN: return "unknown";
    case Status::CLOSED: return "closed";
    case Status::OPEN: return "open";
    case Status::OPTION_ERROR: return "option error";
    case Status::DISAGREEMENT: return "DISAGREEMENT";
  }
  return "?";
}

Task draw_task(uint64_t run_seed, uint64_t index, double timeout_seconds, double affine_fraction, double max_error_fraction) {
  Task t;
  t.index = index;
  t.seed = mix(mix(run_seed) ^ index);
  Draw d{std::mt19937_64(t.seed)};
  t.affine = affine_fraction > 0 && d.chance(affine_fraction);
  t.max_error = max_error_fraction > 0 && d.chance(max_error_fraction);
  if (t.max_error) {
    draw_max_error(d, t, timeout_seconds);
    return t;
  }

  // The solver configuration first: the exact bv encoding (10%) gets smaller networks.
  verify::VerifyOptions& o = t.options;
  o.backend = d.one_of(smt::available_backends());
  std::vector<std::string> encodings;
  for (auto& [name, description] : encodings::encoding_catalogue())
    if (name != "bv" && !verify::incompatibility(o.backend, name)) encodings.push_back(name);
  o.encoding = d.chance(0.1) ? "bv" : d.one_of(encodings);
  o.strategy = d.one_of(std::vector<verify::SolveStrategy>{verify::SolveStrategy::DISJUNCTIVE,
                                                           verify::SolveStrategy::PER_QUERY, verify::SolveStrategy::FRESH});
  o.attack_samples = d.chance(0.5) ? 0 : verify::VerifyOptions{}.attack_samples;
  o.prune = d.chance(0.7);
  o.difference_cuts = d.chance(0.7);
  o.stop_at_counterexample = d.chance(0.8);
  o.backend_options.seed = unsigned(d.between(0, 9));
  o.timeout_seconds = timeout_seconds;
  // The proof engine: every stage chain, with its knobs (enumeration off in auto, so the LP,
  // branch and bound and the SMT leaves get the small boxes too).
  int e = d.between(0, 99);
  o.engine = e < 35 ? verify::Engine::SMT : e < 60 ? verify::Engine::AUTO : e < 80 ? verify::Engine::BAB
           : e < 90 ? verify::Engine::LP : verify::Engine::DRA;
  o.enumerate_limit = d.chance(0.7) ? 0 : verify::VerifyOptions{}.enumerate_limit;
  o.threads = unsigned(d.between(1, 2));
  o.input_split_dimension = d.chance(0.5) ? 0 : 16;
  o.tighten_seconds = d.chance(0.25) ? 0.5 : 0;
  o.leaf_case_splits = d.one_of(std::vector<std::size_t>{0, 8, 100});
  o.leaf_seconds = 1;
  o.strong_candidates = d.one_of(std::vector<std::size_t>{0, 2, 32});
  o.strong_depth = d.one_of(std::vector<std::size_t>{0, 1, 3});
  o.reliability = d.one_of(std::vector<uint64_t>{0, 1, 4});
  t.partitioned = d.chance(0.15);
  if (t.partitioned) {
    partition::PartitionOptions& p = t.partition;
    p.jobs = unsigned(d.between(1, 2));
    p.part_timeout = d.one_of(std::vector<double>{0.25, 0.5, 1, 2});
    p.solver_depth = unsigned(d.between(0, 2));
    p.max_depth = d.chance(0.5) ? 12 : 20;
    p.split_neurons = d.chance(0.5);  // parts are branch-and-bound nodes
    p.part_nodes = d.one_of(std::vector<uint64_t>{1, 4, 64});
  }

  t.c = draw_case(d, o.encoding == "bv", t.affine);
  if (!verify::lp_applies(t.c.pair.qnn)) {  // an affine rule beyond 2^53 (rare): no LP, so none of its routes
    if (o.engine == verify::Engine::LP || o.engine == verify::Engine::BAB) o.engine = verify::Engine::AUTO;
    t.partition.split_neurons = false;
  }
  t.oracle = eval::run_oracle(t.c.pair, t.c.box);  // exhaustive: boxes hold at most 4000 points
  if (!t.oracle.exhaustive) throw std::logic_error("soak: the oracle was not exhaustive");
  if (t.partitioned) {
    // 0: the solver runs on the parts; the default (100,000) enumerates the whole box at once.
    int e = d.between(0, 3);
    t.partition.enumerate_limit = e < 2 ? 0 : e == 2 ? uint64_t(d.between(1, int(t.c.box.point_count()))) : 100'000;
  }

  draw_outputs(d, t);
  std::tie(t.eps_kind, o.eps) = draw_eps(d, t.worst);
  return t;
}

std::string Task::config_key() const {
  const std::string scheme = affine ? "affine " : "";
  if (max_error)
    return scheme + "max-error engine " + verify::to_string(max_error_options.engine) + "/" + max_error_options.backend;
  if (options.engine != verify::Engine::SMT && !partitioned)
    return scheme + "engine " + verify::to_string(options.engine) + "/" + options.backend;
  if (partitioned && partition.split_neurons) return scheme + "partitioned by neurons/" + options.backend;
  return scheme + options.backend + "/" + options.encoding + "/" + verify::to_string(options.strategy) + (partitioned ? "/partitioned" : "");
}

std::string Task::config() const {
  std::ostringstream s;
  if (max_error) {
    const verify::MaxErrorOptions& m = max_error_options;
    s << "max-error engine=" << verify::to_string(m.engine) << " threads=" << m.threads << " anneal=" << m.anneal
      << " tabu=" << m.tabu << " tolerance=" << qeb::to_string(m.tolerance) << " samples=" << m.search_samples
      << " seed=" << m.seed << " bab_max_nodes=" << m.bab_max_nodes << " backend=" << m.backend << " encoding=" << m.encoding
      << " prune=" << m.prune << " cuts=" << m.difference_cuts << " solver_seed=" << m.backend_options.seed
      << " timeout=" << m.timeout_seconds;
    return s.str();
  }
  s << "engine=" << verify::to_string(options.engine) << " enumerate_limit=" << options.enumerate_limit
    << " threads=" << options.threads << " input_split_dimension=" << options.input_split_dimension
    << " strong_branching=" << options.strong_candidates << " strong_depth=" << options.strong_depth
    << " reliability=" << options.reliability
    << " tighten=" << options.tighten_seconds << " leaf_splits=" << options.leaf_case_splits << " backend=" << options.backend << " encoding=" << options.encoding << " strategy=" << verify::to_string(options.strategy)
    << " attack=" << options.attack_samples << " prune=" << options.prune << " cuts=" << options.difference_cuts
    << " stop_at_cex=" << options.stop_at_counterexample << " solver_seed=" << options.backend_options.seed
    << " timeout=" << options.timeout_seconds;
  if (partitioned)
    s << " partitioned(jobs=" << partition.jobs << " part_timeout=" << partition.part_timeout << " solver_depth="
      << partition.solver_depth << " max_depth=" << partition.max_depth << " enumerate_limit=" << partition.enumerate_limit
      << " split=" << (partition.split_neurons ? "neurons" : "inputs") << " part_nodes=" << partition.part_nodes << ")";
  return s.str();
}

std::string Task::problem() const {
  std::ostringstream s;
  s << "net " << c.pair.dnn.layers.front().inputs;
  for (const model::DenseLayer& l : c.pair.dnn.layers) s << "-" << l.outputs;
  if (affine)
    s << " quant=affine(" << (c.pair.qnn.input_format.is_signed ? "int8" : "uint8") << " input, scale "
      << qeb::to_string(c.pair.qnn.affine_input_scale) << ", zero point " << c.pair.qnn.input_zero_point << ")";
  else
    s << " quant=" << c.config.to_string();
  s << " box=" << c.box.to_string() << " (" << c.box.point_count() << " points) outputs=";
  if (options.outputs.empty()) s << "all";
  for (std::size_t k = 0; k < options.outputs.size(); ++k) s << (k ? "," : "") << options.outputs[k];
  if (max_error) s << " tolerance=" << show(max_error_options.tolerance);
  else s << " eps=" << show(options.eps) << " [" << eps_kind << "]";
  s << " oracle max|diff|=" << show(worst) << " per output:";
  for (const eval::OutputRange& r : oracle.outputs)
    s << " " << r.output << ":[" << show(r.min.diff) << " at " << str(r.min.input) << ", " << show(r.max.diff) << " at "
      << str(r.max.input) << "]";
  return s.str();
}

Outcome run_task(const Task& t) {
  auto start = Clock::now();
  Outcome out;
  try {
    if (t.max_error) out = check_max_error(t, verify::max_error(t.c.pair, t.c.box, t.max_error_options));
    else if (t.partitioned) out = check_partitioned(t, partition::verify_partitioned(t.c.pair, t.c.box, t.options, t.partition));
    else out = check_plain(t, verify::verify(t.c.pair, t.c.box, t.options));
  } catch (const OptionError& e) {
    out = {Status::OPTION_ERROR, e.what()};
  } catch (const std::exception& e) {  // ReplayError, OverflowError, SolverError, ...: never acceptable
    out = {Status::DISAGREEMENT, std::string("exception: ") + e.what()};
  } catch (...) {
    out = {Status::DISAGREEMENT, "exception of unknown type"};
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

std::string nnet_text(const model::Network& dnn) {
  std::ostringstream s;
  s.precision(17);
  std::size_t n = dnn.layers.front().inputs, widest = n;
  for (const model::DenseLayer& l : dnn.layers) widest = std::max(widest, l.outputs);
  s << "// written by qeb-soak; identity normalisation\n";
  s << dnn.layers.size() << "," << n << "," << dnn.layers.back().outputs << "," << widest << ",\n" << n << ",";
  for (const model::DenseLayer& l : dnn.layers) s << l.outputs << ",";
  s << "\n0,\n";
  auto row = [&](std::size_t count, int value) {
    for (std::size_t i = 0; i < count; ++i) s << value << ",";
    s << "\n";
  };
  row(n, 0), row(n, 1), row(n + 1, 0), row(n + 1, 1);  // min, max, mean, range
  for (const model::DenseLayer& l : dnn.layers) {
    for (std::size_t j = 0; j < l.outputs; ++j) {
      for (std::size_t i = 0; i < l.inputs; ++i) s << l.weights[j * l.inputs + i] << ",";
      s << "\n";
    }
    for (double b : l.bias) s << b << ",\n";
  }
  return s.str();
}

std::string cli_command(const Task& t, const std::string& nnet_path) {
  if (t.affine) return "(an affine task has no ONNX file to give the CLI: replay it with qeb-soak --only)";
  std::ostringstream s;
  if (t.max_error) {
    const verify::MaxErrorOptions& m = t.max_error_options;
    s << "qeb-smt max-error --model " << nnet_path << " --quant " << t.c.config.to_string() << " --box " << t.c.box.to_string()
      << " --tolerance " << qeb::to_string(m.tolerance) << " --output ";
    if (m.outputs.size() == 1) s << m.outputs[0];
    else s << "all" << (m.outputs.size() == t.oracle.outputs.size() ? "" : " (soak checked a subset; use each K)");
    s << " --engine " << verify::to_string(m.engine) << " --threads " << m.threads << " --samples " << m.search_samples
      << " --seed " << m.seed << " --backend " << m.backend << " --encoding " << m.encoding << " --timeout " << m.timeout_seconds;
    if (m.anneal) s << " --anneal";
    if (!m.tabu) s << " --no-tabu";
    if (!m.prune) s << " --no-pruning";
    if (!m.difference_cuts) s << " --no-diff-cuts";
    if (m.bab_max_nodes) s << " (and " << m.bab_max_nodes << " nodes per branch-and-bound run, which the CLI does not offer: replay with qeb-soak --only)";
    return s.str();
  }
  s << "qeb-smt verify --model " << nnet_path << " --quant " << t.c.config.to_string() << " --box " << t.c.box.to_string()
    << " --eps " << qeb::to_string(t.options.eps) << " --output ";
  if (t.options.outputs.size() == 1) s << t.options.outputs[0];
  else s << "all" << (t.options.outputs.empty() ? "" : " (soak checked a subset; use each K)");
  s << " --backend " << t.options.backend << " --encoding " << t.options.encoding << " --strategy "
    << verify::to_string(t.options.strategy) << " --attack " << t.options.attack_samples << " --seed "
    << t.options.backend_options.seed << " --timeout " << t.options.timeout_seconds;
  s << " --engine " << verify::to_string(t.options.engine) << " --enumerate-limit " << t.options.enumerate_limit
    << " --threads " << t.options.threads << " --tighten " << t.options.tighten_seconds << " --leaf-splits "
    << t.options.leaf_case_splits << " --leaf-timeout " << t.options.leaf_seconds;
  if (t.options.input_split_dimension != verify::VerifyOptions{}.input_split_dimension)
    s << " --input-split-dimension " << t.options.input_split_dimension;
  if (t.options.strong_candidates != verify::VerifyOptions{}.strong_candidates)
    s << " --strong-branching " << t.options.strong_candidates;
  if (t.options.strong_depth != verify::VerifyOptions{}.strong_depth)
    s << " --strong-branching-depth " << t.options.strong_depth;
  if (t.options.reliability != verify::VerifyOptions{}.reliability) s << " --reliability " << t.options.reliability;
  if (!t.options.prune) s << " --no-pruning";
  if (!t.options.difference_cuts) s << " --no-diff-cuts";
  if (!t.options.stop_at_counterexample) s << " --all-counterexamples";
  if (t.partitioned)
    s << " --partition --jobs " << t.partition.jobs << " --part-timeout " << t.partition.part_timeout << " --solver-depth "
      << t.partition.solver_depth << " --max-depth " << t.partition.max_depth << " --enumerate-limit "
      << t.partition.enumerate_limit << " --split " << (t.partition.split_neurons ? "neurons" : "inputs")
      << " --part-nodes " << t.partition.part_nodes;
  return s.str();
}

}  // namespace qeb::soak
