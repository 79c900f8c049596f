// 2^k as an exact integer: the bit-vector and big-constant tests build their edge cases from it.
#pragma once

#include "core/rational.h"

namespace qeb::test {

inline BigInt pow2(unsigned k) { return BigInt(1) << k; }

}  // namespace qeb::test
