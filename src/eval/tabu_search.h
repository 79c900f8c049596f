// Tabu search on the exact networks: the search for an input where QNN_g - DNN_g is extreme, for
// max-error lower bounds and counterexamples. Each step takes the best single-coordinate move among
// a candidate set, even a worsening one, and forbids moving that coordinate again for a few steps,
// so the walk leaves a local optimum without undoing itself. Measured where it pays: from an LP
// optimum rounded to the grid, the rounding of many hidden QNN neurons can be lined up at once
// (784-100-10 Q=8, radius 3: 0.164 in 30 s, where annealing from the same point reached 0.150 and
// from the search's best point 0.142). A heuristic: it proves nothing, and the points it returns
// are re-evaluated exactly by the caller.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::eval {

struct TabuOptions {
  std::size_t output = 0;
  bool maximize = true;  ///< maximise QNN_g - DNN_g, else minimise it
  uint64_t seed = 1;
  /// A coordinate just moved stays put for this many steps, unless moving it gives a new best.
  std::size_t tenure = 20;
  /// Moves evaluated per step: every value of every free coordinate when there are at most this
  /// many, else this many random ones (a neighbour or a random value of a random coordinate).
  /// 0: as many as cost about one step's work, kTabuStepWork (see tabu_candidates).
  std::size_t candidates = 0;
  uint64_t max_steps = 0;  ///< 0: until the deadline
  /// Stop after this many restarts in a row (see tabu_search) that found no new best: the walk has
  /// settled, and the caller can use the time better (0: never).
  uint64_t max_fruitless_restarts = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;  ///< set by another thread to stop (may be null)
  /// Called with each new best point and its value (QNN_g - DNN_g, double); false stops. May be empty.
  std::function<bool(const std::vector<int64_t>&, double)> on_best;
  /// Called after every `chunk_steps` steps with the best value so far (QNN_g - DNN_g, double);
  /// false stops. A caller may pause in it (bab: pacing beside the workers). May be empty.
  uint64_t chunk_steps = 250;
  std::function<bool(double)> after_chunk;
};

struct TabuResult {
  std::vector<int64_t> best;  ///< the best point visited (approximate value: re-check exactly)
  double best_value = 0;      ///< QNN_g - DNN_g there, in double
  uint64_t steps = 0;
};

/// Multiply-adds per step when TabuOptions::candidates is 0. Measured on RQ_2 networks at radius 3:
/// 784-100-10 gets all ~4,700 moves per step, 784-100x3-10 about 50, and both make progress fastest
/// there (784-100x3-10 Q=4 sample 3236, 30 s: 64 candidates reached |QNN - DNN| = 2.12, 16 reached
/// 2.01, 256 reached 2.00 and every move 1.86).
constexpr double kTabuStepWork = 2e6;

/** The candidates per step that cost about kTabuStepWork (at least 16), from the networks' sizes. */
std::size_t tabu_candidates(const quant::ModelPair& pair);

/** Tabu search from `start` inside `box` until the deadline, max_steps, cancel or on_best says stop. */
TabuResult tabu_search(const quant::ModelPair& pair, const spec::Box& box, const std::vector<int64_t>& start,
                       const TabuOptions& options);

}  // namespace qeb::eval
