// Reading and writing a QNN as JSON, so a pre-quantized network can be given with --qnn.
#pragma once

#include <string>

#include "quant/qnetwork.h"

namespace qeb::quant {

/**
 * Format (all integers exact):
 * {"format": "qeb-smt-qnn", "version": 1, "input": "u8.8",
 *  "layers": [{"weight_format": "s4.3", "bias_format": "s4.2", "activation": "u4.2",
 *              "weights": [[...], ...] (outputs rows of inputs), "bias": [...]}, ...]}
 * The output layer has no "activation". Throws InputError naming the file.
 */
QNetwork load_qnn(const std::string& path);

/** Writes `qnn` in the format above. Throws InputError if the file cannot be written. */
void save_qnn(const QNetwork& qnn, const std::string& path);

}  // namespace qeb::quant
