// libFuzzer target: VNN-LIB property text (--property), for 2 or 5 inputs and 3 outputs.
#include <stdexcept>

#include "fuzz_support.h"
#include "spec/vnnlib.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace qeb;
  std::string text = fuzz::as_text(data, size);
  // Two shapes: the first byte's parity picks unsigned 2 inputs or signed 5 (exact rationals are
  // the slow part; one parse per execution keeps the run fast).
  bool wide = size > 0 && (data[0] & 1);
  std::size_t inputs = wide ? 5 : 2;
  FixedPointFormat f = wide ? FixedPointFormat{true, 8, 8} : FixedPointFormat{false, 8, 8};
  return fuzz::expect_clean_rejection([&] {
    spec::VnnlibProperty property = spec::parse_vnnlib(text, inputs, 3, Rational(255), f, "fuzz.vnnlib");
    // What the loader returns must be valid regions of the network's input, and output
    // constraints over its 3 outputs.
    if (property.regions.empty()) throw std::logic_error("a property without regions");
    for (const spec::VnnlibRegion& r : property.regions) {
      spec::validate(r.box, inputs, f);
      if (r.violation.outputs_used() > 3) throw std::logic_error("an output beyond Y_2");
    }
  });
}
