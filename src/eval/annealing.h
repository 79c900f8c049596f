// Simulated annealing on the exact networks: the search for an input where QNN_g - DNN_g is
// extreme, for counterexamples and max-error lower bounds. Coordinate hill-climbing stalls on the
// QNN's plateaus (a coarse QNN's output moves in steps, so no single-pixel move improves); accepting
// worse moves now and then walks across them. A heuristic: it proves nothing, and the points it
// returns are re-evaluated exactly by the caller.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <vector>

#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::eval {

struct AnnealOptions {
  std::size_t output = 0;
  bool maximize = true;  ///< maximise QNN_g - DNN_g, else minimise it
  uint64_t seed = 1;
  uint64_t max_moves = 0;  ///< 0: until the deadline
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;  ///< set by another thread to stop (may be null)
  /// Called after each cooling epoch with the best point so far and its value; false stops.
  std::function<bool(const std::vector<int64_t>&, double)> after_epoch;
};

struct AnnealResult {
  std::vector<int64_t> best;  ///< the best point visited (approximate value: re-check exactly)
  double best_value = 0;      ///< QNN_g - DNN_g there, in double
  uint64_t moves = 0;
};

/**
 * Annealing from `start` inside `box`: cooling epochs of 1000 moves per free coordinate, each from
 * the best point so far, the temperature falling geometrically from 0.3 to 0.003 times the typical
 * move's change (slow cooling measured best on the MNIST networks at Q = 4), until the deadline,
 * max_moves or cancel. Each move sets one free coordinate to a neighbour or a random value.
 */
AnnealResult anneal(const quant::ModelPair& pair, const spec::Box& box, const std::vector<int64_t>& start,
                    const AnnealOptions& options);

}  // namespace qeb::eval
