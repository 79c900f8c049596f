#include "partition/partitioned_verifier.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/deadline.h"
#include "partition/part_queue.h"

namespace qeb::partition {

namespace {

using Clock = std::chrono::steady_clock;

/** The shared state of one run on threads: a queue of parts, the workers' progress, the verdict. */
class Coordinator {
 public:
  Coordinator(const quant::ModelPair& pair, const verify::VerifyOptions& options, const PartitionOptions& partition)
      : d_pair(pair), d_options(options), d_partition(partition), d_outputs(checked_outputs(pair, options)),
        d_start(Clock::now()), d_tally(d_start) {}

  PartitionResult run(const spec::Box& box) {
    d_queue.push(Part::of_box(box));
    std::vector<std::thread> workers;
    for (unsigned w = 0; w < std::max(1u, d_partition.jobs); ++w) workers.emplace_back([this] { work(); });
    for (auto& t : workers) t.join();
    if (d_error) std::rethrow_exception(d_error);
    PartitionResult r = d_tally.finish(!d_queue.empty());
    r.workers = std::max(1u, d_partition.jobs);
    return r;
  }

 private:
  double remaining() const {
    return d_options.timeout_seconds > 0 ? d_options.timeout_seconds - seconds_since(d_start) : 1e300;
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
        part = d_queue.pop();
        ++d_busy;
      }
      try {
        double left = remaining();
        if (left <= 0) {
          std::lock_guard lock(d_mutex);
          d_tally.timed_out();
          d_cancel = true;
        } else {
          PartOutcome out = solve_part(d_pair, part, d_options, d_partition, d_outputs, left, &d_cancel);
          std::lock_guard lock(d_mutex);
          for (Part& child : out.children) d_queue.push(std::move(child));
          out.children.clear();
          if (d_tally.add(std::move(out))) d_cancel = true;  // a counterexample ends the task
        }
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

  const quant::ModelPair& d_pair;
  const verify::VerifyOptions& d_options;
  const PartitionOptions& d_partition;
  const std::vector<std::size_t> d_outputs;
  const Clock::time_point d_start;

  std::mutex d_mutex;
  std::condition_variable d_wake;
  PartQueue d_queue;
  unsigned d_busy = 0;
  std::atomic<bool> d_cancel{false};
  std::exception_ptr d_error;
  Tally d_tally;
};

}  // namespace

Tally::Tally(std::chrono::steady_clock::time_point start) : d_start(start) {}

bool Tally::add(PartOutcome out) {
  d_result.busy_seconds += out.record.seconds;
  d_result.max_depth_reached = std::max(d_result.max_depth_reached, out.record.depth);
  d_undecided += out.undecided_leaf;
  bool falsified = out.counterexample.has_value();
  if (falsified && !d_result.counterexample) {
    d_result.counterexample = std::move(out.counterexample);
    d_result.verdict = verify::Verdict::FALSIFIED;
  }
  d_result.parts.push_back(std::move(out.record));
  return falsified;
}

void Tally::timed_out() {
  d_result.reason = "timeout";
  ++d_undecided;
}

PartitionResult Tally::finish(bool parts_left) {
  d_result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - d_start).count();
  if (d_result.verdict != verify::Verdict::FALSIFIED) {
    bool all_verified = !d_result.parts.empty() && d_undecided == 0 && !parts_left;
    d_result.verdict = all_verified ? verify::Verdict::VERIFIED : verify::Verdict::UNKNOWN;
    if (!all_verified && d_result.reason.empty())
      d_result.reason = std::to_string(d_undecided) + " part(s) undecided at the depth limit";
  }
  return std::move(d_result);
}

PartitionResult verify_partitioned(const quant::ModelPair& pair, const spec::Box& box,
                                   const verify::VerifyOptions& options, const PartitionOptions& partition) {
  Coordinator coordinator(pair, options, partition);
  return coordinator.run(box);
}

}  // namespace qeb::partition
