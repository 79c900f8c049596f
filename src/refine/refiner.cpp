#include "refine/refiner.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/deadline.h"
#include "core/error.h"
#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"
#include "quant/quantize.h"
#include "refine/blame.h"

namespace qeb::refine {

namespace {

using Clock = std::chrono::steady_clock;

Rational abs(const Rational& r) { return r < 0 ? Rational(-r) : r; }

std::vector<std::size_t> outputs_of(const RefineRegion& region, std::size_t count) {
  if (!region.outputs.empty()) return region.outputs;
  std::vector<std::size_t> all(count);
  std::iota(all.begin(), all.end(), 0);
  return all;
}

class Search {
 public:
  Search(const model::Network& dnn, const SearchSpace& space, const std::vector<RefineRegion>& regions,
         const RefineOptions& options, RefineResult& result)
      : d_dnn(dnn), d_space(space), d_regions(regions), d_options(options), d_result(result),
        d_region_order(regions.size()) {
    std::iota(d_region_order.begin(), d_region_order.end(), 0);
    d_result.blame_weight.assign(space.size(), 0.0);
  }

  void run() {
    CostOrder order(d_space, d_options.cost);
    for (std::vector<Bits> tier = order.next_tier(); !tier.empty(); tier = order.next_tier()) {
      while (!tier.empty()) {
        if (limit_reached()) return;
        // Equal cost: the candidate giving most bits to the most-blamed variables goes first.
        auto best = std::max_element(tier.begin(), tier.end(),
                                     [&](const Bits& a, const Bits& b) { return score(a) < score(b); });
        Bits bits = *best;
        tier.erase(best);
        Attempt attempt = evaluate(bits, order.tier_cost());
        d_result.trajectory.push_back(attempt);
        report(attempt);
        if (attempt.outcome == Outcome::VERIFIED) {
          d_result.chosen = bits;
          d_result.config = attempt.config;
          d_result.cost = attempt.cost;
          return;
        }
      }
    }
    d_result.exhausted = true;
    d_result.stop_reason = "space exhausted: no candidate verified on every region";
  }

 private:
  bool limit_reached() {
    if (d_options.timeout > 0 && seconds_since(d_start) >= d_options.timeout) {
      d_result.stop_reason = "timeout";
      return true;
    }
    if (d_options.max_candidates > 0 && d_result.trajectory.size() >= d_options.max_candidates) {
      d_result.stop_reason = "candidate limit";
      return true;
    }
    return false;
  }

  double score(const Bits& bits) const {
    double s = 0;
    for (std::size_t v = 0; v < bits.size(); ++v) s += d_result.blame_weight[v] * (bits[v] - d_space.ranges[v].lo);
    return s;
  }

  void note(const std::string& line) const {
    if (d_options.progress) d_options.progress(line);
  }

  void report(const Attempt& a) const {
    note("#" + std::to_string(d_result.trajectory.size() - 1) + " " + d_space.describe(a.bits) + " (cost " +
         std::to_string(a.cost) + "): " + to_string(a.outcome) + (a.reason.empty() ? "" : ", " + a.reason) + " [" +
         std::to_string(a.seconds) + " s]");
  }

  // Records the counterexample's blame on the attempt and adds its shares to the running weights.
  void assign_blame(Attempt& a, const std::vector<int64_t>& x, std::size_t output, const Rational& dnn_output) {
    Blame b = blame(d_space, d_dnn, a.bits, x, output, dnn_output);
    a.blamed = b.blamed;
    Rational total = 0;
    for (const Rational& r : b.reduction)
      if (r > 0) total += r;
    if (total > 0)
      for (std::size_t v = 0; v < b.reduction.size(); ++v)
        if (b.reduction[v] > 0) d_result.blame_weight[v] += to_double(b.reduction[v] / total);
    if (b.blamed) a.reason += "; blame " + d_space.names[*b.blamed];
  }

  // Cheap rejection: the pool's counterexamples (newest first) on the exact evaluators.
  bool rejected_by_pool(Attempt& a, const quant::ModelPair& pair) {
    for (std::size_t i = d_result.pool.size(); i-- > 0;) {
      const PoolEntry& e = d_result.pool[i];
      eval::QnnOutput q = eval::eval_qnn(pair.qnn, e.input);
      for (std::size_t k : outputs_of(d_regions[e.region], pair.qnn.output_size())) {
        Rational diff = q.value(k) - e.dnn[k];
        if (abs(diff) <= d_options.eps) continue;
        a.outcome = Outcome::POOL;
        a.pool_entry = i;
        a.region = e.region;
        a.output = k;
        a.diff = diff;
        a.reason = "pool counterexample " + std::to_string(i) + " (region " + std::to_string(e.region) + ", output " +
                   std::to_string(k) + ", QNN - DNN = " + std::to_string(to_double(diff)) + ")";
        assign_blame(a, e.input, k, e.dnn[k]);
        return true;
      }
    }
    return false;
  }

