// Exhaustive search for a violation: is there an integer point of the box where
// |QNN_k - DNN_k| > eps for one of the outputs? Every point is evaluated fast with a rigorous error
// bound (point_evaluator.h); only points that may violate are evaluated exactly, and the search
// stops at the first exact violation. Split over threads along the widest coordinate. This is what
// verify needs from enumeration (the oracle computes the exact extremes, which needs every
// candidate settled).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/rational.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::eval {

struct Violation {
  std::vector<int64_t> input;
  std::size_t output = 0;
  Rational diff;  ///< exact QNN - DNN there; |diff| > eps
};

/**
 * A violation found by enumerating the box on `threads` threads, or nullopt when every point
 * satisfies |QNN_k - DNN_k| <= eps for every k of `outputs` (empty: all). `side` +1 looks for
 * QNN - DNN > eps only, -1 for QNN - DNN < -eps only, 0 for both.
 */
std::optional<Violation> find_violation(const quant::ModelPair& pair, const spec::Box& box,
                                        const std::vector<std::size_t>& outputs, const Rational& eps,
                                        unsigned threads = 1, int side = 0);

}  // namespace qeb::eval
