// The space refinement searches: one bit-width per layer's weights (w1..wL) and per hidden layer's
// activations (h1..h(L-1)); fractional bits follow from the width as the presets derive them.
#pragma once

#include <cstdint>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "model/network.h"
#include "quant/quant_config.h"

namespace qeb::refine {

struct BitRange {
  int lo = 2, hi = 8;
};

/** Parses "A..B" or "B" (one range), or a comma list of them (one per layer). Throws OptionError. */
std::vector<BitRange> parse_bit_ranges(const std::string& text, const std::string& option);

enum class Cost {
  BITS,  ///< the sum of every variable's bit-width
  SIZE,  ///< model size: sum over layers of (weights + biases) x weight bit-width (activations are free)
};
Cost parse_cost(const std::string& name);  ///< "bits" or "size"; throws OptionError
const char* to_string(Cost c);

/** A candidate: one bit-width per variable, in SearchSpace::names order. */
using Bits = std::vector<int>;

struct SearchSpace {
  quant::QuantConfig base;               ///< input format and input scale are kept from here
  std::vector<std::string> names;        ///< "w1".."wL", then "h1".."h(L-1)"
  std::vector<BitRange> ranges;          ///< per variable
  std::size_t layers = 0;
  int weight_int_bits = 1;               ///< w_l = s Q.(Q - weight_int_bits)
  int bias_int_bits = 2;                 ///< b_l = s Q.(Q - bias_int_bits), Q = the layer's weight width
  int activation_int_bits = 2;           ///< h_l = u Q.(Q - activation_int_bits)
  std::vector<uint64_t> parameters;      ///< per layer: weights + biases (for Cost::SIZE)

  std::size_t size() const { return names.size(); }
  bool is_weight(std::size_t v) const { return v < layers; }
  /** The configuration of a candidate (every layer overridden, so `to_string` reproduces it exactly). */
  quant::QuantConfig config(const Bits& bits) const;
  uint64_t cost(const Bits& bits, Cost c) const;
  /** "w1=4 w2=5 h1=3" */
  std::string describe(const Bits& bits) const;
};

/**
 * The space for `dnn`: `weights` and `activations` hold one range for every layer or one per layer.
 * Throws OptionError for a bad range (width below the integer bits, above 32, wrong count).
 */
SearchSpace make_space(const model::Network& dnn, const quant::QuantConfig& base, const std::vector<BitRange>& weights,
                       const std::vector<BitRange>& activations, int weight_int_bits = 1, int bias_int_bits = 2,
                       int activation_int_bits = 2);

/**
 * Candidates in non-decreasing cost, one tier (all candidates of one cost) at a time, lazily:
 * best-first from the all-minimum corner, each candidate's successors being one variable wider.
 * Every cost is monotone in each width, so every cheaper candidate comes in an earlier tier.
 */
class CostOrder {
 public:
  CostOrder(const SearchSpace& space, Cost cost);
  /** The next tier (empty when the space is exhausted). */
  std::vector<Bits> next_tier();
  uint64_t tier_cost() const { return d_tier_cost; }

 private:
  void push(const Bits& bits);
  const SearchSpace& d_space;
  Cost d_cost;
  using Entry = std::pair<uint64_t, Bits>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> d_queue;
  std::set<Bits> d_seen;
  uint64_t d_tier_cost = 0;
};

}  // namespace qeb::refine
