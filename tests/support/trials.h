// How many random cases a randomized test draws. The normal build runs each test's full count;
// the sanitizer pass of ./run test (tests/sanitizer/env.sh) sets QEB_TEST_TRIAL_SCALE to run a
// fraction of them, where every case costs several times as much and the normal build has already
// run them all. The same seeds come first, so a scaled run is a prefix of the full one.
#pragma once

#include <algorithm>
#include <cstdlib>

namespace qeb::test {

/** QEB_TEST_TRIAL_SCALE in (0, 1], else 1 (every case). */
inline double trial_scale() {
  static const double scale = [] {
    const char* text = std::getenv("QEB_TEST_TRIAL_SCALE");
    double s = text ? std::atof(text) : 1.0;
    return s > 0 && s <= 1 ? s : 1.0;
  }();
  return scale;
}

inline int trials(int full) { return std::max(1, static_cast<int>(full * trial_scale())); }

}  // namespace qeb::test
