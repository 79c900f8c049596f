// How many random cases a randomized test draws. The normal build runs each test's full count;
// the sanitizer pass of ./run test (tests/sanitizer/env.sh) sets QEB_TEST_TRIAL_SCALE to run a
// fraction of them, where every case costs several times as much and the normal build has already
// run them all. The same seeds come first, so a scaled run is a prefix of the full one.
#pragma once

#include <algorithm>
#include <cstdlib>

namespace qeb::test {

inline int trials(int full) {
  static const double scale = [] {
    const char* text = std::getenv("QEB_TEST_TRIAL_SCALE");
    double s = text ? std::atof(text) : 1.0;
    return s > 0 && s <= 1 ? s : 1.0;
  }();
  return std::max(1, static_cast<int>(full * scale));
}

}  // namespace qeb::test
