#include "property/property_checker.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/deadline.h"
#include "core/error.h"
#include "dra/diff_analysis.h"
#include "encodings/encoding.h"
#include "eval/difference.h"
#include "property/property_attack.h"

namespace qeb::property {

namespace {

using Clock = std::chrono::steady_clock;

// The QF_BV encoding gives outputs as scaled bit-vectors only (NetworkEncoding::scaled_bitvectors).
constexpr const char* kBitVectorOnly = "bv";


// Can `c` hold for some values in the intervals? (Exact over the rational bounds.)
bool possible(const spec::OutputConstraint& c, const std::vector<Rational>& lo, const std::vector<Rational>& hi) {
  Rational least = c.constant;
  for (const auto& [j, a] : c.terms) least += a * (a > 0 ? lo[j] : hi[j]);
  return c.strict ? least < 0 : least <= 0;
}

// The sound interval of each Y_j over the box, from DRA's output layer.
void output_bounds(const dra::DraResult& dra, spec::OutputsOf which, std::vector<Rational>& lo, std::vector<Rational>& hi) {
  const dra::LayerReport& out = dra.layers.back();
  const std::vector<dra::Interval>& v = which == spec::OutputsOf::QNN   ? out.qnn_pre
                                        : which == spec::OutputsOf::DNN ? out.dnn_pre
                                                                        : out.delta;
  for (const dra::Interval& i : v) {
    lo.push_back(rational_from_double(i.lo));
    hi.push_back(rational_from_double(i.hi));
  }
}

// The exact witness at x if it violates one of `open`'s disjuncts.
std::optional<Witness> confirm(const quant::ModelPair& pair, const spec::OutputProperty& violation,
                               spec::OutputsOf which, const std::vector<int64_t>& x) {
  eval::PairOutput exact = eval::evaluate_pair(pair, x);
  long d = spec::satisfied_disjunct(violation, outputs_of(which, exact.qnn, exact.dnn));
  if (d < 0) return std::nullopt;
  return Witness{x, exact.qnn, exact.dnn, std::size_t(d)};
}

// SMT: the network encoding, and "some open disjunct holds" on its output terms.
CheckResult solve(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& dra,
                  const spec::OutputProperty& open, const CheckOptions& options, double budget, CheckResult r) {
  auto t0 = Clock::now();
  std::unique_ptr<encodings::Encoding> encoding = encodings::make_encoding(options.encoding);
  smt::TermManager terms;
  encodings::NetworkEncoding enc = encoding->encode(terms, {pair, box, dra, true, true});
  if (enc.scaled_bitvectors)
    throw OptionError("--encoding " + options.encoding + " has no real-valued outputs for output constraints; use lira or bv-lra");
  std::vector<smt::Term> y;
  for (std::size_t j = 0; j < enc.qnn_output.size(); ++j) {
    if (options.outputs_of == spec::OutputsOf::QNN) y.push_back(enc.qnn_output[j]);
    else if (options.outputs_of == spec::OutputsOf::DNN) y.push_back(enc.dnn_output[j]);
    else y.push_back(terms.add({enc.qnn_output[j], terms.scale(-1, enc.dnn_output[j])}));
  }
  std::vector<smt::Term> disjuncts;
  for (const auto& conjunction : open.disjuncts) {
    std::vector<smt::Term> atoms;
    for (const spec::OutputConstraint& c : conjunction) {
      std::vector<smt::Term> sum = {terms.real_const(c.constant)};
      for (const auto& [j, a] : c.terms) sum.push_back(terms.scale(a, y.at(j)));
      atoms.push_back(terms.mk(c.strict ? smt::Kind::LT : smt::Kind::LE, {terms.add(sum), terms.real_const(0)}));
    }
    disjuncts.push_back(terms.and_(atoms));
  }
  r.encode_seconds = seconds_since(t0);

  auto t1 = Clock::now();
  smt::BackendOptions backend_options = options.backend_options;
  if (budget > 0) backend_options.timeout_seconds = std::max(0.001, budget - seconds_since(t0));
  std::unique_ptr<smt::Backend> backend = smt::make_backend(options.backend, terms, backend_options);
  for (smt::Term a : enc.assertions) backend->assert_formula(a);
  backend->assert_formula(terms.or_(disjuncts));
  smt::SatResult answer = backend->check();
  ++r.solver_calls;
  r.solve_seconds = seconds_since(t1);
  if (answer == smt::SatResult::UNKNOWN) {
    r.reason = "solver unknown: " + backend->reason_unknown();
    return r;
  }
  r.decided_by = verify::Stage::SMT;
  if (answer == smt::SatResult::UNSAT) {
    r.verdict = verify::Verdict::VERIFIED;
    return r;
  }
  std::vector<int64_t> x;
  for (std::size_t k = 0; k < enc.input_offset.size(); ++k) {
    Rational v = enc.input_vars[k] ? backend->value(*enc.input_vars[k]) : Rational(0);
    x.push_back(enc.input_offset[k] + boost::multiprecision::numerator(v).convert_to<int64_t>());
  }
  std::optional<Witness> w = box.contains(x) ? confirm(pair, open, options.outputs_of, x) : std::nullopt;
  if (!w)
    throw ReplayError("the solver's model violates the output property, but its input does not when evaluated "
                      "exactly (this is a qeb-smt or solver bug; please report it)");
  r.verdict = verify::Verdict::FALSIFIED;
  r.counterexample = w;
  return r;
}

}  // namespace

std::vector<Rational> outputs_of(spec::OutputsOf which, const std::vector<Rational>& qnn, const std::vector<Rational>& dnn) {
  if (which == spec::OutputsOf::QNN) return qnn;
  if (which == spec::OutputsOf::DNN) return dnn;
  std::vector<Rational> diff;
  for (std::size_t j = 0; j < qnn.size(); ++j) diff.push_back(qnn[j] - dnn[j]);
  return diff;
}

CheckResult check_property(const quant::ModelPair& pair, const spec::Box& box, const spec::OutputProperty& violation,
                           const CheckOptions& options) {
  auto start = Clock::now();
  auto note = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  encodings::make_encoding(options.encoding);  // an unknown name fails before any work
  if (options.encoding == kBitVectorOnly)       // likewise one that cannot state the constraints (also checked below)
    throw OptionError("--encoding " + options.encoding + " has no real-valued outputs for output constraints; use lira or bv-lra");
  CheckResult r;
  r.disjuncts = violation.disjuncts.size();
  if (violation.outputs_used() > pair.qnn.output_size())
    throw OptionError("the property uses Y_" + std::to_string(violation.outputs_used() - 1) + " but the network has " +
                      std::to_string(pair.qnn.output_size()) + " outputs");
  if (violation.empty()) {
    r.verdict = verify::Verdict::VERIFIED;
    return r;
  }

  // 1. DRA's sound output bounds rule out the disjuncts they contradict.
  dra::DraResult dra = dra::run_dra(pair, box, {});
  std::vector<Rational> lo, hi;
  output_bounds(dra, options.outputs_of, lo, hi);
  spec::OutputProperty open;
  for (const auto& conjunction : violation.disjuncts) {
    bool can = std::all_of(conjunction.begin(), conjunction.end(),
                           [&](const spec::OutputConstraint& c) { return possible(c, lo, hi); });
    if (can) open.disjuncts.push_back(conjunction);
  }
  r.refuted_by_dra = violation.disjuncts.size() - open.disjuncts.size();
  r.dra_seconds = seconds_since(start);
  note("DRA: " + std::to_string(r.refuted_by_dra) + " of " + std::to_string(r.disjuncts) +
       " disjuncts of the violation ruled out by the output bounds");
  if (open.empty()) {
    r.verdict = verify::Verdict::VERIFIED;
    r.decided_by = verify::Stage::DRA;
    r.total_seconds = seconds_since(start);
    return r;
  }

  // 2. A sampling attack: whatever it finds is exact.
  if (options.attack_samples > 0) {
    auto ta = Clock::now();
    std::optional<Witness> w;
    attack(pair, box, open, options.outputs_of, options.attack_samples, options.seed, [&](const std::vector<int64_t>& x) {
      w = confirm(pair, open, options.outputs_of, x);
      return w.has_value();
    });
    r.attack_seconds = seconds_since(ta);
    if (w) {
      w->disjunct = std::size_t(spec::satisfied_disjunct(violation, outputs_of(options.outputs_of, w->qnn, w->dnn)));
      r.verdict = verify::Verdict::FALSIFIED;
      r.decided_by = verify::Stage::ATTACK;
      r.counterexample = w;
      r.total_seconds = seconds_since(start);
      note("attack: counterexample (disjunct " + std::to_string(w->disjunct + 1) + ")");
      return r;
    }
    note("attack: nothing found in " + std::to_string(r.attack_seconds) + " s");
  }

  // 3. The solver on what is left.
  double budget = options.timeout_seconds > 0 ? options.timeout_seconds - seconds_since(start) : 0;
  if (options.timeout_seconds > 0 && budget <= 0) {
    r.reason = "timeout";
    r.total_seconds = seconds_since(start);
    return r;
  }
  r = solve(pair, box, dra, open, options, budget, r);
  if (r.counterexample)
    r.counterexample->disjunct =
        std::size_t(spec::satisfied_disjunct(violation, outputs_of(options.outputs_of, r.counterexample->qnn, r.counterexample->dnn)));
  r.total_seconds = seconds_since(start);
  return r;
}

}  // namespace qeb::property
