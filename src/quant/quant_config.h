// Quantization configurations: per-tensor fixed-point formats, presets, and the `--quant` syntax.
#pragma once

#include <map>
#include <string>

#include "core/fixed_point.h"
#include "core/rational.h"

namespace qeb::quant {

/**
 * How a DNN becomes a QNN (spec section 1). Layers are numbered 1..L (dense layers, input excluded).
 * Defaults apply to every layer; per-layer overrides serve refinement searches.
 */
struct QuantConfig {
  FixedPointFormat input{false, 8, 8};   ///< C_in: integer inputs x̂, QNN real input x̂ / 2^F_in
  FixedPointFormat weight{true, 8, 7};   ///< C_w
  FixedPointFormat bias{true, 8, 6};     ///< C_b
  FixedPointFormat hidden{false, 8, 6};  ///< C_h, every hidden layer's activations (clamped to [0, max])
  std::map<int, FixedPointFormat> weight_override, bias_override, hidden_override;
  /// D: the DNN sees the integer input x̂ as x̂ / D (MNIST: 255; the technical report: 15).
  Rational input_scale = 255;

  FixedPointFormat weight_format(int layer) const;
  FixedPointFormat bias_format(int layer) const;
  FixedPointFormat hidden_format(int layer) const;

  /** Canonical `--quant` text; parse_quant_config(to_string()) gives back the same config. */
  std::string to_string() const;
};

/** Names of the built-in presets, for help texts. */
const char* preset_help();

/**
 * The QEBVerif artifact's configurations (spec 1.2) for bit-width Q:
 *   qebverif-mnist: in=u8.8, w=sQ.(Q-1), b=sQ.(Q-2), h=uQ.(Q-2), D=255
 *   qebverif-acas:  in=s8.8, w=sQ.(Q-2), b=sQ.(Q-2), h=uQ.(Q-2), D=255
 * Throws OptionError for an unknown name or Q outside 2..32.
 */
QuantConfig preset_config(const std::string& name, int bits);

/**
 * Parses "in=u8.8,w=s4.3,b=s4.2,h=u4.2[,w2=s6.5,...][,scale=255]" on top of `base`
 * (keys in, w, b, h, wN, bN, hN for layer N, scale = D). Throws OptionError.
 */
QuantConfig parse_quant_config(const std::string& text, QuantConfig base = {});

}  // namespace qeb::quant
