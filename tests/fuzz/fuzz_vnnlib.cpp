// libFuzzer target: VNN-LIB property text (--property), for 2 or 5 inputs.
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
    spec::VnnlibBox property = spec::parse_vnnlib_box(text, inputs, Rational(255), f, "fuzz.vnnlib");
    // What the loader returns must be a valid region of the network's input.
    spec::validate(property.box, inputs, f);
  });
}
