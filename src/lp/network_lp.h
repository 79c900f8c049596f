// The LP relaxation of "QNN vs DNN over an integer box" (issue 14): both networks over one input
// column per coordinate, every constraint stated exactly in doubles (lp/linear_program.h).
//   DNN: D z = W x + D b (first layer), z = W a + b; ReLU a = max(z, 0) by a >= z, a >= 0 and the
//        upper chord over [l, u] where DRA left it unstable (identity / zero where stable; a node
//        that fixes the phase makes a >= z an equality, or a's upper bound 0).
//   QNN: in integer units, the rounding r = floor((acc + 2^(e-1)) / 2^e) exactly as
//        acc - 2^e r in [-2^(e-1), 2^(e-1) - 1] (only r's integrality is relaxed); the clamp
//        q = clamp(r, 0, C) by its convex and concave envelopes over [rl, ru] (two lines through
//        integer points: integer coefficients), and q = r by a row switched on where [rl, ru]
//        lies within [0, C].
//   +Diff: DRA's bounds on 2^-F_h q - a per hidden neuron (QEBVerif's cuts), when asked; with
//        them, lines tying that difference to the pre-activation one (lp/activation_link.h).
// Affine QNNs (ONNX, issue 15): each quantized neuron gets its accumulator as a column,
//        acc = sum W q + K, and the rounding v = round_half_even((acc mult + add) / div) as
//        acc mult + add - div v in [-div/2, div/2] (ties relaxed to both sides); the clamp to
//        [lo, hi] by the same envelopes. The output layer gets accumulator columns too (real
//        output S acc + c, or a quantized output p step with its own rounding and clamp rows).
// Every column is bounded by sound DRA bounds, so dual multipliers give rigorous bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/int128.h"
#include "dra/dra_result.h"
#include "lp/linear_program.h"
#include "quant/qnetwork.h"
#include "spec/region.h"

namespace qeb::lp {

/** A neuron's value in the LP: a column, or an exact constant (stable at the root). */
struct LpTerm {
  int column = -1;
  double constant = 0;
  bool is_column() const { return column >= 0; }
};

/** Why the LP relaxation cannot be built for `qnn` (coefficients it cannot state exactly), or nullopt. */
std::optional<std::string> unsupported_reason(const quant::QNetwork& qnn);

class NetworkLp {
 public:
  /**
   * The structure comes from `root` (SOUND DRA over the root box): neurons stable there get no
   * case rows (and constants no columns). Later instantiations may only shrink the region.
   */
  NetworkLp(const quant::ModelPair& pair, const dra::DraResult& root, bool difference_cuts);

  /**
   * The LP over `box` with `bounds` (sound for the box, within the root's). The structure (rows,
   * columns, their order) never changes, so a basis of one instantiation warm-starts another.
   *
   * With `lines` false only bounds change: the relaxation lines whose coefficients depend on the
   * bounds (DNN chords, clamp envelopes, activation links) stay as the last instantiation left
   * them, which is sound only when that one was over a superset of `bounds` (a line over a wider
   * range still bounds the function over a narrower one). Phases the bounds fix are still exact:
   * an inactive ReLU or a clamped QNN neuron by its column bounds, an active ReLU and a linear
   * QNN neuron by rows whose bounds switch (a = z, q = r). Strong branching's children use this:
   * the parent's simplex basis then stays dual feasible (CLP otherwise ends many of their dual
   * solves with a primal clean-up).
   */
  const LinearProgram& instantiate(const spec::Box& box, const dra::DraResult& bounds, bool lines = true);
  const LinearProgram& program() const { return d_lp; }

  /** QNN_g - DNN_g (real units). */
  Objective output_difference(std::size_t output) const;
  /** The DNN pre-activation z, or the QNN rounded pre-activation r (integer units), of hidden neuron (i, j). */
  Objective dnn_pre_objective(std::size_t i, std::size_t j) const;
  Objective qnn_pre_objective(std::size_t i, std::size_t j) const;

