// Per-neuron linear relaxations of the activations of both networks (spec 3.0 and 3.3), built so
// that floating-point rounding of slopes and offsets can only loosen them.
#pragma once

#include <vector>

#include "dra/deeppoly.h"
#include "dra/interval.h"

namespace qeb::dra {

/**
 * ReLU over pre-activation bounds (DeepPoly): identity if l >= 0, zero if u <= 0, else the chord
 * above and 0 (if l + u <= 0) or p below.
 */
DiagonalStep relu_step(const std::vector<Interval>& pre);

/** The QNN rounding node: p - rho <= round(p) <= p + rho (rho = half a grid step). */
DiagonalStep rounding_step(const std::vector<Interval>& pre, double rho);

/** max(p, 0) over p's bounds: the same relaxation as ReLU. */
inline DiagonalStep max_zero_step(const std::vector<Interval>& pre) { return relu_step(pre); }

/**
 * min(p, C) over p's bounds: identity if u <= C, constant C if l >= C, else the chord below and
 * C above when l + u >= 2 (C - grid) (the artifact's threshold; either choice is sound), else p.
 */
DiagonalStep min_cap_step(const std::vector<Interval>& pre, double cap, double grid);

}  // namespace qeb::dra
