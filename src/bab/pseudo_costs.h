// Pseudo-costs for branch and bound's strong branching (reliability branching, Achterberg, Koch
// and Martin, "Branching rules revisited", 2005): per split, the mean bound gain each child has
// shown so far, from strong branching's child LPs and from the children's own processing. Once a
// split has been measured often enough on both sides, its mean gains stand in for solving its
// children again. Shared by the search's worker threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "bab/branching.h"

namespace qeb::bab {

class PseudoCosts {
 public:
  /**
   * Which split a gain belongs to: the neuron (or input coordinate), its kind, and for a clamp
   * kink which kink. A rounding split's integer moves from node to node and is left out, so its
   * measurements pool per neuron.
   */
  struct Key {
    int target = 0;
    std::size_t layer = 0, neuron = 0;
    std::string kind;
    double point = 0;
    bool operator<(const Key& o) const {
      return std::tie(target, layer, neuron, kind, point) < std::tie(o.target, o.layer, o.neuron, o.kind, o.point);
    }
  };
  static Key key_of(const Branching& split);

  /** A measured gain (>= 0) of child `side` (0 or 1) of `key`. */
  void record(const Key& key, std::size_t side, double gain);

  /** The mean gains of both children, if each has been measured at least `reliable` times. */
  std::optional<std::array<double, 2>> estimate(const Key& key, uint64_t reliable) const;

 private:
  struct Entry {
    std::array<double, 2> sum{0, 0};
    std::array<uint64_t, 2> count{0, 0};
  };
  mutable std::mutex d_mutex;
  std::map<Key, Entry> d_entries;
};

}  // namespace qeb::bab
