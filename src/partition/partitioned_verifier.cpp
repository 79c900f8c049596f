#include "partition/partitioned_verifier.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "eval/difference.h"
#include "eval/oracle.h"
#include "partition/split.h"

namespace qeb::partition {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Part {
  spec::Box box;
  unsigned depth = 0;
  std::vector<std::size_t> path;
};

/** The shared state of one partitioned run: a queue of parts, the workers' progress, the verdict. */
class Coordinator {
 public:
  Coordinator(const quant::ModelPair& pair, const verify::VerifyOptions& options, const PartitionOptions& partition)
      : d_pair(pair), d_options(options), d_partition(partition), d_start(Clock::now()) {
    d_outputs = options.outputs;
    if (d_outputs.empty())
      for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) d_outputs.push_back(j);
  }

  PartitionResult run(const spec::Box& box) {
    d_queue.push_back({box, 0, {}});
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < std::max(1u, d_partition.jobs); ++w) workers.emplace_back([this] { work(); });
    for (auto& t : workers) t.join();
    if (d_error) std::rethrow_exception(d_error);
    d_result.wall_seconds = since(d_start);
    if (d_result.verdict != verify::Verdict::FALSIFIED) {
      bool all_verified = !d_result.parts.empty() && d_unknown_leaves == 0 && d_queue.empty();
      d_result.verdict = all_verified ? verify::Verdict::VERIFIED : verify::Verdict::UNKNOWN;
      if (!all_verified && d_result.reason.empty())
        d_result.reason = std::to_string(d_unknown_leaves) + " part(s) undecided at the depth or time limit";
    }
    return std::move(d_result);
  }

 private:
  double remaining() const {
    return d_options.timeout_seconds > 0 ? d_options.timeout_seconds - since(d_start) : 1e300;
  }

  void work() {
    while (true) {
      Part part;
      {
        std::unique_lock lock(d_mutex);
        d_wake.wait(lock, [&] { return !d_queue.empty() || d_busy == 0 || d_cancel.load(); });
        if (d_cancel.load() || d_queue.empty()) {
          d_wake.notify_all();
          return;
        }
        part = std::move(d_queue.front());
        d_queue.pop_front();
        ++d_busy;
      }
      try {
        process(part);
      } catch (...) {
        std::lock_guard lock(d_mutex);
        if (!d_error) d_error = std::current_exception();
        d_cancel = true;
      }
      {
        std::lock_guard lock(d_mutex);
        --d_busy;
      }
      d_wake.notify_all();
    }
  }

  void process(const Part& part) {
    auto t = Clock::now();
    PartRecord record;
    record.depth = part.depth;
    record.path = part.path;
    double left = remaining();
    if (left <= 0) {
      record.how = "timeout";
      finish(record, t, /*unknown_leaf=*/true);
      d_cancel = true;
      std::lock_guard lock(d_mutex);
      d_result.reason = "timeout";
      return;
    }
    if (part.box.point_count() <= d_partition.enumerate_limit) {
      enumerate(part.box, record);
      finish(record, t, false);
      return;
    }
    verify::VerifyOptions o = d_options;
    o.timeout_seconds = std::min(left, d_partition.part_timeout);
    o.use_solver = part.depth >= d_partition.solver_depth;
    if (part.depth > 0) o.attack_samples = std::min(o.attack_samples, d_partition.part_attack_samples);
    o.cancel = &d_cancel;
    o.progress = nullptr;
    verify::VerifyResult r = verify::verify(d_pair, part.box, o);
    record.verdict = r.verdict;
    if (r.verdict == verify::Verdict::FALSIFIED) {
      for (const verify::OutputResult& out : r.outputs)
        if (out.counterexample) {
          record.how = out.by_attack ? "attack" : "solver";
          std::lock_guard lock(d_mutex);
          if (!d_result.counterexample) d_result.counterexample = out.counterexample;
          d_result.verdict = verify::Verdict::FALSIFIED;
          break;
        }
      d_cancel = true;
      finish(record, t, false);
      return;
    }
    if (r.verdict == verify::Verdict::VERIFIED) {
      bool by_dra = std::all_of(r.outputs.begin(), r.outputs.end(), [](const verify::OutputResult& x) { return x.by_dra; });
      record.how = by_dra ? "DRA" : "solver";
      finish(record, t, false);
      return;
    }
    if (d_cancel.load()) {
      record.how = "cancelled";
      finish(record, t, false);
      return;
    }
    std::optional<Split> split;
    if (part.depth < d_partition.max_depth)
      split = choose_split(d_pair, part.box, d_outputs, d_options.eps, d_partition.split_candidates);
    if (!split) {
      record.how = part.depth < d_partition.max_depth ? "single point undecided" : "depth limit";
      finish(record, t, true);
      return;
    }
    auto [low, high] = bisect(part.box, *split);
    record.how = "split";
    {
      std::lock_guard lock(d_mutex);
      std::vector<std::size_t> path = part.path;
      path.push_back(split->dimension);
      d_queue.push_back({std::move(low), part.depth + 1, path});
      d_queue.push_back({std::move(high), part.depth + 1, path});
    }
    d_wake.notify_all();
    finish(record, t, false);
  }

  // Exact enumeration of a small part: verified, or falsified with the worst point as counterexample.
  void enumerate(const spec::Box& box, PartRecord& record) {
    eval::OracleOptions oo;
    oo.exhaustive_limit = d_partition.enumerate_limit;
    oo.outputs = d_outputs;
    eval::OracleResult range = eval::run_oracle(d_pair, box, oo);
    record.how = "enumeration";
    record.verdict = verify::Verdict::VERIFIED;
    const Rational& eps = d_options.eps;
    for (const eval::OutputRange& o : range.outputs)
      for (const eval::Witness* w : {&o.max, &o.min}) {
        if (-eps <= w->diff && w->diff <= eps) continue;
        verify::Counterexample c;
        c.output = o.output;
        c.input = w->input;
        eval::PairOutput exact = eval::evaluate_pair(d_pair, c.input);
        c.qnn = exact.qnn[o.output];
        c.dnn = exact.dnn[o.output];
        c.diff = exact.diff[o.output];
        record.verdict = verify::Verdict::FALSIFIED;
        std::lock_guard lock(d_mutex);
        if (!d_result.counterexample) d_result.counterexample = c;
        d_result.verdict = verify::Verdict::FALSIFIED;
        d_cancel = true;
        return;
      }
  }

  void finish(PartRecord& record, Clock::time_point t, bool unknown_leaf) {
    record.seconds = since(t);
    std::lock_guard lock(d_mutex);
    d_result.busy_seconds += record.seconds;
    d_result.max_depth_reached = std::max(d_result.max_depth_reached, record.depth);
    d_unknown_leaves += unknown_leaf;
    d_result.parts.push_back(std::move(record));
  }

  const quant::ModelPair& d_pair;
  const verify::VerifyOptions& d_options;
  const PartitionOptions& d_partition;
  const Clock::time_point d_start;
  std::vector<std::size_t> d_outputs;

  std::mutex d_mutex;
  std::condition_variable d_wake;
  std::deque<Part> d_queue;
  unsigned d_busy = 0;
  std::size_t d_unknown_leaves = 0;
  std::atomic<bool> d_cancel{false};
  std::exception_ptr d_error;
  PartitionResult d_result;
};

}  // namespace

PartitionResult verify_partitioned(const quant::ModelPair& pair, const spec::Box& box,
                                   const verify::VerifyOptions& options, const PartitionOptions& partition) {
  Coordinator coordinator(pair, options, partition);
  return coordinator.run(box);
}

}  // namespace qeb::partition
