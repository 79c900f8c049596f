// One fuzz target per model format: the bytes become a file with the format's extension, which is
// loaded (format dispatch, parsing, validation) and, when it loads, quantized with two presets.
#pragma once

#include "fuzz_support.h"
#include "model/load_network.h"
#include "quant/quant_config.h"
#include "quant/quantize.h"

namespace qeb::fuzz {

inline int fuzz_model_file(const uint8_t* data, std::size_t size, const char* extension) {
  std::string path = write_input_file(data, size, extension);
  return expect_clean_rejection([&] {
    model::Network dnn = model::load_network(path);
    quant::make_pair(dnn, quant::preset_config("qebverif-mnist", 8));
    quant::make_pair(std::move(dnn), quant::preset_config("qebverif-acas", 4));
  });
}

}  // namespace qeb::fuzz
