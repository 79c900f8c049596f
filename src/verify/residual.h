// The residual problem of a task: the output directions DRA leaves open and, for them, the
// network encoding plus one violation formula per direction. `verify` solves it; `emit` prints it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dra/dra_result.h"
#include "encodings/encoding.h"
#include "quant/qnetwork.h"
#include "smt/term.h"
#include "spec/region.h"

namespace qeb::verify {

enum class Direction { ABOVE, BELOW };  ///< QNN_k - DNN_k > eps, or < -eps
const char* describe(Direction d);      ///< "QNN - DNN > eps" / "QNN - DNN < -eps"

/** One output direction a solver must decide. */
struct Query {
  std::size_t output;
  Direction direction;
};

/** The directions of `outputs` whose DRA output-difference interval crosses +-eps, in output order. */
std::vector<Query> open_queries(const dra::DraResult& dra, const std::vector<std::size_t>& outputs,
                                const Rational& eps);

struct ResidualProblem {
  std::unique_ptr<smt::TermManager> terms;  ///< owns every term below
  encodings::NetworkEncoding network;
  std::vector<smt::Term> facts;       ///< network.assertions, then DRA's output-difference bounds (redundant)
  std::vector<Query> queries;
  std::vector<smt::Term> violations;  ///< per query: QNN_k - DNN_k > eps (ABOVE) or < -eps (BELOW)
  /// QNN_k - DNN_k per output, built on first use by violation() (Real term, or scaled bit-vector).
  std::vector<std::optional<smt::Term>> difference;
  std::vector<std::optional<encodings::ScaledBv>> difference_bv;
};

struct ResidualOptions {
  std::string encoding = "bv-lra";
  bool prune = true;
  bool difference_cuts = true;
  int fact_bits = 0;  ///< see encodings::EncodingInput::fact_bits
};

/**
 * QNN_k - DNN_k > bound (ABOVE) or < -bound (BELOW) on the problem's network: the one place that
 * builds violations (for verify's eps, and for max-error's bisection bounds on one solver). The
 * first use of an output builds its difference and appends DRA's bounds on it to `p.facts`.
 */
smt::Term violation(ResidualProblem& p, const dra::DraResult& dra, std::size_t output, Direction direction,
                    const Rational& bound);

/** Encodes `queries` of the pair over the box; `dra` must be the SOUND semantics' result. */
ResidualProblem encode_residual(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& dra,
                                const std::vector<Query>& queries, const Rational& eps,
                                const ResidualOptions& options);

}  // namespace qeb::verify
