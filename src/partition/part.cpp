#include "partition/part.h"

#include <chrono>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "partition/split.h"

namespace qeb::partition {

namespace {

using Clock = std::chrono::steady_clock;

// Exact enumeration of a small part: verified, or falsified with the worst point as counterexample.
void enumerate(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
               const Rational& eps, uint64_t limit, PartOutcome& out) {
  eval::OracleOptions oo;
  oo.exhaustive_limit = limit;
  oo.outputs = outputs;
  eval::OracleResult range = eval::run_oracle(pair, box, oo);
  out.record.how = "enumeration";
  out.record.verdict = verify::Verdict::VERIFIED;
  for (const eval::OutputRange& o : range.outputs)
    for (const eval::Witness* w : {&o.max, &o.min}) {
      if (-eps <= w->diff && w->diff <= eps) continue;
      verify::Counterexample c;
      c.output = o.output;
      c.input = w->input;
      eval::PairOutput exact = eval::evaluate_pair(pair, c.input);
      c.qnn = exact.qnn[o.output];
      c.dnn = exact.dnn[o.output];
      c.diff = exact.diff[o.output];
      out.record.verdict = verify::Verdict::FALSIFIED;
      out.counterexample = c;
      return;
    }
}

}  // namespace

std::vector<std::size_t> checked_outputs(const quant::ModelPair& pair, const verify::VerifyOptions& options) {
  std::vector<std::size_t> outputs = options.outputs;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);
  return outputs;
}

PartOutcome solve_part(const quant::ModelPair& pair, const Part& part, const verify::VerifyOptions& options,
                       const PartitionOptions& partition, const std::vector<std::size_t>& outputs, double time_left,
                       const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  PartOutcome out;
  out.record.depth = part.depth;
  out.record.path = part.path;
  out.record.gap = part.gap;
  auto done = [&]() -> PartOutcome {
    out.record.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return std::move(out);
  };
  if (part.box.point_count() <= partition.enumerate_limit) {
    enumerate(pair, part.box, outputs, options.eps, partition.enumerate_limit, out);
    return done();
  }
  verify::VerifyOptions o = options;
  o.outputs = outputs;
  o.timeout_seconds = std::min(time_left, partition.part_timeout);
  o.use_solver = part.depth >= partition.solver_depth;
  if (part.depth > 0) o.attack_samples = std::min(o.attack_samples, partition.part_attack_samples);
  o.cancel = cancel;
  o.progress = nullptr;
  verify::VerifyResult r = verify::verify(pair, part.box, o);
  out.record.verdict = r.verdict;
  if (r.verdict == verify::Verdict::FALSIFIED) {
    for (const verify::OutputResult& x : r.outputs)
      if (x.counterexample) {
        out.record.how = x.decided_by == verify::Stage::ATTACK ? "attack" : "solver";
        out.counterexample = x.counterexample;
        break;
      }
    return done();
  }
  if (r.verdict == verify::Verdict::VERIFIED) {
    bool by_dra = std::all_of(r.outputs.begin(), r.outputs.end(), [](const verify::OutputResult& x) { return x.decided_by == verify::Stage::DRA; });
    out.record.how = by_dra ? "DRA" : "solver";
    return done();
  }
  if (cancel && cancel->load()) {
    out.record.how = "cancelled";
    return done();
  }
  std::optional<Split> split;
  if (part.depth < partition.max_depth)
    split = choose_split(pair, part.box, outputs, options.eps, partition.split_candidates);
  if (!split) {
    out.record.how = part.depth < partition.max_depth ? "single point undecided" : "depth limit";
    out.undecided_leaf = true;
    return done();
  }
  auto [low, high] = bisect(part.box, *split);
  out.record.how = "split";
  std::vector<std::size_t> path = part.path;
  path.push_back(split->dimension);
  out.children.push_back({std::move(low), part.depth + 1, path, split->low_gap});
  out.children.push_back({std::move(high), part.depth + 1, path, split->high_gap});
  return done();
}

}  // namespace qeb::partition
