// libFuzzer target: arbitrary bytes as a .nnet network file.
#include "model_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return qeb::fuzz::fuzz_model_file(data, size, ".nnet");
}
