#include "dra/diff_analysis.h"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "core/error.h"

#include "dra/network_bounds.h"
#include "dra/qnn_intervals.h"
#include "dra/transfer.h"

namespace qeb::dra {

namespace {

// delta of the input layer: (x̂ - z) (input step - 1/D) over the box (spec 3.0; power of two:
// x̂ (2^-F_in - 1/D)), rounded outward.
std::vector<Interval> input_delta(const quant::ModelPair& pair, const spec::Box& box) {
  Rational factor = pair.qnn.input_step() - Rational(1) / pair.input_scale;
  const int64_t z = pair.qnn.input_zero_point;
  std::vector<Interval> out(box.dimension());
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    Rational a = factor * (box.lo[k] - z), b = factor * (box.hi[k] - z);
    out[k] = {down(to_double(a < b ? a : b)), up(to_double(a < b ? b : a))};
  }
  return out;
}

/**
 * Con's delta^in (spec 3.2): sum W̃ delta + sum (W̃ - W) S + (b̃ - b) +- xi, in interval arithmetic,
 * where S are the DNN values feeding the layer and xi = half the layer's grid step (0 at the output).
 */
std::vector<Interval> con_delta_in(const quant::ModelPair& pair, std::size_t i, const QnnRealLayer& q,
                                   const std::vector<Interval>& delta, const std::vector<Interval>& feeding) {
  const model::DenseLayer& d = pair.dnn.layers[i];
  const double xi = q.out.quantized ? q.out.step / 2 : 0.0;
  std::vector<Interval> out(d.outputs);
  for (std::size_t j = 0; j < d.outputs; ++j) {
    OutwardSum lo, hi;
    double bias_delta = q.bias[j] - d.bias[j];
    lo.add(bias_delta);
    hi.add(bias_delta);
    const double* wrow = q.weights.row(j);
    for (std::size_t m = 0; m < d.inputs; ++m) {
      double wq = wrow[m];
      double dw = wq - d.weight(j, m);
      lo.add(wq >= 0 ? wq * delta[m].lo : wq * delta[m].hi);
      hi.add(wq >= 0 ? wq * delta[m].hi : wq * delta[m].lo);
      lo.add(dw >= 0 ? dw * feeding[m].lo : dw * feeding[m].hi);
      hi.add(dw >= 0 ? dw * feeding[m].hi : dw * feeding[m].lo);
    }
    const double inexact = q.bias_error.empty() ? 0.0 : q.bias_error[j];
    out[j] = {down(lo.lower() - xi - inexact), up(hi.upper() + xi + inexact)};
  }
  return out;
}

/**
 * Sym's delta^in (spec 3.3): the QNN's symbolic lower bound minus the DNN's symbolic upper bound
 * (and vice versa), both as functions of the integer input, minimised (maximised) over the box.
 */
std::vector<Interval> sym_delta_in(const quant::ModelPair& pair, const spec::Box& box, const InputExpression& q_lo,
                                   const InputExpression& q_hi, const InputExpression& d_lo,
                                   const InputExpression& d_hi) {
  // Both expressions are over the real inputs, functions of x̂ - z.
  const double q_scale = to_double(pair.qnn.input_step());           // exact
  const double d_scale = to_double(Rational(1) / pair.input_scale);  // off by <= u relative
  const int64_t z = pair.qnn.input_zero_point;
  std::vector<Interval> out(q_lo.coef.rows);
  auto bound = [&](const InputExpression& q, const InputExpression& d, std::size_t j, bool lower) {
    OutwardSum sum;
    sum.add(q.constant[j]);
    sum.add(-d.constant[j]);
    double coef_error = 0;
    const double* qr = q.coef.row(j);
    const double* dr = d.coef.row(j);
    for (std::size_t k = 0; k < box.dimension(); ++k) {
      double dq = qr[k] * q_scale, dd = dr[k] * d_scale;
      double c = dq - dd;
      bool take_lo = (c >= 0) == lower;
      double x = double((take_lo ? box.lo[k] : box.hi[k]) - z);
      sum.add(c * x);
      // 1/D, the product dd and the difference c each round once.
      coef_error += (std::fabs(c) + 3 * std::fabs(dd)) * kUnitRoundoff *
                    std::max(std::fabs(double(box.lo[k] - z)), std::fabs(double(box.hi[k] - z)));
    }
    double slack = q.slack[j] + d.slack[j] + coef_error * 1.01;
    return lower ? down(sum.lower() - slack) : up(sum.upper() + slack);
  };
  for (std::size_t j = 0; j < out.size(); ++j) out[j] = {bound(q_lo, d_hi, j, true), bound(q_hi, d_lo, j, false)};
  return out;
}

}  // namespace

