#include "verify/verifier.h"

#include <chrono>

#include "core/error.h"
#include "dra/diff_analysis.h"
#include "encodings/encoding.h"
#include "eval/difference.h"
#include "verify/falsifier.h"

namespace qeb::verify {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

enum class Direction { ABOVE, BELOW };  // QNN - DNN > eps, or < -eps

// The model's input, recomputed exactly; throws ReplayError unless it violates the bound.
Counterexample replay(const quant::ModelPair& pair, const encodings::NetworkEncoding& enc, smt::Backend& backend,
                      std::size_t output, Direction direction, const Rational& eps) {
  Counterexample cex;
  cex.output = output;
  for (std::size_t k = 0; k < enc.input_offset.size(); ++k) {
    Rational v = enc.input_vars[k] ? backend.value(*enc.input_vars[k]) : Rational(0);
    cex.input.push_back(enc.input_offset[k] + boost::multiprecision::numerator(v).convert_to<int64_t>());
  }
  eval::PairOutput exact = eval::evaluate_pair(pair, cex.input);
  cex.qnn = exact.qnn[output];
  cex.dnn = exact.dnn[output];
  cex.diff = exact.diff[output];
  bool violates = direction == Direction::ABOVE ? cex.diff > eps : cex.diff < -eps;
  if (!violates)
    throw ReplayError(backend.name() + " returned a model for output " + std::to_string(output) +
                      " that does not replay: exact QNN - DNN = " + qeb::to_string(cex.diff) + " is within eps = " +
                      qeb::to_string(eps) + " (this is a qeb-smt or solver bug; please report it)");
  return cex;
}

}  // namespace

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::VERIFIED: return "verified";
    case Verdict::FALSIFIED: return "falsified";
    case Verdict::UNKNOWN: return "unknown";
  }
  return "?";
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
  auto note = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  auto remaining = [&]() { return options.timeout_seconds > 0 ? options.timeout_seconds - since(start) : 1e300; };
  VerifyResult result;
  result.encoding = options.encoding;
  result.backend = options.backend;
  std::unique_ptr<encodings::Encoding> encoding = encodings::make_encoding(options.encoding);

  // 1. DRA (always the sound semantics here: its bounds and phases are trusted below).
  auto t0 = Clock::now();
  result.dra = dra::run_dra(pair, box, {dra::DraMode::SYM, dra::Semantics::SOUND, true});
  result.dra_seconds = since(t0);
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);

  struct Query {
    std::size_t slot;
    Direction direction;
  };
  std::vector<Query> queries;
  for (std::size_t s = 0; s < outputs.size(); ++s) {
    OutputResult r;
    r.output = outputs[s];
    const dra::Interval& d = result.dra.output_delta()[outputs[s]];
    bool above_open = rational_from_double(d.hi) > options.eps;
    bool below_open = rational_from_double(d.lo) < -options.eps;
    if (!above_open && !below_open) {
      r.verdict = Verdict::VERIFIED;
      r.by_dra = true;
    }
    if (above_open) queries.push_back({s, Direction::ABOVE});
    if (below_open) queries.push_back({s, Direction::BELOW});
    result.outputs.push_back(r);
  }
  note("DRA: " + std::to_string(outputs.size() * 2 - queries.size()) + " of " + std::to_string(outputs.size() * 2) +
       " output directions proved in " + std::to_string(result.dra_seconds) + " s");

  // 2. A cheap attack on the outputs DRA left open: a counterexample ends the task.
  if (!queries.empty() && options.attack_samples > 0) {
    auto ta = Clock::now();
    std::vector<std::size_t> open;
    for (const Query& q : queries)
      if (open.empty() || open.back() != outputs[q.slot]) open.push_back(outputs[q.slot]);
    std::optional<Counterexample> found = attack(pair, box, open, options.eps, options.attack_samples);
    result.attack_seconds = since(ta);
    if (found) {
      for (OutputResult& r : result.outputs)
        if (r.output == found->output) {
          r.verdict = Verdict::FALSIFIED;
          r.by_attack = true;
          r.counterexample = found;
        }
      note("attack: counterexample for output " + std::to_string(found->output) + ", QNN - DNN = " +
           qeb::to_string(found->diff));
      if (options.stop_at_counterexample) {
        for (OutputResult& r : result.outputs)
          if (r.verdict == Verdict::UNKNOWN) r.reason = "not checked (a counterexample was found first)";
        result.verdict = Verdict::FALSIFIED;
        result.total_seconds = since(start);
        return result;
      }
      std::erase_if(queries, [&](const Query& q) { return outputs[q.slot] == found->output; });
    } else {
      note("attack: nothing found in " + std::to_string(result.attack_seconds) + " s");
    }
  }

  // 3. Encode the residual problem once.
  smt::TermManager terms;
  encodings::NetworkEncoding enc;
  if (!queries.empty()) {
    auto t1 = Clock::now();
    enc = encoding->encode(terms, {pair, box, result.dra, options.prune, options.difference_cuts});
    result.encode_seconds = since(t1);
    result.logic = enc.logic;
    result.assertions = enc.assertions.size();
    result.case_splits = enc.hidden_case_splits;
  }
  // diff_k = QNN_k - DNN_k, with its DRA bounds as redundant facts.
  auto diff_term = [&](std::size_t k) { return terms.mk(smt::Kind::SUB, {enc.qnn_output[k], enc.dnn_output[k]}); };
  std::vector<smt::Term> redundant;
  std::vector<smt::Term> violation(queries.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    std::size_t k = outputs[queries[q].slot];
    smt::Term diff = diff_term(k);
    const dra::Interval& d = result.dra.output_delta()[k];
    redundant.push_back(terms.mk(smt::Kind::GE, {diff, terms.real_const(rational_from_double(d.lo))}));
    redundant.push_back(terms.mk(smt::Kind::LE, {diff, terms.real_const(rational_from_double(d.hi))}));
    violation[q] = queries[q].direction == Direction::ABOVE
                       ? terms.mk(smt::Kind::GT, {diff, terms.real_const(options.eps)})
                       : terms.mk(smt::Kind::LT, {diff, terms.real_const(-options.eps)});
  }
  result.terms = terms.size();

  // 4. Solve: one solver, the network asserted once, one assumption literal per query.
  auto t2 = Clock::now();
  std::unique_ptr<smt::Backend> shared;
  auto fresh_backend = [&]() {
    smt::BackendOptions bo = options.backend_options;
    if (options.timeout_seconds > 0) bo.timeout_seconds = std::max(0.001, remaining());
    auto b = smt::make_backend(options.backend, terms, bo);
    for (smt::Term a : enc.assertions) b->assert_formula(a);
    for (smt::Term a : redundant) b->assert_formula(a);
    return b;
  };
  if (options.incremental && !queries.empty()) shared = fresh_backend();
  bool falsified = false;
  std::vector<bool> settled(outputs.size(), false);
  for (std::size_t s = 0; s < outputs.size(); ++s)
    if (result.outputs[s].verdict == Verdict::FALSIFIED) settled[s] = falsified = true;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    OutputResult& r = result.outputs[queries[q].slot];
    if (settled[queries[q].slot] || (falsified && options.stop_at_counterexample)) continue;
    if (remaining() <= 0) {
      r.verdict = Verdict::UNKNOWN;
      r.reason = "timeout";
      continue;
    }
    auto tq = Clock::now();
    std::unique_ptr<smt::Backend> own;
    smt::Backend* backend = shared.get();
    smt::SatResult answer;
    if (options.incremental) {
      smt::Term literal = terms.variable("violates_" + std::to_string(q), smt::Sort::boolean());
      backend->assert_formula(terms.implies(literal, violation[q]));
      answer = backend->check({literal});
    } else {
      own = fresh_backend();
      backend = own.get();
      backend->assert_formula(violation[q]);
      answer = backend->check();
    }
    ++r.solver_calls;
    ++result.solver_calls;
    r.seconds += since(tq);
    std::string what = "output " + std::to_string(r.output) +
                       (queries[q].direction == Direction::ABOVE ? " (QNN - DNN > eps)" : " (QNN - DNN < -eps)");
    if (answer == smt::SatResult::SAT) {
      r.counterexample = replay(pair, enc, *backend, r.output, queries[q].direction, options.eps);
      r.verdict = Verdict::FALSIFIED;
      settled[queries[q].slot] = true;
      falsified = true;
      note(what + ": counterexample, |QNN - DNN| = " + qeb::to_string(r.counterexample->diff));
    } else if (answer == smt::SatResult::UNSAT) {
      // Verified once every open direction of this output is unsat.
      bool other_open = false;
      for (std::size_t p = q + 1; p < queries.size(); ++p) other_open |= queries[p].slot == queries[q].slot;
      if (!other_open && r.reason.empty()) r.verdict = Verdict::VERIFIED;
      note(what + ": unsat in " + std::to_string(since(tq)) + " s");
    } else {
      r.verdict = Verdict::UNKNOWN;
      r.reason = backend->reason_unknown();
      if (r.reason.empty()) r.reason = "solver returned unknown";
      note(what + ": unknown (" + r.reason + ")");
    }
  }
  result.solve_seconds = since(t2);

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