  LpTerm input(std::size_t k) const { return {int(k), 0}; }
  LpTerm dnn_pre(std::size_t i, std::size_t j) const { return d_layers[i].dnn_pre[j]; }
  LpTerm dnn_post(std::size_t i, std::size_t j) const { return d_layers[i].dnn_post[j]; }
  LpTerm qnn_pre(std::size_t i, std::size_t j) const { return d_layers[i].qnn_pre[j]; }
  LpTerm qnn_post(std::size_t i, std::size_t j) const { return d_layers[i].qnn_post[j]; }
  std::size_t hidden_layers() const { return d_layers.size(); }
  /** Rows of hidden neuron (i, j), or -1 where it has none: DNN chord, QNN envelope lines, QNN rounding window. */
  int dnn_chord_row(std::size_t i, std::size_t j) const { return d_layers[i].dnn_chord_row[j]; }
  int qnn_lower_row(std::size_t i, std::size_t j) const { return d_layers[i].qnn_lower_row[j]; }
  int qnn_upper_row(std::size_t i, std::size_t j) const { return d_layers[i].qnn_upper_row[j]; }
  int qnn_rounding_row(std::size_t i, std::size_t j) const { return d_layers[i].qnn_rounding_row[j]; }
  /** The activation links' rows of hidden neuron (i, j) (lp/activation_link.h), or -1. */
  int link_upper_row(std::size_t i, std::size_t j) const { return d_layers[i].link_upper_row[j]; }
  int link_lower_row(std::size_t i, std::size_t j) const { return d_layers[i].link_lower_row[j]; }
  /** The rounding row's coefficient of r (2^e, or div): one integer step of r moves the row by this much. */
  double rounding_scale(std::size_t i, std::size_t j) const;

 private:
  struct Layer {
    std::vector<LpTerm> dnn_pre, dnn_post, qnn_pre, qnn_post;
    std::vector<int> dnn_chord_row;  ///< unstable DNN neurons: a - s z <= t (else -1)
    std::vector<int> dnn_floor_row;  ///< unstable DNN neurons: a - z >= 0, and <= 0 where the node makes it active (else -1)
    std::vector<int> qnn_lower_row, qnn_upper_row;  ///< clamped QNN neurons: envelope lines (else -1)
    std::vector<int> qnn_linear_row;  ///< clamped QNN neurons: q - r, 0 where the node makes it linear, else free (else -1)
    std::vector<int> qnn_rounding_row;  ///< acc - 2^e r in the rounding window (else -1: constant neuron)
    std::vector<int> qnn_acc;        ///< affine: the accumulator's column (else -1)
    std::vector<int> diff_row;       ///< +Diff: 2^-F_h q - a in [lo, hi] (else -1)
    /// Power-of-two QNNs, both neurons unstable or clamped: 2^-F_h q - a against 2^-F_h r - z, per node (else -1)
    std::vector<int> link_upper_row, link_lower_row;
  };
  void build_dnn_layer(std::size_t i, const dra::LayerReport& root);
  void build_qnn_layer(std::size_t i, const dra::LayerReport& root);
  void build_difference_cuts(std::size_t i);
  void build_activation_links(std::size_t i);
  void set_activation_links(std::size_t i, std::size_t j, const dra::LayerReport& b);
  /// Affine: the neuron's accumulator column and its definition row; then, if quantized, its
  /// rounding row and clamp rows (their columns pushed onto L).
  void build_affine_neuron(std::size_t i, std::size_t j, Layer& L, bool quantized, bool clamped);
  void build_affine_output();
  void add_clamp(Layer& L, int r, bool clamped);
  void set_chord(int row, const dra::Interval& pre);
  void set_linear_row(const Layer& L, std::size_t j, i128 lo, i128 hi, int64_t clamp_lo, int64_t clamp_hi);
  void set_clamp_lines(const Layer& L, std::size_t j, int64_t lo, int64_t hi, int64_t clamp_lo, int64_t clamp_hi);
  /// Affine: the bounds of neuron j's accumulator and rounded value (r in [lo, hi]).
  void set_affine_bounds(std::size_t i, const Layer& L, std::size_t j, int64_t lo, int64_t hi);
  void instantiate_affine_output(bool lines);

  const quant::ModelPair& d_pair;
  bool d_difference_cuts;
  LinearProgram d_lp;
  std::vector<Layer> d_layers;  ///< hidden layers
  Layer d_output;               ///< affine only: the output layer's accumulators (and rounding, if quantized)
};

}  // namespace qeb::lp
