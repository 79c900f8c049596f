#include "partition/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bounds/bound_method.h"

namespace qeb::partition {

namespace {

dra::DraResult analyse(const quant::ModelPair& pair, const spec::Box& box) {
  return bounds::bound(pair, bounds::Subproblem::root(box), bounds::Method::DRA_SYM);
}

double gap_of(const dra::DraResult& r, const std::vector<std::size_t>& outputs, double eps) {
  double gap = 0;
  for (std::size_t k : outputs) {
    const dra::Interval& d = r.output_delta()[k];
    gap += std::max(0.0, d.hi - eps) + std::max(0.0, -eps - d.lo);
  }
  return gap;
}

}  // namespace

std::pair<spec::Box, spec::Box> bisect(const spec::Box& box, const Split& split) {
  spec::Box low = box, high = box;
  low.hi[split.dimension] = split.mid;
  high.lo[split.dimension] = split.mid + 1;
  return {low, high};
}

double dra_gap(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
               const Rational& eps) {
  return gap_of(analyse(pair, box), outputs, to_double(eps));
}

std::optional<Split> choose_split(const quant::ModelPair& pair, const spec::Box& box,
                                  const std::vector<std::size_t>& outputs, const Rational& eps,
                                  std::size_t candidates) {
  std::vector<std::size_t> free = box.free_dimensions();
  if (free.empty()) return std::nullopt;
  // Cheap influence score: width times the first-layer weight mass on neurons not fixed by DRA.
  dra::DraResult parent = analyse(pair, box);
  const model::DenseLayer& first = pair.dnn.layers.front();
  const dra::LayerReport& report = parent.layers.front();
  std::vector<double> score(box.dimension(), 0);
  for (std::size_t j = 0; j < first.outputs; ++j) {
    bool fixed = first.relu && dra::is_stable(report.dnn_phase[j], report.qnn_phase[j]);
    double weight = fixed ? 0.1 : 1.0;  // stable neurons still carry rounding differences
    for (std::size_t k : free) score[k] += weight * std::abs(first.weight(j, k));
  }
  for (std::size_t k : free) score[k] *= double(box.hi[k] - box.lo[k]);
  std::sort(free.begin(), free.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  free.resize(std::min(free.size(), std::max<std::size_t>(1, candidates)));

  double e = to_double(eps);
  std::optional<Split> best;
  double best_gap = 0;
  for (std::size_t k : free) {
    Split s{k, box.lo[k] + (box.hi[k] - box.lo[k]) / 2};
    auto [low, high] = bisect(box, s);
    s.low_gap = gap_of(analyse(pair, low), outputs, e);
    s.high_gap = gap_of(analyse(pair, high), outputs, e);
    double gap = std::max(s.low_gap, s.high_gap);
    if (!best || gap < best_gap) best = s, best_gap = gap;
  }
  return best;
}

}  // namespace qeb::partition
