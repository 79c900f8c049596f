#include "lp/lp_bounder.h"

#include <cmath>

#include "dra/diff_analysis.h"

namespace qeb::lp {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_until(Clock::time_point deadline) {
  return std::max(0.001, std::chrono::duration<double>(deadline - Clock::now()).count());
}
}

LpBounder::LpBounder(const quant::ModelPair& pair, const dra::DraResult& root, bool difference_cuts)
    : d_pair(pair), d_network(pair, root, difference_cuts) {}

void LpBounder::load(const spec::Box& box, const dra::DraResult& bounds, bool lines) {
  d_solver.update(d_network.instantiate(box, bounds, lines));  // a full load the first time
}

LpBound LpBounder::optimise(const Objective& objective, bool maximise, const Basis* warm, double seconds) {
  LpBound b = lp::optimise(d_solver, d_network.program(), objective, maximise, warm ? warm : &d_basis, seconds);
  if (!b.basis.empty()) d_basis = b.basis;
  return b;
}

std::vector<LpBound> LpBounder::bound_outputs(dra::DraResult& bounds, const std::vector<std::size_t>& outputs) {
  std::vector<LpBound> all;
  for (std::size_t g : outputs) {
    Objective diff = d_network.output_difference(g);
    dra::Interval& delta = bounds.layers.back().delta[g];
    for (bool maximise : {false, true}) {
      LpBound b = optimise(diff, maximise);
      if (b.infeasible) bounds.infeasible = true;
      if (b.bound) {
        // The rigorous bound as a double, rounded the safe way.
        double v = to_double(*b.bound);
        if (maximise) delta.hi = std::min(delta.hi, rational_from_double(v) >= *b.bound ? v : dra::up(v));
        else delta.lo = std::max(delta.lo, rational_from_double(v) <= *b.bound ? v : dra::down(v));
      }
      all.push_back(std::move(b));
    }
  }
  return all;
}

dra::DraResult LpBounder::tighten(const spec::Box& box, dra::DraResult bounds, Clock::time_point deadline,
                                  TightenStats* stats) {
  auto start = Clock::now();
  TightenStats local;
  const dra::DraOptions options{dra::DraMode::SYM, dra::Semantics::SOUND, true};
  for (std::size_t i = 0; i < d_network.hidden_layers() && !bounds.infeasible; ++i) {
    load(box, bounds);
    const int64_t cap = d_pair.qnn.clamp_hi(i);
    dra::LayerReport& layer = bounds.layers[i];
    bool changed = false;
    for (std::size_t j = 0; j < layer.dnn_pre.size() && Clock::now() < deadline; ++j) {
      if (layer.dnn_phase[j] == dra::DnnPhase::UNSTABLE && d_network.dnn_pre(i, j).is_column()) {
        Objective z = d_network.dnn_pre_objective(i, j);
        for (bool maximise : {false, true}) {
          LpBound b = optimise(z, maximise, nullptr, seconds_until(deadline));
          ++local.optimisations;
          if (b.infeasible) bounds.infeasible = true;
          if (!b.bound) continue;
          double v = to_double(*b.bound);
          dra::Interval& pre = layer.dnn_pre[j];
          if (maximise && v < pre.hi) pre.hi = rational_from_double(v) >= *b.bound ? v : dra::up(v), changed = true, ++local.tightened;
          if (!maximise && v > pre.lo) pre.lo = rational_from_double(v) <= *b.bound ? v : dra::down(v), changed = true, ++local.tightened;
        }
        if (layer.dnn_pre[j].lo >= 0 || layer.dnn_pre[j].hi <= 0) ++local.stabilised;
      }
      dra::QnnPhase q = layer.qnn_phase[j];
      if (q != dra::QnnPhase::LINEAR && q != dra::QnnPhase::CONSTANT && d_network.qnn_pre(i, j).is_column()) {
        Objective r = d_network.qnn_pre_objective(i, j);
        for (bool maximise : {false, true}) {
          LpBound b = optimise(r, maximise, nullptr, seconds_until(deadline));
          ++local.optimisations;
          if (b.infeasible) bounds.infeasible = true;
          if (!b.bound) continue;
          // r is an integer: its bound rounds inward.
          BigInt n = boost::multiprecision::numerator(*b.bound), d = boost::multiprecision::denominator(*b.bound);
          BigInt fl = n / d;
          if (n < 0 && fl * d != n) fl -= 1;
          int64_t v = maximise ? int64_t(fl) : int64_t(fl * d == n ? fl : BigInt(fl + 1));
          if (maximise && v < layer.qnn_pre_hi[j]) layer.qnn_pre_hi[j] = v, changed = true, ++local.tightened;
          if (!maximise && v > layer.qnn_pre_lo[j]) layer.qnn_pre_lo[j] = v, changed = true, ++local.tightened;
        }
        int64_t lo = layer.qnn_pre_lo[j], hi = layer.qnn_pre_hi[j];
        if ((lo >= 0 && hi <= cap) || std::clamp<int64_t>(lo, 0, cap) == std::clamp<int64_t>(hi, 0, cap)) ++local.stabilised;
      }
    }
    if (bounds.infeasible) break;
    // DRA within the tightened bounds: the deeper layers (and phases) follow.
    if (changed) bounds = dra::run_dra(d_pair, box, options, &bounds);
    if (Clock::now() >= deadline) break;
  }
  if (!bounds.infeasible) load(box, bounds);
  local.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (stats) *stats = local;
  return bounds;
}

}  // namespace qeb::lp
