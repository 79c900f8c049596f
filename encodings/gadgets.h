// Building blocks shared by the encodings: input variables, the DNN in linear real arithmetic,
// and the links between bit-vectors and reals.
#pragma once

#include <cstdint>
#include <vector>

#include "encodings/encoding.h"

namespace qeb::encodings {

/** Signed two's complement width that holds every integer in [lo, hi]. */
uint32_t signed_width(const BigInt& lo, const BigInt& hi);
/** Unsigned width that holds [0, hi] (at least 1). */
uint32_t unsigned_width(const BigInt& hi);

/**
 * The real value of a bit-vector, bit by bit: sum_b ite(bit_b = 1, scale * 2^b, 0), with the sign
 * bit weighted -2^(w-1) when `is_signed`. No conversion symbol (portable QF_BVLRA).
 */
smt::Term bits_to_real(smt::TermManager& t, smt::Term bv, bool is_signed, const Rational& scale);

/** The real value of an unsigned bit-vector via bv2nat: scale * to_real(bv2nat(bv)). */
smt::Term nat_to_real(smt::TermManager& t, smt::Term bv, const Rational& scale);

/**
 * The DNN in linear real arithmetic over real input terms x_k (x = x̂ / D): one Real variable per
 * hidden pre-activation (with its DRA bounds asserted), ReLU as an ite only where DRA left the
 * neuron unstable. Appends to out.assertions and fills out.dnn_output; returns the case splits.
 */
std::size_t encode_dnn(smt::TermManager& t, const EncodingInput& in, const std::vector<smt::Term>& real_inputs,
                       NetworkEncoding& out);

/**
 * QEBVerif's "+Diff" cuts: for every hidden neuron, DRA's bounds on QNN - DNN after the
 * activation, asserted over qnn_hidden and dnn_hidden (or, exactly, over the *_hidden_bv
 * fields). Redundant (DRA is sound) but they tie the two networks together neuron by neuron.
 */
void add_difference_cuts(smt::TermManager& t, const EncodingInput& in, NetworkEncoding& out);

/** A comparison of a value with a rational constant. */
enum class Relation { GT, GE, LT, LE };

/**
 * a - b exactly, as one signed bit-vector N with a - b = N / lcm(den_a, den_b). Each side is
 * extended and multiplied by its (constant) factor in a width that holds the product, and the
 * subtraction gets one more bit, so no operation overflows.
 */
ScaledBv bv_difference(smt::TermManager& t, const ScaledBv& a, const ScaledBv& b);

/**
 * v REL c exactly, for v = N / den: since N is an integer, N > c*den iff N > floor(c*den) (and
 * likewise with ceil for < and >=), so one signed comparison with an integer constant suffices.
 */
smt::Term bv_compare(smt::TermManager& t, const ScaledBv& v, Relation relation, const Rational& c);

/**
 * A sound bound as a fact constant: the double exactly (bits = 0), or rounded outward (down for a
 * lower bound, up for an upper one) to a multiple of 2^-bits.
 */
Rational fact_constant(double v, bool lower, int bits);

/** A balanced sum (keeps term depth logarithmic); `add` combines two terms. */
template <class Add>
smt::Term balanced_sum(std::vector<smt::Term> terms, Add add) {
  while (terms.size() > 1) {
    std::vector<smt::Term> next;
    for (std::size_t i = 0; i + 1 < terms.size(); i += 2) next.push_back(add(terms[i], terms[i + 1]));
    if (terms.size() % 2) next.push_back(terms.back());
    terms.swap(next);
  }
  return terms.front();
}

}  // namespace qeb::encodings
