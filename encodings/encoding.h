// One interface for every SMT encoding of "QNN vs DNN over an integer box". An encoding writes
// terms into a TermManager; it never includes a solver header.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dra/dra_result.h"
#include "quant/qnetwork.h"
#include "smt/term.h"
#include "spec/region.h"

namespace qeb::encodings {

/** What is encoded: the pair over the box, pruned with (sound) DRA phases and bounds. */
struct EncodingInput {
  const quant::ModelPair& pair;
  const spec::Box& box;
  const dra::DraResult& dra;  ///< must come from the SOUND semantics
  bool prune = true;          ///< use DRA phases to drop case splits of stable neurons
  bool difference_cuts = true;  ///< assert DRA's hidden difference bounds (QEBVerif's "+Diff")
  /// Redundant bound facts (DNN pre-activation bounds, +Diff cuts) rounded outward to multiples of
  /// 2^-fact_bits: short constants for the solvers' exact arithmetic instead of the doubles' 2^-52
  /// denominators (0: the doubles exactly). Still implied by the sound bounds, so still redundant.
  int fact_bits = 0;
};

/** An exact value held in a bit-vector: (signed or unsigned value of `bits`) / denominator. */
struct ScaledBv {
  smt::Term bits;
  bool is_signed = true;
  BigInt denominator = 1;  ///< positive
};

/** The network formula and the handles the verifier needs. */
struct NetworkEncoding {
  std::vector<smt::Term> assertions;  ///< both networks' semantics and redundant DRA bounds
  /// Per input coordinate: a variable whose model value v gives x̂_k = input_offset[k] + v
  /// (a BitVec read unsigned, or an Int), or no variable (fixed coordinate: x̂_k = input_offset[k]).
  std::vector<std::optional<smt::Term>> input_vars;
  std::vector<int64_t> input_offset;
  std::vector<smt::Term> qnn_output;  ///< Real terms: the QNN's real outputs
  std::vector<smt::Term> dnn_output;  ///< Real terms: the DNN's outputs
  std::vector<std::vector<smt::Term>> qnn_hidden;  ///< Real terms: each hidden QNN activation's real value
  std::vector<std::vector<smt::Term>> dnn_hidden;  ///< Real terms: each hidden DNN post-ReLU value
  /// Encodings without reals ("bv", QF_BV) leave the four Real-typed vectors above empty and give
  /// the same values exactly as scaled bit-vectors here instead.
  bool scaled_bitvectors = false;
  std::vector<ScaledBv> qnn_output_bv, dnn_output_bv;
  std::vector<std::vector<ScaledBv>> qnn_hidden_bv, dnn_hidden_bv;
  /// Handles for branch-and-bound restrictions (assumption literals): per hidden neuron, the DNN
  /// pre-activation (Real) and, in the integer encoding, the QNN's rounded pre-activation (Int;
  /// nullopt where the neuron is constant or the encoding has no such term).
  std::vector<std::vector<smt::Term>> dnn_pre;
  std::vector<std::vector<std::optional<smt::Term>>> qnn_pre;
  std::string logic;                  ///< the smallest standard SMT-LIB logic that fits
  std::size_t hidden_case_splits = 0; ///< neurons that kept an ite (unstable in DRA)
};

class Encoding {
 public:
  virtual ~Encoding() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  /** Encodes `input` into `terms`. */
  NetworkEncoding encode(smt::TermManager& terms, const EncodingInput& input) const;

 private:
  virtual NetworkEncoding encode_impl(smt::TermManager& terms, const EncodingInput& input) const = 0;
};

/** Encoding names with one-line descriptions, for --help and --encoding=help. */
std::vector<std::pair<std::string, std::string>> encoding_catalogue();

/** The encoding called `name`; throws OptionError for an unknown name. */
std::unique_ptr<Encoding> make_encoding(const std::string& name);

}  // namespace qeb::encodings
