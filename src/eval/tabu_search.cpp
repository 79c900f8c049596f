#include "eval/tabu_search.h"

#include <algorithm>
#include <limits>
#include <random>

#include "eval/incremental_evaluator.h"

namespace qeb::eval {

std::size_t tabu_candidates(const quant::ModelPair& pair) {
  // One evaluation: the first layer's column update, then every later layer (only output g of the
  // last), in both networks.
  const auto& layers = pair.qnn.layers;
  double work = 2.0 * double(layers[0].outputs);
  for (std::size_t i = 1; i < layers.size(); ++i)
    work += 2.0 * double(layers[i].inputs) * double(i + 1 == layers.size() ? 1 : layers[i].outputs);
  return std::max<std::size_t>(16, std::size_t(kTabuStepWork / work));
}

TabuResult tabu_search(const quant::ModelPair& pair, const spec::Box& box, const std::vector<int64_t>& start,
                       const TabuOptions& options) {
  TabuResult result;
  result.best = start;
  IncrementalEvaluator evaluator(pair);
  evaluator.reset(start);
  const double sign = options.maximize ? 1.0 : -1.0;
  auto value = [&] { return sign * evaluator.difference(options.output); };
  double best = value();  // oriented (larger is better) until the end
  auto finish = [&] {
    result.best_value = sign * best;
    return result;
  };
  const std::vector<std::size_t> free = box.free_dimensions();
  uint64_t neighbourhood = 0;
  for (std::size_t k : free) neighbourhood += uint64_t(box.hi[k] - box.lo[k]);
  if (neighbourhood == 0) return finish();
  const std::size_t candidates = options.candidates ? options.candidates : tabu_candidates(pair);
  const bool every_move = neighbourhood <= candidates;
  // Below half the free coordinates, so that some move is always allowed.
  const int64_t tenure = int64_t(std::min(options.tenure, free.size() / 2));

  std::mt19937_64 rng(options.seed);
  // The step at which each coordinate last moved (far in the past: free to move).
  std::vector<int64_t> moved(start.size(), std::numeric_limits<int64_t>::min() / 2);
  uint64_t evaluations = 0;
  // The clock and the cancel flag are read every 256 evaluations.
  auto out_of_time = [&](bool now = false) {
    if ((++evaluations & 255) != 0 && !now) return false;
    return (options.cancel && options.cancel->load()) || std::chrono::steady_clock::now() >= options.deadline;
  };
  // Diversification: after this many steps without a new best, go on from the best point with an
  // eighth of the free coordinates (at least one) set at random, and forget the tabu list (a
  // deterministic walk on a small box can otherwise cycle short of the extreme).
  const int64_t stall_limit = 2 * int64_t(free.size()) + 50;
  int64_t last_improved = 0;
  uint64_t fruitless_restarts = 0;
  bool stop = false;
  for (int64_t step = 0; !stop && (options.max_steps == 0 || uint64_t(step) < options.max_steps); ++step) {
    if ((stop = out_of_time(true))) break;
    if (step - last_improved > stall_limit) {
      if (options.max_fruitless_restarts && ++fruitless_restarts > options.max_fruitless_restarts) break;
      evaluator.reset(result.best);
      for (std::size_t n = 0; n < std::max<std::size_t>(1, free.size() / 8); ++n) {
        const std::size_t k = free[rng() % free.size()];
        evaluator.set(k, std::uniform_int_distribution<int64_t>(box.lo[k], box.hi[k])(rng));
      }
      std::fill(moved.begin(), moved.end(), std::numeric_limits<int64_t>::min() / 2);
      last_improved = step;
    }
    double chosen = -std::numeric_limits<double>::infinity();
    std::size_t chosen_k = 0;
    int64_t chosen_v = 0;
    // Tries coordinate k at value v (not its current one) and keeps the best allowed move.
    auto consider = [&](std::size_t k, int64_t v) {
      const int64_t old = evaluator.point()[k];
      evaluator.set(k, v);
      const double next = value();
      evaluator.set(k, old);
      const bool tabu = step - moved[k] <= tenure;
      if ((!tabu || next > best) && next > chosen) chosen = next, chosen_k = k, chosen_v = v;
    };
    if (every_move) {
      for (std::size_t n = 0; n < free.size() && !stop; ++n) {
        const std::size_t k = free[n];
        for (int64_t v = box.lo[k]; v <= box.hi[k] && !stop; ++v)
          if (v != evaluator.point()[k]) consider(k, v), stop = out_of_time();
      }
    } else {
      for (std::size_t n = 0; n < candidates && !stop; ++n) {
        const std::size_t k = free[rng() % free.size()];
        const int64_t now = evaluator.point()[k];
        const int64_t v = (rng() & 1) ? now + ((rng() & 1) ? 1 : -1)
                                      : std::uniform_int_distribution<int64_t>(box.lo[k], box.hi[k])(rng);
        if (v >= box.lo[k] && v <= box.hi[k] && v != now) consider(k, v);
        stop = out_of_time();
      }
    }
    if (chosen == -std::numeric_limits<double>::infinity()) continue;  // stopped, or no sampled move allowed
    evaluator.set(chosen_k, chosen_v);
    moved[chosen_k] = step;
    ++result.steps;
    if (chosen > best) {
      best = chosen;
      result.best = evaluator.point();
      last_improved = step;
      fruitless_restarts = 0;
      if (options.on_best && !options.on_best(result.best, sign * best)) break;
    }
    if (options.after_chunk && options.chunk_steps > 0 && result.steps % options.chunk_steps == 0 &&
        !options.after_chunk(sign * best))
      break;
  }
  return finish();
}

}  // namespace qeb::eval
