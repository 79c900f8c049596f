// Exact rounding of integer quotients: the fixed-point scheme's half-up shift and ONNX's half to even.
#pragma once

#include "core/check.h"
#include "core/int128.h"

namespace qeb {

/** How a quotient is rounded to an integer. */
enum class Rounding {
  HALF_UP,    ///< floor(v + 1/2): the power-of-two scheme (spec 1.5)
  HALF_EVEN,  ///< nearest, ties to the even neighbour: ONNX QuantizeLinear, QLinearMatMul
};

inline const char* to_string(Rounding r) { return r == Rounding::HALF_UP ? "half up" : "half to even"; }

/** floor(acc / 2^e + 1/2): round half up (toward +inf) by arithmetic shift; e >= 0. */
inline i128 round_half_up_shift(i128 acc, int e) {
  QEB_ASSERT(e >= 0);
  if (e == 0) return acc;
  return floor_shr(checked_add(acc, i128(1) << (e - 1)), e);
}

/** n / d rounded as `mode`, exactly; d > 0. */
inline i128 round_quotient(i128 n, i128 d, Rounding mode) {
  QEB_ASSERT(d > 0);
  i128 q = n / d, r = n % d;  // truncated
  if (r < 0) --q, r += d;     // floor: 0 <= r < d
  const i128 rest = d - r;    // compare 2r with d without overflow
  if (r > rest) return q + 1;
  if (r < rest) return q;
  return mode == Rounding::HALF_UP || (q & 1) ? q + 1 : q;  // a tie
}

}  // namespace qeb
