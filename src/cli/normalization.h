// A .nnet file's normalisation under --apply-normalization: applied outside both networks.
//
// The QNN is always the quantization of the network as stored (it maps normalised inputs to
// normalised outputs: folding 1/range into the first layer would quantize small-ranged weights,
// such as ACAS Xu's 1/60261 for rho, to zero). The integer grid is therefore the normalised one:
// x̂/D is the normalised input n, and the raw input is r = n * range + mean. With the flag,
//  - regions keep only the inputs of the file's domain: r in [min, max], i.e. the integer points
//    with ceil(D (min - mean) / range) <= x̂ <= floor(D (max - mean) / range), computed exactly;
//  - eval also prints raw outputs y * range_out + mean_out and raw inputs;
//  - differences and eps stay in the network's (normalised) output units: a raw difference is
//    range_out times larger (the mean cancels), which the text reports state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/rational.h"
#include "model/network.h"
#include "spec/region.h"

namespace qeb::cli {

/**
 * The integer box of inputs whose raw value lies in the file's [min, max] (rounded inward).
 * @param scale the input scale D (x̂/D is the normalised input)
 */
spec::Box normalised_domain(const model::Normalization& n, const Rational& scale);

/**
 * `box` intersected with the domain; appends a note when that removed points. Throws InputError
 * naming `source` when nothing is left.
 */
spec::Box clip_to_domain(const spec::Box& box, const model::Normalization& n, const Rational& scale,
                         const std::string& source, std::vector<std::string>& notes);

/** y * range_out + mean_out, exactly. */
Rational raw_output(const model::Normalization& n, const Rational& y);

/** (x̂ / D) * range_k + mean_k, exactly. */
Rational raw_input(const model::Normalization& n, std::size_t k, int64_t x, const Rational& scale);

/** "raw output = 373.5 x normalised + 7.5": the one line the reports print. */
std::string output_scale_text(const model::Normalization& n);

}  // namespace qeb::cli
