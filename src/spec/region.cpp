#include "spec/region.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "core/error.h"

namespace qeb::spec {

uint64_t Box::point_count() const {
  const uint64_t cap = uint64_t(1) << 62;
  uint64_t count = 1;
  for (std::size_t k = 0; k < lo.size(); ++k) {
    uint64_t width = uint64_t(hi[k] - lo[k]) + 1;
    if (count > cap / width) return cap;
    count *= width;
  }
  return count;
}

std::vector<std::size_t> Box::free_dimensions() const {
  std::vector<std::size_t> free;
  for (std::size_t k = 0; k < lo.size(); ++k)
    if (lo[k] < hi[k]) free.push_back(k);
  return free;
}

bool Box::contains(const std::vector<int64_t>& x) const {
  if (x.size() != lo.size()) return false;
  for (std::size_t k = 0; k < x.size(); ++k)
    if (x[k] < lo[k] || x[k] > hi[k]) return false;
  return true;
}

std::string Box::to_string() const {
  std::ostringstream s;
  for (std::size_t k = 0; k < lo.size(); ++k) s << (k ? "," : "") << lo[k] << ":" << hi[k];
  return s.str();
}

void validate(const Box& box, std::size_t input_size, const FixedPointFormat& in) {
  if (box.lo.size() != box.hi.size()) throw OptionError("box: lower and upper bounds differ in length");
  if (box.dimension() != input_size)
    throw OptionError("box has " + std::to_string(box.dimension()) + " coordinates but the network has " +
                      std::to_string(input_size) + " inputs");
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    if (box.lo[k] > box.hi[k])
      throw OptionError("box coordinate " + std::to_string(k) + " is empty or inverted: " + std::to_string(box.lo[k]) +
                        ":" + std::to_string(box.hi[k]));
    if (box.lo[k] < in.min_int() || box.hi[k] > in.max_int())
      throw OptionError("box coordinate " + std::to_string(k) + " (" + std::to_string(box.lo[k]) + ":" +
                        std::to_string(box.hi[k]) + ") leaves the input format " + in.to_string() + " range [" +
                        std::to_string(in.min_int()) + ", " + std::to_string(in.max_int()) + "]");
  }
}

namespace {
int64_t parse_int(const std::string& text, const std::string& what) {
  int64_t value = 0;
  auto first = text.data(), last = text.data() + text.size();
  while (first < last && *first == ' ') ++first;
  while (last > first && last[-1] == ' ') --last;
  if (first < last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last)
    throw OptionError(what + ": '" + text + "' is not an integer");
  return value;
}
}  // namespace

std::vector<int64_t> parse_int_list(const std::string& text, const std::string& what) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) values.push_back(parse_int(item, what));
  if (values.empty()) throw OptionError(what + ": empty list");
  return values;
}

Box parse_box(const std::string& text) {
  Box box;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    auto colon = item.find(':');
    int64_t lo = parse_int(item.substr(0, colon), "--box");
    int64_t hi = colon == std::string::npos ? lo : parse_int(item.substr(colon + 1), "--box");
    box.lo.push_back(lo);
    box.hi.push_back(hi);
  }
  if (box.lo.empty()) throw OptionError("--box: empty box");
  return box;
}

Box box_around(const std::vector<int64_t>& center, int64_t radius, const FixedPointFormat& in) {
  if (radius < 0) throw OptionError("--radius must be non-negative, got " + std::to_string(radius));
  Box box;
  for (std::size_t k = 0; k < center.size(); ++k) {
    if (center[k] < in.min_int() || center[k] > in.max_int())
      throw OptionError("centre coordinate " + std::to_string(k) + " = " + std::to_string(center[k]) +
                        " is outside the input format " + in.to_string());
    // Saturating arithmetic: an absurd radius clips to the range instead of overflowing.
    int64_t lo = center[k] - std::min(radius, center[k] - in.min_int());
    int64_t hi = center[k] + std::min(radius, in.max_int() - center[k]);
    box.lo.push_back(lo);
    box.hi.push_back(hi);
  }
  return box;
}

std::pair<std::vector<Rational>, std::vector<Rational>> parse_real_box(const std::string& text) {
  std::vector<Rational> lo, hi;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    auto colon = item.find(':');
    lo.push_back(parse_rational(item.substr(0, colon)));
    hi.push_back(colon == std::string::npos ? lo.back() : parse_rational(item.substr(colon + 1)));
  }
  if (lo.empty()) throw OptionError("--box: empty box");
  return {lo, hi};
}

std::vector<Rational> parse_rational_list(const std::string& text, const std::string& what) {
  std::vector<Rational> values;
  std::stringstream stream(text);
  std::string item;
  try {
    while (std::getline(stream, item, ',')) values.push_back(parse_rational(item));
  } catch (const OptionError& e) {
    throw OptionError(what + ": " + e.what());
  }
  if (values.empty()) throw OptionError(what + ": empty list");
  return values;
}

Box real_box(const std::vector<Rational>& lo, const std::vector<Rational>& hi, const Rational& input_scale,
             int64_t zero_point, const FixedPointFormat& in, std::vector<std::string>& notes) {
  Box box;
  std::size_t clipped = 0;
  for (std::size_t k = 0; k < lo.size(); ++k) {
    const std::string where = "box coordinate " + std::to_string(k) + " (" + to_string(lo[k]) + ":" + to_string(hi[k]) + ")";
    BigInt l = ceil_of(lo[k] * input_scale) + zero_point, h = floor_of(hi[k] * input_scale) + zero_point;
    if (l > h) throw OptionError(where + " holds no point of the QNN's input grid (step " + to_string(1 / input_scale) + ")");
    if (l > in.max_int() || h < in.min_int())
      throw OptionError(where + " lies outside the QNN's input range [" +
                        to_string(Rational(in.min_int() - zero_point) / input_scale) + ", " +
                        to_string(Rational(in.max_int() - zero_point) / input_scale) + "]");
    if (l < in.min_int() || h > in.max_int()) ++clipped;
    box.lo.push_back(std::max<BigInt>(l, in.min_int()).convert_to<int64_t>());
    box.hi.push_back(std::min<BigInt>(h, in.max_int()).convert_to<int64_t>());
  }
  if (clipped)
    notes.push_back(std::to_string(clipped) + " box coordinate" + (clipped == 1 ? "" : "s") +
                    " clipped to the QNN's input range [" + to_string(Rational(in.min_int() - zero_point) / input_scale) +
                    ", " + to_string(Rational(in.max_int() - zero_point) / input_scale) + "]");
  return box;
}

}  // namespace qeb::spec
