// The DNN evaluated exactly in scaled integers: every float weight is m * 2^e, so each layer's values
// are integers over one common denominator D * 2^s (D the input scale). No rational arithmetic (no
// gcd per operation) until the outputs: the exact evaluator the oracle and replay use.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rational.h"
#include "model/network.h"

namespace qeb::eval {

class ScaledDnn {
 public:
  /** The DNN reads integer input x as (x - zero_point) / input_scale (zero_point: an affine QNN's input zero point). */
  ScaledDnn(const model::Network& dnn, const Rational& input_scale, int64_t zero_point = 0);

  /** Layer 0's values at integer input x (post-ReLU if it has one), as numerators over denominator(0). */
  std::vector<BigInt> first_layer(const std::vector<int64_t>& x) const;
  /** The outputs, exactly, from layer 0's numerators. */
  std::vector<Rational> rest(std::vector<BigInt> values) const;
  /** The outputs at x, exactly (equal to eval_dnn_exact). */
  std::vector<Rational> evaluate(const std::vector<int64_t>& x) const { return rest(first_layer(x)); }

 private:
  struct Layer {
    std::vector<BigInt> weights;  ///< m * 2^(e - shift) per weight, row-major
    std::vector<BigInt> bias;     ///< m * 2^(e - shift) per bias (multiplied by the input denominator at use)
    int shift = 0;                ///< the layer multiplies the denominator by 2^-shift (shift <= 0)
    bool relu = false;
    std::size_t inputs = 0, outputs = 0;
  };
  std::vector<Layer> d_layers;
  std::vector<BigInt> d_denominator;  ///< per layer: the common denominator of its values
  BigInt d_input_numerator, d_input_denominator;  ///< x / D = x * q / p with D = p / q
  int64_t d_zero_point = 0;
};

}  // namespace qeb::eval
