// How a witness input (a counterexample, a worst point) is shown to a user: never "(nowhere)".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spec/region.h"

namespace qeb::cli {

/**
 * One line describing input `x` of a region. With a reference point (an MNIST sample or --center):
 * "differs from the centre at: k=v ..." or "equals the centre". Otherwise (a box, a property): the
 * whole input when it has at most 32 coordinates, else its values at the box's free coordinates
 * (the others are fixed by the box). Long lists end with "... (full input in --json)".
 * @param center the reference point, or empty for none
 */
std::string describe_input(const std::vector<int64_t>& x, const spec::Box& box, const std::vector<int64_t>& center);

}  // namespace qeb::cli
