// libFuzzer target: arbitrary bytes as a .h5 network file. Under libFuzzer the file is read in this
// process (the loader's child-process isolation off), so libhdf5's own crashes stay in view; the
// replay of the corpus and regressions keeps the isolation users get.
#include "model_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
#ifdef QEB_LIBFUZZER
  static const bool in_process = (qeb::model::set_hdf5_isolation(false), true);
  (void)in_process;
#endif
  return qeb::fuzz::fuzz_model_file(data, size, ".h5");
}
