// Partitioned verification: the input box is bisected where DRA gains most, and the parts are
// verified by a pool of workers (threads here; MPI ranks in the MPI build) until every part is
// verified, a counterexample is found (it cancels the rest), or the limits are reached.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "verify/verifier.h"

namespace qeb::partition {

struct PartitionOptions {
  unsigned jobs = 1;              ///< worker threads, each with its own solver
  unsigned max_depth = 12;        ///< parts deeper than this are not split again
  double part_timeout = 5;        ///< solver budget of one part before it is split (seconds)
  uint64_t part_attack_samples = 200;  ///< attack budget per part below the root
  std::size_t split_candidates = 8;
  /// Parts with at most this many integer points are decided by exact enumeration (the oracle)
  /// instead of a solver: about 5 us per point on 784-100-10, and the answer is exact.
  uint64_t enumerate_limit = 100'000;
  /// Parts shallower than this get DRA and the attack but no solver: splitting first gives every
  /// worker something to do and DRA more to prove.
  unsigned solver_depth = 2;
  /// Split neurons instead of inputs: parts are branch-and-bound nodes of one output direction
  /// (see solve_part), for boxes with too many free inputs for bisection to pay.
  bool split_neurons = false;
  uint64_t part_nodes = 64;       ///< with split_neurons: branch-and-bound nodes per part
};

/** One part's outcome, for the report. */
struct PartRecord {
  unsigned depth = 0;
  std::vector<std::size_t> path;  ///< the split coordinates from the root
  double gap = 0;                 ///< what DRA left open over the part when it was made (see Part)
  verify::Verdict verdict = verify::Verdict::UNKNOWN;
  std::string how;                ///< "DRA", "attack", "solver", "enumeration", "split", or why it stayed unknown
  double seconds = 0;
};

struct PartitionResult {
  verify::Verdict verdict = verify::Verdict::UNKNOWN;
  std::string reason;                        ///< for unknown
  std::optional<verify::Counterexample> counterexample;
  std::vector<PartRecord> parts;             ///< in completion order
  unsigned max_depth_reached = 0;
  unsigned workers = 1;                      ///< threads, or MPI ranks that verified parts
  double wall_seconds = 0;
  double busy_seconds = 0;                   ///< summed over parts: the time one worker would need
};

struct PartOutcome;

/** Collects part outcomes into a PartitionResult (shared by the thread pool and the MPI coordinator). */
class Tally {
 public:
  explicit Tally(std::chrono::steady_clock::time_point start);
  /** Records one part; true iff it holds a counterexample (which ends the task). */
  bool add(PartOutcome outcome);
  /** The time ran out with parts still to do. */
  void timed_out();
  /** The verdict: falsified by any part, verified iff every part was (and none is left). */
  PartitionResult finish(bool parts_left);

 private:
  std::chrono::steady_clock::time_point d_start;
  PartitionResult d_result;
  std::size_t d_undecided = 0;
};

/**
 * Decides the task by partitioning. `options.timeout_seconds` bounds the whole run; each part runs
 * `verify::verify` with min(part_timeout, time left). Throws what verify throws (e.g. ReplayError).
 */
PartitionResult verify_partitioned(const quant::ModelPair& pair, const spec::Box& box,
                                   const verify::VerifyOptions& options, const PartitionOptions& partition);

}  // namespace qeb::partition