DraResult run_dra(const quant::ModelPair& pair, const spec::Box& box, const DraOptions& options,
                  const DraResult* within) {
  auto start = std::chrono::steady_clock::now();
  const Semantics semantics = options.semantics;
  const bool sym = options.mode == DraMode::SYM;
  const bool sound = semantics == Semantics::SOUND;
  const quant::QNetwork& qnn = pair.qnn;
  if (within && !sound) throw std::logic_error("run_dra: restrictions need the SOUND semantics");
  if (qnn.affine() && !sound)
    throw UnsupportedError("the published semantics reproduce QEBVerif's power-of-two scheme only; " + qnn.source +
                           " is an affine QNN (use --semantics sound)");
  const std::vector<LayerReport>* restrict = within ? &within->layers : nullptr;
  bool empty = false;

  std::vector<QnnLayerIntervals> intervals = propagate_qnn_intervals(qnn, box, semantics, restrict, &empty);
  NetworkBounds dnn = dnn_deeppoly(pair, box, sym, restrict, &empty);
  std::vector<QnnRealLayer> real;
  if (options.mode != DraMode::BASE) real = qnn_real_layers(qnn);
  NetworkBounds qsym;
  if (sym) qsym = qnn_deeppoly(pair, box, semantics, intervals, real, true);

  DraResult result;
  result.options = options;
  auto [x_lo, x_hi] = dnn_input_box(pair, box);
  std::vector<Interval> dnn_inputs(box.dimension());
  for (std::size_t k = 0; k < box.dimension(); ++k) dnn_inputs[k] = {x_lo[k], x_hi[k]};
  std::vector<Interval> previous_delta = input_delta(pair, box);

  for (std::size_t i = 0; i < qnn.layers.size(); ++i) {
    const bool output = qnn.is_output(i);
    LayerReport r;
    r.dnn_pre = dnn.pre[i];
    r.dnn_post = dnn.post[i];
    r.qnn_pre = sym ? qsym.pre[i] : intervals[i].real_pre;
    r.qnn_post = sym ? qsym.post[i] : intervals[i].real_post;
    const std::size_t n = r.dnn_pre.size();
    if (restrict && output)  // the output bounds of the parent region still hold
      for (std::size_t j = 0; j < n; ++j) {
        r.qnn_pre[j] = r.qnn_pre[j].meet((*restrict)[i].qnn_pre[j]);
        r.qnn_post[j] = qnn.quantized(i) ? r.qnn_post[j].meet((*restrict)[i].qnn_post[j]) : r.qnn_pre[j];
      }

    // The DNN values feeding layer i: the input box, else the previous layer's post-ReLU bounds
    // (PUBLISHED uses pre-activation bounds for hidden layers: P4, unsound for inactive neurons).
    const std::vector<Interval>& feeding =
        i == 0 ? dnn_inputs
               : (!sound && !output ? result.layers[i - 1].dnn_pre : result.layers[i - 1].dnn_post);

    if (options.mode == DraMode::BASE) {
      for (std::size_t j = 0; j < n; ++j)
        r.delta.push_back({down(r.qnn_post[j].lo - r.dnn_post[j].hi), up(r.qnn_post[j].hi - r.dnn_post[j].lo)});
      r.delta_in = r.delta;
    } else {
      if (sym) {
        r.delta_in = sym_delta_in(pair, box, qsym.lower[i], qsym.upper[i], dnn.lower[i], dnn.upper[i]);
        if (sound && options.intersect_con) {
          std::vector<Interval> con = con_delta_in(pair, i, real[i], previous_delta, feeding);
          for (std::size_t j = 0; j < n; ++j) r.delta_in[j] = r.delta_in[j].meet(con[j]);
        }
      } else {
        r.delta_in = con_delta_in(pair, i, real[i], previous_delta, feeding);
      }
      r.delta.resize(n);
      if (output) {
        std::optional<Interval> clamp;  // an affine quantized output's [clamp_lo, clamp_hi] in real units
        if (real[i].out.quantized) clamp = Interval{real[i].out.low, real[i].out.cap};
        for (std::size_t j = 0; j < n; ++j)
          r.delta[j] = output_transfer(r.dnn_pre[j], r.qnn_pre[j], r.delta_in[j], semantics, clamp);
      } else {
        for (std::size_t j = 0; j < n; ++j)
          r.delta[j] = activation_transfer(r.dnn_pre[j], r.qnn_pre[j], r.delta_in[j], real[i].out.cap, semantics);
      }
    }

    if (restrict)
      for (std::size_t j = 0; j < n; ++j) {
        r.delta_in[j] = r.delta_in[j].meet((*restrict)[i].delta_in[j]);
        r.delta[j] = r.delta[j].meet((*restrict)[i].delta[j]);
      }
    if (!output) {
      const QnnGrid grid = qnn_grid(qnn, i);
      const int64_t max = qnn.clamp_hi(i);
      for (std::size_t j = 0; j < n; ++j) {
        // Integer pre-activation bounds on the layer's grid (the bounds lie on the grid).
        int64_t lo = grid_ceil(r.qnn_pre[j].lo, grid);
        int64_t hi = grid_floor(r.qnn_pre[j].hi, grid);
        r.qnn_pre_lo.push_back(lo);
        r.qnn_pre_hi.push_back(hi);
        r.dnn_phase.push_back(classify_dnn(r.dnn_pre[j]));
        r.qnn_phase.push_back(classify_qnn(lo, hi, max));
      }
    }
    // Sym (PUBLISHED) does not propagate hidden deltas; every other variant feeds them forward.
    previous_delta = r.delta;
    result.layers.push_back(std::move(r));
  }
  // An empty intersection anywhere (or a difference bound that no longer contains any value).
  for (const LayerReport& r : result.layers) {
    for (const Interval& d : r.delta) empty |= d.lo > d.hi;
    for (const Interval& d : r.qnn_pre) empty |= d.lo > d.hi;
  }
  result.infeasible = empty;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace qeb::dra
