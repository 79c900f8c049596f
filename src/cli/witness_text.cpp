#include "cli/witness_text.h"

namespace qeb::cli {

namespace {

constexpr std::size_t kMaxText = 300;
constexpr std::size_t kFullInputUpTo = 32;

// Appends "k=v" items while the text stays short; says so when it had to stop.
std::string items(const std::vector<int64_t>& x, const std::vector<std::size_t>& which) {
  std::string s;
  for (std::size_t k : which) {
    std::string item = std::to_string(k) + "=" + std::to_string(x[k]);
    if (s.size() + item.size() > kMaxText) return s + " ... (full input in --json)";
    s += (s.empty() ? "" : " ") + item;
  }
  return s;
}

}  // namespace

std::string describe_input(const std::vector<int64_t>& x, const spec::Box& box, const std::vector<int64_t>& center) {
  if (!center.empty() && center.size() == x.size()) {
    std::vector<std::size_t> changed;
    for (std::size_t k = 0; k < x.size(); ++k)
      if (x[k] != center[k]) changed.push_back(k);
    if (changed.empty()) return "input equals the centre";
    return "input differs from the centre at: " + items(x, changed);
  }
  if (x.size() <= kFullInputUpTo) {
    std::string s;
    for (std::size_t k = 0; k < x.size(); ++k) s += (k ? "," : "") + std::to_string(x[k]);
    return "input: " + s;
  }
  std::vector<std::size_t> free = box.free_dimensions();
  if (free.empty()) return "input: the box's single point";
  return "input at the box's " + std::to_string(free.size()) + " free coordinates (the rest fixed by the box): " +
         items(x, free);
}

}  // namespace qeb::cli
