#include "eval/annealing.h"

#include <cmath>
#include <random>

#include "eval/incremental_evaluator.h"

namespace qeb::eval {

AnnealResult anneal(const quant::ModelPair& pair, const spec::Box& box, const std::vector<int64_t>& start,
                    const AnnealOptions& options) {
  AnnealResult result;
  result.best = start;
  const std::vector<std::size_t> free = box.free_dimensions();
  IncrementalEvaluator evaluator(pair);
  evaluator.reset(start);
  const double sign = options.maximize ? 1.0 : -1.0;
  auto value = [&] { return sign * evaluator.difference(options.output); };
  double current = value();
  result.best_value = current;  // oriented (larger is better) until the end
  auto finish = [&] {
    result.best_value *= sign;
    return result;
  };
  if (free.empty()) return finish();

  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  // A move: a free coordinate k to a neighbour or a random value v of its range (false: none).
  auto propose = [&](std::size_t& k, int64_t& v) {
    k = free[rng() % free.size()];
    const int64_t now = evaluator.point()[k];
    v = (rng() & 1) ? now + ((rng() & 1) ? 1 : -1) : std::uniform_int_distribution<int64_t>(box.lo[k], box.hi[k])(rng);
    return v >= box.lo[k] && v <= box.hi[k] && v != now;
  };
  // The clock and the cancel flag are read every 256 moves, and between epochs (`now`).
  auto out_of_time = [&](bool now = false) {
    if (options.max_moves && result.moves >= options.max_moves) return true;
    if (!now && (result.moves & 255) != 0) return false;
    return (options.cancel && options.cancel->load()) || std::chrono::steady_clock::now() >= options.deadline;
  };

  // The temperature scale: the mean change of a few random moves (undone).
  double scale = 0;
  int sampled = 0;
  for (int n = 0; n < 200; ++n) {
    std::size_t k;
    int64_t v;
    if (!propose(k, v)) continue;
    const int64_t old = evaluator.point()[k];
    evaluator.set(k, v);
    scale += std::fabs(value() - current);
    ++sampled;
    evaluator.set(k, old);
  }
  if (sampled == 0 || scale == 0) return finish();
  scale /= sampled;

  const uint64_t epoch_moves = 1000 * free.size();
  const double t_start = 0.3, t_end = 1e-2;
  while (!out_of_time(true)) {
    evaluator.reset(result.best);
    current = result.best_value;
    for (uint64_t m = 0; m < epoch_moves && !out_of_time(); ++m, ++result.moves) {
      const double temperature = t_start * scale * std::pow(t_end, double(m) / double(epoch_moves));
      std::size_t k;
      int64_t v;
      if (!propose(k, v)) continue;
      const int64_t old = evaluator.point()[k];
      evaluator.set(k, v);
      const double next = value();
      if (next >= current || unit(rng) < std::exp((next - current) / temperature)) {
        current = next;
        if (current > result.best_value) {
          result.best_value = current;
          result.best = evaluator.point();
        }
      } else {
        evaluator.set(k, old);
      }
    }
    if (options.after_epoch && !options.after_epoch(result.best, sign * result.best_value)) break;
  }
  return finish();
}

}  // namespace qeb::eval
