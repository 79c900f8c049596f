// libFuzzer target: --box / --center strings, validated against input formats and used with a
// radius; and as real boxes (an affine QNN's --box in the float model's units) on two input grids.
#include "fuzz_support.h"
#include "spec/region.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace qeb;
  std::string text = fuzz::as_text(data, size);
  const FixedPointFormat formats[] = {{false, 8, 8}, {true, 8, 8}, {true, 32, 0}};
  fuzz::expect_clean_rejection([&] {
    spec::Box box = spec::parse_box(text);
    for (const FixedPointFormat& f : formats)
      fuzz::expect_clean_rejection([&] {
        spec::validate(box, box.dimension(), f);
        box.point_count();
        if (spec::parse_box(box.to_string()).to_string() != box.to_string()) __builtin_trap();
      });
  });
  fuzz::expect_clean_rejection([&] {
    std::vector<int64_t> center = spec::parse_int_list(text, "--center");
    for (int64_t radius : {int64_t(0), int64_t(3), int64_t(1) << 40})
      for (const FixedPointFormat& f : formats)
        fuzz::expect_clean_rejection([&] { spec::validate(spec::box_around(center, radius, f), center.size(), f); });
  });
  fuzz::expect_clean_rejection([&] {
    auto [lo, hi] = spec::parse_real_box(text);
    struct Grid {
      Rational scale;
      int64_t zero;
      FixedPointFormat format;
    };
    for (const Grid& g : {Grid{255, 0, {false, 8, 0}}, Grid{Rational(127, 3), -5, {true, 8, 0}}})
      fuzz::expect_clean_rejection([&] {
        std::vector<std::string> notes;
        spec::Box box = spec::real_box(lo, hi, g.scale, g.zero, g.format, notes);
        spec::validate(box, box.dimension(), g.format);
      });
  });
  return 0;
}
