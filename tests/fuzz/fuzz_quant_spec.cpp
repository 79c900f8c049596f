// libFuzzer target: --quant strings (on top of each preset) and --preset/--bits pairs.
#include "fuzz_support.h"
#include "quant/quant_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace qeb::quant;
  std::string text = qeb::fuzz::as_text(data, size);
  qeb::fuzz::expect_clean_rejection([&] {
    QuantConfig c = parse_quant_config(text);
    // The canonical form must parse back to the same formats.
    QuantConfig again = parse_quant_config(c.to_string());
    if (again.to_string() != c.to_string()) __builtin_trap();
  });
  qeb::fuzz::expect_clean_rejection([&] { parse_quant_config(text, preset_config("qebverif-acas", 4)); });
  // "NAME BITS": the preset path with arbitrary names and numbers.
  auto space = text.find(' ');
  if (space != std::string::npos)
    qeb::fuzz::expect_clean_rejection([&] {
      int bits = int(std::strtol(text.c_str() + space + 1, nullptr, 10));
      preset_config(text.substr(0, space), bits);
    });
  return 0;
}
