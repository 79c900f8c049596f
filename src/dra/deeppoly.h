// DeepPoly back-substitution (Singh et al., POPL 2019) over a chain of affine layers and
// per-neuron linear relaxations, with every floating-point rounding folded into a slack term
// so that the concrete bounds are true bounds.
#pragma once

#include <vector>

#include "dra/interval.h"
#include "dra/matrix.h"

namespace qeb::dra {

/**
 * A relaxation of y = f(p) per neuron: lower_slope p + lower_const <= y <= upper_slope p + upper_const
 * for p in the neuron's bounds. Slopes are >= 0 (all our activations are monotone).
 */
struct DiagonalStep {
  std::vector<double> lower_slope, lower_const, upper_slope, upper_const;
  std::vector<double> input_magnitude;  ///< max |p| over p's bounds, for the rounding slack
};

/** Layer k: pre_k = W_k post_{k-1} + b_k, then `steps` in order turn pre_k into post_k. */
struct PolyLayer {
  Matrix weights;  ///< outputs x inputs
  std::vector<double> bias;
  std::vector<double> bias_error;        ///< |bias - exact bias| per neuron (empty: exact)
  std::vector<DiagonalStep> steps;       ///< empty for the output layer
  std::vector<double> post_magnitude;    ///< max |post_k| over its bounds (set once the layer is bounded)
  std::vector<double> weighted_post_magnitude;  ///< |W_k| * post_magnitude_{k-1}, cached for the slack
};

/** A bound of a layer's pre-activations as a linear function of the input, valid up to `slack`. */
struct InputExpression {
  Matrix coef;                  ///< neurons x inputs
  std::vector<double> constant;
  std::vector<double> slack;    ///< lower: value >= coef x + constant - slack (upper: <= ... + slack)
};

enum class Direction { LOWER, UPPER };

class DeepPoly {
 public:
  /** @param input_lo, input_hi sound bounds of the (real) input. */
  DeepPoly(std::vector<double> input_lo, std::vector<double> input_hi);

  /**
   * Appends a layer whose pre-activation bounds will be computed next; returns its index.
   * `bias_error` (empty if the bias is exact) bounds how far each bias is from the exact one.
   */
  std::size_t add_layer(Matrix weights, std::vector<double> bias, std::vector<double> bias_error = {});
  /** Sets the relaxation steps and post-activation magnitude of the last added layer. */
  void set_activation(std::vector<DiagonalStep> steps, std::vector<double> post_magnitude);

  /** The lower or upper bound of layer `k`'s pre-activations, back-substituted to the input. */
  InputExpression expression(std::size_t k, Direction direction) const;
  /** Concrete bounds of an expression over the input box (slack and rounding included). */
  std::vector<double> concretize(const InputExpression& e, Direction direction) const;
  /** Both concrete bounds of layer k's pre-activations. */
  std::vector<Interval> bounds(std::size_t k) const;

  const std::vector<double>& input_lo() const { return d_lo; }
  const std::vector<double>& input_hi() const { return d_hi; }
  std::size_t layer_count() const { return d_layers.size(); }

 private:
  std::vector<double> d_lo, d_hi, d_input_magnitude;
  std::vector<PolyLayer> d_layers;
};

}  // namespace qeb::dra
