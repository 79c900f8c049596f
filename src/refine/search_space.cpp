#include "refine/search_space.h"

#include <regex>
#include <sstream>

#include "core/error.h"

namespace qeb::refine {

std::vector<BitRange> parse_bit_ranges(const std::string& text, const std::string& option) {
  static const std::regex item(R"(^\s*(\d+)\s*(?:\.\.\s*(\d+))?\s*$)");
  std::vector<BitRange> out;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    std::smatch m;
    if (!std::regex_match(part, m, item) || m[1].length() > 3 || m[2].length() > 3)
      throw OptionError(option + ": '" + part + "' is not a bit-width range A..B or a width B");
    BitRange r;
    r.lo = std::stoi(m[1].str());
    r.hi = m[2].length() ? std::stoi(m[2].str()) : r.lo;
    if (r.lo > r.hi) throw OptionError(option + ": empty range '" + part + "'");
    out.push_back(r);
  }
  if (out.empty()) throw OptionError(option + ": no range given");
  return out;
}

Cost parse_cost(const std::string& name) {
  if (name == "bits") return Cost::BITS;
  if (name == "size") return Cost::SIZE;
  throw OptionError("--cost must be bits or size, got '" + name + "'");
}

const char* to_string(Cost c) { return c == Cost::BITS ? "bits" : "size"; }

quant::QuantConfig SearchSpace::config(const Bits& bits) const {
  quant::QuantConfig c = base;
  c.weight_override.clear();
  c.bias_override.clear();
  c.hidden_override.clear();
  for (std::size_t l = 0; l < layers; ++l) {
    int q = bits[l];
    c.weight_override[int(l) + 1] = {true, q, q - weight_int_bits};
    c.bias_override[int(l) + 1] = {true, q, std::max(0, q - bias_int_bits)};
  }
  for (std::size_t l = 0; l + 1 < layers; ++l) {
    int q = bits[layers + l];
    c.hidden_override[int(l) + 1] = {false, q, q - activation_int_bits};
  }
  // The defaults are layer 1's formats (every layer is overridden anyway).
  c.weight = c.weight_override.at(1);
  c.bias = c.bias_override.at(1);
  if (!c.hidden_override.empty()) c.hidden = c.hidden_override.at(1);
  return c;
}

uint64_t SearchSpace::cost(const Bits& bits, Cost c) const {
  uint64_t total = 0;
  for (std::size_t v = 0; v < size(); ++v) {
    if (c == Cost::BITS) total += uint64_t(bits[v]);
    else if (is_weight(v)) total += parameters[v] * uint64_t(bits[v]);
  }
  return total;
}

std::string SearchSpace::describe(const Bits& bits) const {
  std::string s;
  for (std::size_t v = 0; v < size(); ++v) s += (v ? " " : "") + names[v] + "=" + std::to_string(bits[v]);
  return s;
}

SearchSpace make_space(const model::Network& dnn, const quant::QuantConfig& base, const std::vector<BitRange>& weights,
                       const std::vector<BitRange>& activations, int weight_int_bits, int bias_int_bits,
                       int activation_int_bits) {
  SearchSpace s;
  s.base = base;
  s.layers = dnn.layers.size();
  s.weight_int_bits = weight_int_bits;
  s.bias_int_bits = bias_int_bits;
  s.activation_int_bits = activation_int_bits;
  if (s.layers == 0) throw OptionError("the network has no layer");
  std::size_t hidden = s.layers - 1;
  if (weights.size() != 1 && weights.size() != s.layers)
    throw OptionError("--weights: give one range, or one per layer (" + std::to_string(s.layers) + "), not " +
                      std::to_string(weights.size()));
  if (activations.size() != 1 && activations.size() != hidden && hidden > 0)
    throw OptionError("--activations: give one range, or one per hidden layer (" + std::to_string(hidden) + "), not " +
                      std::to_string(activations.size()));
  auto check = [](const BitRange& r, int int_bits, const std::string& what) {
    if (r.lo < std::max(1, int_bits) || r.hi > 32)
      throw OptionError(what + ": widths must lie in " + std::to_string(std::max(1, int_bits)) +
                        "..32 (at least the integer bits, so that the fractional bits are not negative)");
  };
  for (std::size_t l = 0; l < s.layers; ++l) {
    BitRange r = weights[weights.size() == 1 ? 0 : l];
    check(r, std::max(weight_int_bits, 1), "--weights");
    s.names.push_back(std::string(1, 'w').append(std::to_string(l + 1)));
    s.ranges.push_back(r);
    s.parameters.push_back(dnn.layers[l].weights.size() + dnn.layers[l].bias.size());
  }
  for (std::size_t l = 0; l < hidden; ++l) {
    BitRange r = activations[activations.size() == 1 ? 0 : l];
    check(r, activation_int_bits, "--activations");
    s.names.push_back(std::string(1, 'h').append(std::to_string(l + 1)));
    s.ranges.push_back(r);
  }
  if (weight_int_bits < 0 || bias_int_bits < 0 || activation_int_bits < 0)
    throw OptionError("integer bits must be non-negative");
  return s;
}

CostOrder::CostOrder(const SearchSpace& space, Cost cost) : d_space(space), d_cost(cost) {
  Bits corner;
  for (const BitRange& r : space.ranges) corner.push_back(r.lo);
  push(corner);
}

void CostOrder::push(const Bits& bits) {
  if (d_seen.insert(bits).second) d_queue.push({d_space.cost(bits, d_cost), bits});
}

std::vector<Bits> CostOrder::next_tier() {
  std::vector<Bits> tier;
  if (d_queue.empty()) return tier;
  d_tier_cost = d_queue.top().first;
  // Successors of equal cost (e.g. activation widths under Cost::SIZE) join this tier.
  while (!d_queue.empty() && d_queue.top().first == d_tier_cost) {
    Bits bits = d_queue.top().second;
    d_queue.pop();
    for (std::size_t v = 0; v < bits.size(); ++v)
      if (bits[v] < d_space.ranges[v].hi) {
        Bits next = bits;
        ++next[v];
        push(next);
      }
    tier.push_back(std::move(bits));
  }
  return tier;
}

}  // namespace qeb::refine
