#include "eval/violation_search.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

#include "eval/exact_pair.h"
#include "eval/point_evaluator.h"

namespace qeb::eval {

namespace {

// The largest double <= r (r >= 0).
double double_below(const Rational& r) {
  double d = to_double(r);
  return rational_from_double(d) > r ? std::nextafter(d, -INFINITY) : d;
}

// Scans `box` (a chunk) point by point; stops when `found` is set (by this or another chunk).
void scan(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
          const Rational& eps, double eps_below, int side, std::atomic<bool>& found, std::mutex& mutex,
          std::optional<Violation>& result) {
  PointEvaluator fast(pair, box);
  ExactPairEvaluator exact(pair);
  std::vector<int64_t> x = box.lo;
  while (!found.load(std::memory_order_relaxed)) {
    fast.evaluate(x);
    for (std::size_t k : outputs) {
      // |exact| <= |approx| + error: nothing to check exactly when that is at most eps (on the side asked).
      double a = side > 0 ? fast.approx()[k] : side < 0 ? -fast.approx()[k] : std::fabs(fast.approx()[k]);
      double worst = std::nextafter(a + fast.error()[k], INFINITY);
      if (worst <= eps_below) continue;
      Rational diff = exact.evaluate(x).diff[k];
      if ((side >= 0 && diff > eps) || (side <= 0 && diff < -eps)) {
        std::lock_guard lock(mutex);
        if (!result) result = Violation{x, k, diff};
        found = true;
        return;
      }
    }
    if (!spec::next_point(box, x)) return;
  }
}

}  // namespace

std::optional<Violation> find_violation(const quant::ModelPair& pair, const spec::Box& box,
                                        const std::vector<std::size_t>& outputs_in, const Rational& eps,
                                        unsigned threads, int side) {
  std::vector<std::size_t> outputs = outputs_in;
  if (outputs.empty())
    for (std::size_t j = 0; j < pair.qnn.output_size(); ++j) outputs.push_back(j);
  const double eps_below = double_below(eps);
  // Chunks along the widest coordinate, one per thread.
  std::size_t wide = 0;
  for (std::size_t k = 1; k < box.dimension(); ++k)
    if (box.hi[k] - box.lo[k] > box.hi[wide] - box.lo[wide]) wide = k;
  const int64_t width = box.dimension() ? box.hi[wide] - box.lo[wide] + 1 : 1;
  const unsigned n = unsigned(std::max<int64_t>(1, std::min<int64_t>(threads, width)));
  std::vector<spec::Box> chunks;
  for (unsigned t = 0; t < n; ++t) {
    spec::Box c = box;
    if (box.dimension()) {
      c.lo[wide] = box.lo[wide] + width * t / n;
      c.hi[wide] = box.lo[wide] + width * (t + 1) / n - 1;
    }
    chunks.push_back(std::move(c));
  }
  std::atomic<bool> found{false};
  std::mutex mutex;
  std::optional<Violation> result;
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t)
    pool.emplace_back([&, t] { scan(pair, chunks[t], outputs, eps, eps_below, side, found, mutex, result); });
  scan(pair, chunks[0], outputs, eps, eps_below, side, found, mutex, result);
  for (std::thread& t : pool) t.join();
  return result;
}

}  // namespace qeb::eval
