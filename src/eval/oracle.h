// The ground truth: exact extreme differences QNN - DNN per output over a region.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rational.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::eval {

struct OracleOptions {
  uint64_t exhaustive_limit = 1'000'000;  ///< enumerate every point when the box has at most this many
  uint64_t random_samples = 20'000;       ///< otherwise: uniform samples ...
  uint64_t climb_evaluations = 20'000;    ///< ... then coordinate hill-climbing per output and direction
  /// Sampling only: then simulated annealing per output and direction for this long (seconds).
  double anneal_seconds = 0;
  uint64_t seed = 1;
  std::vector<std::size_t> outputs;       ///< outputs to report; empty means all
  /// Sampling only: points of the box visited first (e.g. an LP optimum rounded to the grid), so
  /// the hill-climbing can start from them.
  std::vector<std::vector<int64_t>> seeds;
  /// Sampling only: which extremes the gradient steps and hill-climbing search (both by default).
  bool search_max = true, search_min = true;
  /// Sampling only: stop sampling and climbing at this time (the answer stays exact for the points
  /// evaluated). Default: no deadline.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// Sampling only: set by another thread to stop as at the deadline (may be null).
  const std::atomic<bool>* cancel = nullptr;
  /// Called now and then with (points evaluated, points planned); may be empty.
  std::function<void(uint64_t, uint64_t)> progress;
};

/** An extreme difference with an input attaining it. */
struct Witness {
  Rational diff;  ///< exact QNN - DNN at `input`
  std::vector<int64_t> input;
};

struct OutputRange {
  std::size_t output = 0;
  Witness max, min;
  /** max |QNN - DNN| over what was evaluated. */
  Rational max_abs() const { return max.diff > -min.diff ? max.diff : Rational(-min.diff); }
};

struct OracleResult {
  /// true: [min, max] is the exact range of QNN - DNN over the region.
  /// false: the region was sampled; max is a lower bound of the true max, min an upper bound of the true min.
  bool exhaustive = false;
  uint64_t points_evaluated = 0;
  uint64_t exact_evaluations = 0;  ///< candidates re-evaluated in exact arithmetic
  uint64_t full_evaluations = 0;   ///< of those, the ones whose first-layer state was new (the rest reused it)
  std::vector<OutputRange> outputs;
};

/**
 * Exhaustive when box.point_count() <= exhaustive_limit: each point is evaluated fast with a
 * rigorous error bound, and every point that may be extreme is re-evaluated exactly, so the
 * result is exact. Otherwise random sampling plus hill-climbing, every reported value exact.
 */
OracleResult run_oracle(const quant::ModelPair& pair, const spec::Box& box, const OracleOptions& options = {});

}  // namespace qeb::eval
