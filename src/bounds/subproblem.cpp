#include "bounds/subproblem.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "dra/diff_analysis.h"

namespace qeb::bounds {

std::string Restriction::to_string() const {
  std::ostringstream s;
  auto range = [&]() {
    if (std::isinf(hi) && !std::isinf(lo)) s << " >= " << lo;
    else if (std::isinf(lo) && !std::isinf(hi)) s << " <= " << hi;
    else s << " in [" << lo << ", " << hi << "]";
  };
  switch (target) {
    case Target::INPUT: s << "x " << neuron; break;
    case Target::DNN_PRE: s << "DNN " << layer + 1 << ":" << neuron; break;
    case Target::QNN_PRE: s << "QNN " << layer + 1 << ":" << neuron; break;
  }
  range();
  return s.str();
}

Subproblem Subproblem::root(spec::Box box) {
  Subproblem s;
  s.d_box = std::make_shared<const spec::Box>(std::move(box));
  return s;
}

Subproblem Subproblem::with_bounds(spec::Box box, std::shared_ptr<const dra::DraResult> within,
                                   std::vector<Restriction> restrictions) {
  Subproblem s = root(std::move(box));
  s.d_bounds = std::move(within);
  s.restrictions = std::move(restrictions);
  return s;
}

namespace {

// `bounds` narrowed by one neuron restriction (an INPUT restriction narrows the box instead).
void narrow(dra::DraResult& bounds, const Restriction& r) {
  switch (r.target) {
    case Target::INPUT:
      break;
    case Target::DNN_PRE: {
      dra::Interval& z = bounds.layers[r.layer].dnn_pre[r.neuron];
      z = z.meet({r.lo, r.hi});
      break;
    }
    case Target::QNN_PRE: {
      dra::LayerReport& layer = bounds.layers[r.layer];
      if (std::isfinite(r.lo))
        layer.qnn_pre_lo[r.neuron] = std::max<int64_t>(layer.qnn_pre_lo[r.neuron], int64_t(std::ceil(r.lo)));
      if (std::isfinite(r.hi))
        layer.qnn_pre_hi[r.neuron] = std::min<int64_t>(layer.qnn_pre_hi[r.neuron], int64_t(std::floor(r.hi)));
      break;
    }
  }
}

}  // namespace

std::shared_ptr<const dra::DraResult> Subproblem::within() const {
  if (!d_bounds || !d_pending) return d_bounds;
  return std::make_shared<const dra::DraResult>(within_copy());
}

dra::DraResult Subproblem::within_copy() const {
  dra::DraResult b = *d_bounds;
  if (d_pending) narrow(b, *d_pending);
  return b;
}

std::string Subproblem::to_string() const {
  if (restrictions.empty()) return "the whole box";
  std::string out;
  for (const Restriction& r : restrictions) out += (out.empty() ? "" : ", ") + r.to_string();
  return out;
}

spec::Box narrowed(spec::Box box, const std::vector<Restriction>& restrictions) {
  for (const Restriction& r : restrictions) {
    if (r.target != Target::INPUT) continue;
    if (std::isfinite(r.lo)) box.lo[r.neuron] = std::max<int64_t>(box.lo[r.neuron], int64_t(std::ceil(r.lo)));
    if (std::isfinite(r.hi)) box.hi[r.neuron] = std::min<int64_t>(box.hi[r.neuron], int64_t(std::floor(r.hi)));
  }
  return box;
}

std::shared_ptr<const dra::DraResult> split_bounds(const quant::QNetwork& qnn, const Subproblem& sub) {
  auto b = std::make_shared<dra::DraResult>(sub.within_copy());
  const Restriction& r = sub.restrictions.back();
  if (r.target == Target::INPUT) return b;  // no neuron to classify (the box is narrowed)
  dra::LayerReport& layer = b->layers[r.layer];
  const std::size_t j = r.neuron;
  if (r.target == Target::DNN_PRE) {
    if (layer.dnn_pre[j].lo > layer.dnn_pre[j].hi) b->infeasible = true;
    else layer.dnn_phase[j] = dra::classify_dnn(layer.dnn_pre[j]);
  } else {
    if (layer.qnn_pre_lo[j] > layer.qnn_pre_hi[j]) b->infeasible = true;
    else layer.qnn_phase[j] = dra::classify_qnn(layer.qnn_pre_lo[j], layer.qnn_pre_hi[j], qnn.clamp_hi(r.layer));
  }
  return b;
}

Subproblem restrict(const Subproblem& parent, const std::shared_ptr<const dra::DraResult>& parent_bounds,
                    const Restriction& r) {
  Subproblem child;
  child.d_box = r.target == Target::INPUT ? std::make_shared<const spec::Box>(narrowed(parent.box(), {r})) : parent.d_box;
  child.restrictions = parent.restrictions;
  child.restrictions.push_back(r);
  child.d_bounds = parent_bounds;
  if (r.target != Target::INPUT) child.d_pending = r;
  return child;
}

Subproblem replay(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                  const std::vector<Restriction>& restrictions) {
  Subproblem sub = Subproblem::root(box);
  std::shared_ptr<const dra::DraResult> bounds = std::make_shared<dra::DraResult>(root_bounds);
  for (std::size_t i = 0; i < restrictions.size(); ++i) {
    sub = restrict(sub, bounds, restrictions[i]);
    if (i + 1 < restrictions.size())  // the last region's DRA is the caller's (branch and bound's) to run
      bounds = std::make_shared<dra::DraResult>(
          dra::run_dra(pair, sub.box(), {dra::DraMode::SYM, dra::Semantics::SOUND, true}, sub.within().get()));
  }
  return sub;
}

}  // namespace qeb::bounds
