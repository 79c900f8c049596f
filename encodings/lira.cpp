#include "encodings/lira.h"

#include "encodings/gadgets.h"
#include "encodings/qnn_encoders.h"

namespace qeb::encodings {

NetworkEncoding LiraEncoding::encode_impl(smt::TermManager& t, const EncodingInput& in) const {
  NetworkEncoding out;
  out.logic = "QF_LIRA";
  out.hidden_case_splits = encode_qnn_integer(t, in, out);
  std::vector<smt::Term> x =
      dnn_inputs(t, in, out, [&](smt::Term d) { return t.mk(smt::Kind::TO_REAL, {d}); });
  out.hidden_case_splits += encode_dnn(t, in, x, out);
  add_difference_cuts(t, in, out);
  return out;
}

}  // namespace qeb::encodings
