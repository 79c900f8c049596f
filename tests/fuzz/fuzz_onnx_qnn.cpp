// libFuzzer target: arbitrary bytes as a quantized ONNX model for --qnn (QDQ, QLinearMatMul,
// MatMulInteger); what loads is evaluated at its input zero point and at both ends of its range.
#include "eval/eval_qnn.h"
#include "fuzz_support.h"
#include "quant/affine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace qeb;
  std::string path = fuzz::write_input_file(data, size, ".onnx");
  return fuzz::expect_clean_rejection([&] {
    quant::QNetwork qnn = quant::load_affine_qnn(path);
    for (int64_t v : {qnn.input_zero_point, qnn.input_format.min_int(), qnn.input_format.max_int()})
      eval::eval_qnn(qnn, std::vector<int64_t>(qnn.input_size(), v));
  });
}
