// libFuzzer target: arbitrary bytes as a QNN JSON file (`qeb-smt quantize` output, read by --qnn).
#include "fuzz_support.h"
#include "quant/qnn_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string path = qeb::fuzz::write_input_file(data, size, ".json");
  return qeb::fuzz::expect_clean_rejection([&] { qeb::quant::load_qnn(path); });
}
