// Deriving the QNN from the DNN (spec 1.3): clip to the format's range, round half away from zero.
#pragma once

#include <cstdint>

#include "model/network.h"
#include "quant/qnetwork.h"
#include "quant/quant_config.h"

namespace qeb::quant {

/** clamp(round_half_away(v * 2^F), min, max) for a finite v. */
int64_t quantize_value(double v, const FixedPointFormat& format);

/** The QNN of `dnn` under `config`; validated. Throws InputError/OptionError for bad shifts. */
QNetwork quantize(const model::Network& dnn, const QuantConfig& config);

/** quantize() plus the input scale: the pair every later stage works on. */
ModelPair make_pair(model::Network dnn, const QuantConfig& config);

}  // namespace qeb::quant
