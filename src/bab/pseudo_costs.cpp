#include "bab/pseudo_costs.h"

#include <algorithm>

namespace qeb::bab {

PseudoCosts::Key PseudoCosts::key_of(const Branching& split) {
  const bounds::Restriction& r = split.children.front();
  Key k{int(r.target), r.layer, r.neuron, split.kind, 0};
  if (split.kind == "qnn-kink") k.point = r.hi;  // the kink at the clamp's low end or its high end
  return k;
}

void PseudoCosts::record(const Key& key, std::size_t side, double gain) {
  std::lock_guard lock(d_mutex);
  Entry& e = d_entries[key];
  e.sum[side] += std::max(0.0, gain);
  ++e.count[side];
}

std::optional<std::array<double, 2>> PseudoCosts::estimate(const Key& key, uint64_t reliable) const {
  std::lock_guard lock(d_mutex);
  auto it = d_entries.find(key);
  if (it == d_entries.end() || reliable == 0) return std::nullopt;
  const Entry& e = it->second;
  if (std::min(e.count[0], e.count[1]) < reliable) return std::nullopt;
  return std::array<double, 2>{e.sum[0] / double(e.count[0]), e.sum[1] / double(e.count[1])};
}

}  // namespace qeb::bab
