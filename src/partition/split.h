// Where to cut an input box in two: along the coordinate whose bisection leaves DRA the least to
// prove (spec: the dimension DRA finds most influential).
#pragma once

#include <optional>
#include <vector>

#include "core/rational.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::partition {

struct Split {
  std::size_t dimension = 0;
  int64_t mid = 0;  ///< the halves are [lo, mid] and [mid + 1, hi]
  double low_gap = 0;   ///< dra_gap of the lower half
  double high_gap = 0;  ///< dra_gap of the upper half
};

/** The two halves of `box` at `split`. */
std::pair<spec::Box, spec::Box> bisect(const spec::Box& box, const Split& split);

/**
 * What DRA leaves open over `box` for `outputs` and eps: the summed amount by which the output
 * difference intervals exceed [-eps, eps] (0 means DRA proves every direction).
 */
double dra_gap(const quant::ModelPair& pair, const spec::Box& box, const std::vector<std::size_t>& outputs,
               const Rational& eps);

/**
 * The split to make, or nullopt if the box is a single point. The `candidates` coordinates with the
 * largest width x first-layer weight mass (over neurons DRA cannot fix) are each tried: DRA runs on
 * both halves, and the coordinate whose worse half has the smallest dra_gap wins.
 */
std::optional<Split> choose_split(const quant::ModelPair& pair, const spec::Box& box,
                                  const std::vector<std::size_t>& outputs, const Rational& eps,
                                  std::size_t candidates = 8);

}  // namespace qeb::partition