  Attempt evaluate(const Bits& bits, uint64_t cost) {
    auto start = Clock::now();
    Attempt a;
    a.bits = bits;
    a.cost = cost;
    quant::QuantConfig config = d_space.config(bits);
    a.config = config.to_string();
    quant::ModelPair pair;
    try {
      pair = quant::make_pair(d_dnn, config);
    } catch (const Error& e) {
      a.outcome = Outcome::INVALID;  // e.g. more fractional bits in an activation than its accumulator has
      a.reason = e.what();
      a.seconds = seconds_since(start);
      return a;
    }
    if (rejected_by_pool(a, pair)) {
      a.seconds = seconds_since(start);
      return a;
    }
    std::vector<RegionEvidence> evidence;
    for (std::size_t slot = 0; slot < d_region_order.size(); ++slot) {
      std::size_t r = d_region_order[slot];
      verify::VerifyOptions vo = d_options.verify;
      vo.eps = d_options.eps;
      vo.outputs = d_regions[r].outputs;
      vo.progress = nullptr;
      vo.stop_at_counterexample = true;
      double budget = 1e300;
      if (d_options.candidate_timeout > 0) budget = d_options.candidate_timeout - seconds_since(start);
      if (d_options.timeout > 0) budget = std::min(budget, d_options.timeout - seconds_since(d_start));
      vo.timeout_seconds = budget < 1e299 ? budget : 0;
      a.region = r;
      if (budget <= 0) {
        a.outcome = Outcome::UNKNOWN;
        a.reason = "region " + std::to_string(r) + ": no time left in the candidate's budget";
        break;
      }
      verify::VerifyResult vr = verify::verify(pair, d_regions[r].box, vo);
      if (vr.verdict == verify::Verdict::FALSIFIED) {
        const verify::OutputResult& o = *std::find_if(vr.outputs.begin(), vr.outputs.end(),
                                                      [](const verify::OutputResult& o) { return o.counterexample.has_value(); });
        const verify::Counterexample& c = *o.counterexample;
        PoolEntry entry{r, c.input, eval::eval_dnn_exact(d_dnn, c.input, config.input_scale), d_result.trajectory.size()};
        a.outcome = Outcome::FALSIFIED;
        a.output = c.output;
        a.diff = c.diff;
        a.reason = "region " + std::to_string(r) + ": counterexample " + std::to_string(d_result.pool.size()) +
                   " by " + (o.decided_by == verify::Stage::ATTACK ? "attack" : "solver") + ", output " + std::to_string(c.output) +
                   ", QNN - DNN = " + std::to_string(to_double(c.diff));
        assign_blame(a, c.input, c.output, entry.dnn[c.output]);
        d_result.pool.push_back(std::move(entry));
        // The region that found a counterexample is tried first next time.
        std::rotate(d_region_order.begin(), d_region_order.begin() + slot, d_region_order.begin() + slot + 1);
        break;
      }
      if (vr.verdict == verify::Verdict::UNKNOWN) {
        a.outcome = Outcome::UNKNOWN;
        std::string why;
        for (const verify::OutputResult& o : vr.outputs)
          if (o.verdict == verify::Verdict::UNKNOWN && why.empty()) why = o.reason;
        a.reason = "region " + std::to_string(r) + ": unknown (" + (why.empty() ? "no reason given" : why) + ")";
        break;
      }
      bool all_dra = std::all_of(vr.outputs.begin(), vr.outputs.end(), [](const verify::OutputResult& o) { return o.decided_by == verify::Stage::DRA; });
      evidence.push_back({r, all_dra ? "DRA" : "SMT", vr.solver_calls, vr.total_seconds});
    }
    if (evidence.size() == d_regions.size()) {
      a.outcome = Outcome::VERIFIED;
      a.region.reset();
      std::sort(evidence.begin(), evidence.end(), [](const RegionEvidence& x, const RegionEvidence& y) { return x.region < y.region; });
      d_result.evidence = std::move(evidence);
    }
    a.seconds = seconds_since(start);
    return a;
  }

  const model::Network& d_dnn;
  const SearchSpace& d_space;
  const std::vector<RefineRegion>& d_regions;
  const RefineOptions& d_options;
  RefineResult& d_result;
  std::vector<std::size_t> d_region_order;
  Clock::time_point d_start = Clock::now();
};

}  // namespace

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::VERIFIED: return "verified";
    case Outcome::INVALID: return "invalid";
    case Outcome::POOL: return "rejected by pool";
    case Outcome::FALSIFIED: return "falsified";
    case Outcome::UNKNOWN: return "unknown";
  }
  return "?";
}

RefineResult refine(const model::Network& dnn, const SearchSpace& space, const std::vector<RefineRegion>& regions,
                    const RefineOptions& options) {
  auto start = Clock::now();
  if (regions.empty()) throw OptionError("refine needs at least one region");
  if (options.eps < 0) throw OptionError("--eps must be non-negative");
  if (auto why = verify::incompatibility(options.verify.backend, options.verify.encoding))
    throw OptionError("--backend " + options.verify.backend + " with --encoding " + options.verify.encoding + ": " + *why);
  RefineResult result;
  Search(dnn, space, regions, options, result).run();
  if (result.chosen)
    for (const Attempt& a : result.trajectory)
      if (a.cost < result.cost && a.outcome == Outcome::UNKNOWN) ++result.cheaper_undecided;
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace qeb::refine
