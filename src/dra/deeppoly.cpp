#include "dra/deeppoly.h"

#include <cmath>

#include "core/check.h"

namespace qeb::dra {

namespace {

// Relative slack for products whose single rounding error is bounded by u |result|.
constexpr double kProductError = kUnitRoundoff * 1.01;

std::vector<double> magnitudes(const std::vector<double>& lo, const std::vector<double>& hi) {
  std::vector<double> m(lo.size());
  for (std::size_t j = 0; j < lo.size(); ++j) m[j] = std::max(std::fabs(lo[j]), std::fabs(hi[j]));
  return m;
}

// Replaces the expression's coefficients on post-activations by the step's relaxation of them.
void substitute_step(const DiagonalStep& step, Direction direction, Matrix& a, std::vector<double>& c,
                     std::vector<double>& slack) {
  for (std::size_t i = 0; i < a.rows; ++i) {
    double* row = a.row(i);
    double constant_abs = std::fabs(c[i]), coef_error = 0, added = 0;
    for (std::size_t j = 0; j < a.cols; ++j) {
      const double coef = row[j];
      if (coef == 0) continue;
      // A lower bound takes the lower relaxation where the coefficient is positive, and vice versa.
      bool take_lower = (coef > 0) == (direction == Direction::LOWER);
      double slope = take_lower ? step.lower_slope[j] : step.upper_slope[j];
      double offset = take_lower ? step.lower_const[j] : step.upper_const[j];
      double term = coef * offset;
      added += term;
      constant_abs += std::fabs(term);
      row[j] = coef * slope;
      coef_error += std::fabs(row[j]) * step.input_magnitude[j];
    }
    c[i] += added;
    slack[i] += kProductError * coef_error + gamma(a.cols + 2) * constant_abs * 1.01;
  }
}

}  // namespace

DeepPoly::DeepPoly(std::vector<double> input_lo, std::vector<double> input_hi)
    : d_lo(std::move(input_lo)), d_hi(std::move(input_hi)) {
  QEB_ASSERT(d_lo.size() == d_hi.size());
  d_input_magnitude = magnitudes(d_lo, d_hi);
}

std::size_t DeepPoly::add_layer(Matrix weights, std::vector<double> bias, std::vector<double> bias_error) {
  const std::vector<double>& previous = d_layers.empty() ? d_input_magnitude : d_layers.back().post_magnitude;
  QEB_ASSERT(weights.cols == previous.size());
  PolyLayer layer;
  layer.weighted_post_magnitude.assign(weights.rows, 0.0);
  for (std::size_t i = 0; i < weights.rows; ++i) {
    const double* row = weights.row(i);
    double sum = 0;
    for (std::size_t j = 0; j < weights.cols; ++j) sum += std::fabs(row[j]) * previous[j];
    layer.weighted_post_magnitude[i] = sum * (1 + gamma(weights.cols + 1) * 2);
  }
  layer.weights = std::move(weights);
  layer.bias = std::move(bias);
  layer.bias_error = std::move(bias_error);
  d_layers.push_back(std::move(layer));
  return d_layers.size() - 1;
}

void DeepPoly::set_activation(std::vector<DiagonalStep> steps, std::vector<double> post_magnitude) {
  QEB_ASSERT(!d_layers.empty());
  d_layers.back().steps = std::move(steps);
  d_layers.back().post_magnitude = std::move(post_magnitude);
}

InputExpression DeepPoly::expression(std::size_t k, Direction direction) const {
  QEB_ASSERT(k < d_layers.size());
  InputExpression e;
  e.coef = d_layers[k].weights;
  e.constant = d_layers[k].bias;
  e.slack.assign(e.coef.rows, 0.0);
  if (!d_layers[k].bias_error.empty()) e.slack = d_layers[k].bias_error;
  Matrix product;
  for (std::size_t m = k; m-- > 0;) {
    const PolyLayer& layer = d_layers[m];
    // post_m -> pre_m through the activation's relaxation steps, last step first.
    for (std::size_t s = layer.steps.size(); s-- > 0;) substitute_step(layer.steps[s], direction, e.coef, e.constant, e.slack);
    // pre_m = W_m post_{m-1} + b_m.
    for (std::size_t i = 0; i < e.coef.rows; ++i) {
      const double* row = e.coef.row(i);
      double added = 0, added_abs = std::fabs(e.constant[i]), coef_error = 0;
      for (std::size_t j = 0; j < e.coef.cols; ++j) {
        if (row[j] == 0) continue;
        added += row[j] * layer.bias[j];
        added_abs += std::fabs(row[j] * layer.bias[j]);
        coef_error += std::fabs(row[j]) * layer.weighted_post_magnitude[j];
      }
      e.constant[i] += added;
      // Each new coefficient is an n-term dot product: error <= gamma_n (|A||W|)_ij.
      e.slack[i] += gamma(e.coef.cols + 2) * (added_abs + coef_error) * 1.01;
      if (!layer.bias_error.empty()) {
        double inexact = 0;  // the biases' own distance from the exact ones
        for (std::size_t j = 0; j < e.coef.cols; ++j) inexact += std::fabs(row[j]) * layer.bias_error[j];
        e.slack[i] += inexact * (1 + gamma(e.coef.cols + 2)) * 1.01;
      }
    }
    multiply(e.coef, layer.weights, product);
    std::swap(e.coef, product);
  }
  return e;
}

std::vector<double> DeepPoly::concretize(const InputExpression& e, Direction direction) const {
  std::vector<double> out(e.coef.rows);
  for (std::size_t i = 0; i < e.coef.rows; ++i) {
    const double* row = e.coef.row(i);
    OutwardSum sum;
    sum.add(e.constant[i]);
    for (std::size_t j = 0; j < e.coef.cols; ++j) {
      if (row[j] == 0) continue;
      bool take_lo = (row[j] > 0) == (direction == Direction::LOWER);
      sum.add(row[j] * (take_lo ? d_lo[j] : d_hi[j]));
    }
    out[i] = direction == Direction::LOWER ? sum.lower() - e.slack[i] : sum.upper() + e.slack[i];
  }
  return out;
}

std::vector<Interval> DeepPoly::bounds(std::size_t k) const {
  std::vector<double> lo = concretize(expression(k, Direction::LOWER), Direction::LOWER);
  std::vector<double> hi = concretize(expression(k, Direction::UPPER), Direction::UPPER);
  std::vector<Interval> out(lo.size());
  for (std::size_t i = 0; i < lo.size(); ++i) out[i] = {lo[i], hi[i]};
  return out;
}

}  // namespace qeb::dra
