// QNN in bit-vectors, DNN in linear real arithmetic, linked bit by bit (QF_BVLRA) or by bv2nat (ALL).
#include "encodings/bv_lra.h"

#include "encodings/gadgets.h"
#include "encodings/qnn_encoders.h"

namespace qeb::encodings {

BvLraEncoding::BvLraEncoding(RealLink link) : d_link(link) {}

std::string BvLraEncoding::name() const { return d_link == RealLink::BITWISE ? "bv-lra" : "bv-lra-nat"; }

std::string BvLraEncoding::description() const {
  return d_link == RealLink::BITWISE
             ? "QNN bit-precise in bit-vectors, DNN in linear reals, linked bit by bit (QF_BVLRA, no conversions)"
             : "as bv-lra, but linked through bv2nat (logic ALL)";
}

NetworkEncoding BvLraEncoding::encode_impl(smt::TermManager& t, const EncodingInput& in) const {
  NetworkEncoding out;
  out.logic = d_link == RealLink::BITWISE ? "QF_BVLRA" : "ALL";
  out.hidden_case_splits = encode_qnn_bitvector(t, in, d_link, out);
  std::vector<smt::Term> x = dnn_inputs(t, in, out, [&](smt::Term d) {
    return d_link == RealLink::BITWISE ? bits_to_real(t, d, false, 1) : nat_to_real(t, d, 1);
  });
  out.hidden_case_splits += encode_dnn(t, in, x, out);
  add_difference_cuts(t, in, out);
  return out;
}

}  // namespace qeb::encodings
