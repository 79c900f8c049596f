#include "cli/normalization.h"

#include <algorithm>
#include <cstdio>

#include "cli/number_text.h"
#include "core/error.h"

namespace qeb::cli {

namespace {

BigInt floor_of(const Rational& r) {
  BigInt n = boost::multiprecision::numerator(r), d = boost::multiprecision::denominator(r);
  BigInt q = n / d;  // toward zero
  if (q * d != n && n < 0) q -= 1;
  return q;
}

BigInt ceil_of(const Rational& r) { return -floor_of(-r); }

int64_t saturate(const BigInt& v) {
  const BigInt lo = std::numeric_limits<int64_t>::min() / 2, hi = std::numeric_limits<int64_t>::max() / 2;
  return v < lo ? lo.convert_to<int64_t>() : v > hi ? hi.convert_to<int64_t>() : v.convert_to<int64_t>();
}

}  // namespace

spec::Box normalised_domain(const model::Normalization& n, const Rational& scale) {
  spec::Box domain;
  for (std::size_t k = 0; k < n.input_min.size(); ++k) {
    Rational mean = rational_from_double(n.input_mean[k]), range = rational_from_double(n.input_range[k]);
    Rational a = (rational_from_double(n.input_min[k]) - mean) / range * scale;
    Rational b = (rational_from_double(n.input_max[k]) - mean) / range * scale;
    if (range < 0) std::swap(a, b);
    domain.lo.push_back(saturate(ceil_of(a)));
    domain.hi.push_back(saturate(floor_of(b)));
  }
  return domain;
}

spec::Box clip_to_domain(const spec::Box& box, const model::Normalization& n, const Rational& scale,
                         const std::string& source, std::vector<std::string>& notes) {
  spec::Box domain = normalised_domain(n, scale), out = box;
  std::size_t clipped = 0;
  std::string first;
  for (std::size_t k = 0; k < box.dimension() && k < domain.dimension(); ++k) {
    out.lo[k] = std::max(box.lo[k], domain.lo[k]);
    out.hi[k] = std::min(box.hi[k], domain.hi[k]);
    if (out.lo[k] > out.hi[k])
      throw InputError(source, "the region is empty under --apply-normalization: input " + std::to_string(k) + " spans " +
                                   std::to_string(box.lo[k]) + ":" + std::to_string(box.hi[k]) +
                                   ", but the file's [min, max] = [" + decimal(n.input_min[k]) + ", " +
                                   decimal(n.input_max[k]) + "] allows only " + std::to_string(domain.lo[k]) + ":" +
                                   std::to_string(domain.hi[k]) + " on the integer grid");
    if (out.lo[k] != box.lo[k] || out.hi[k] != box.hi[k]) {
      if (clipped++ == 0)
        first = "input " + std::to_string(k) + ": " + std::to_string(box.lo[k]) + ":" + std::to_string(box.hi[k]) +
                " -> " + std::to_string(out.lo[k]) + ":" + std::to_string(out.hi[k]);
    }
  }
  if (clipped)
    notes.push_back(std::to_string(clipped) + " input coordinate" + (clipped == 1 ? "" : "s") +
                    " clipped to the file's [min, max] (normalised, on the integer grid; first " + first + ")");
  return out;
}

Rational raw_output(const model::Normalization& n, const Rational& y) {
  return y * rational_from_double(n.output_range) + rational_from_double(n.output_mean);
}

Rational raw_input(const model::Normalization& n, std::size_t k, int64_t x, const Rational& scale) {
  return Rational(x) / scale * rational_from_double(n.input_range[k]) + rational_from_double(n.input_mean[k]);
}

std::string output_scale_text(const model::Normalization& n) {
  return "raw output = " + decimal(n.output_range) + " x normalised + " + decimal(n.output_mean) +
         " (differences: " + decimal(n.output_range) + " x)";
}

}  // namespace qeb::cli
