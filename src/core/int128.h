// 128-bit integer helpers: overflow-checked arithmetic and decimal printing.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace qeb {

using i128 = __int128;

/** a + b, throwing OverflowError if the exact result leaves the 128-bit range. */
inline i128 checked_add(i128 a, i128 b) {
  i128 r;
  if (__builtin_add_overflow(a, b, &r)) throw OverflowError("128-bit integer overflow in addition");
  return r;
}

/** a * b, throwing OverflowError if the exact result leaves the 128-bit range. */
inline i128 checked_mul(i128 a, i128 b) {
  i128 r;
  if (__builtin_mul_overflow(a, b, &r)) throw OverflowError("128-bit integer overflow in multiplication");
  return r;
}

/** a * 2^k for k >= 0, checked. */
inline i128 checked_shl(i128 a, int k) {
  if (k >= 127) {
    if (a == 0) return 0;
    throw OverflowError("128-bit integer overflow in shift");
  }
  return checked_mul(a, i128(1) << k);
}

/** floor(a / 2^k) for k >= 0 (arithmetic shift, rounds toward minus infinity). */
inline i128 floor_shr(i128 a, int k) {
  if (k <= 0) return a;
  if (k >= 127) return a < 0 ? -1 : 0;
  return a >> k;  // GCC/Clang: arithmetic shift on signed values
}

std::string to_string(i128 v);

}  // namespace qeb
