// The QNN's exact integer semantics (spec 1.5) as terms: in bit-vectors or in linear integers.
#pragma once

#include <functional>

#include "encodings/encoding.h"

namespace qeb::encodings {

/**
 * How the QNN's output accumulators and activations become reals: bit by bit, through bv2nat, or
 * not at all (NONE: they are recorded as scaled bit-vectors in the *_bv fields, for pure QF_BV).
 */
enum class RealLink { BITWISE, BV2NAT, NONE };

/**
 * The QNN in fixed-width bit-vectors: inputs x̂_k = lo_k + d_k with d_k an unsigned bit-vector,
 * accumulators in widths derived from exact interval bounds (so no value can overflow; partial
 * sums may wrap, which two's complement addition makes harmless), rounding by arithmetic shift
 * (half up), clamps by comparison only where DRA left the neuron unstable. Fills input_vars,
 * input_offset, qnn_output and qnn_hidden (qnn_output_bv and qnn_hidden_bv with RealLink::NONE) and
 * assertions; returns the number of clamp case splits.
 */
std::size_t encode_qnn_bitvector(smt::TermManager& t, const EncodingInput& in, RealLink link, NetworkEncoding& out);

/**
 * The QNN in linear integer arithmetic: d_k integer in [0, hi_k - lo_k]; rounding as an integer r
 * with 2^e r <= acc + 2^(e-1) <= 2^e r + 2^e - 1 (the floor constraints); clamps as ite.
 */
std::size_t encode_qnn_integer(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out);

/**
 * The DNN's real inputs x_k = (lo_k + d_k) / D as Real variables, tied to the QNN's input
 * variables d_k through `real_value` (d_k's value as a Real term). Call after a QNN encoder.
 */
std::vector<smt::Term> dnn_inputs(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out,
                                  const std::function<smt::Term(smt::Term)>& real_value);

}  // namespace qeb::encodings
