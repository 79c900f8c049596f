#pragma once

#include "encodings/encoding.h"

namespace qeb::encodings {

/**
 * Both networks exactly in bit-vectors (QF_BV): the QNN as in bv-lra, the DNN scaled to integers
 * layer by layer (float32 weights are dyadic, the input scale is folded in), so the whole query
 * is pure bit-vector arithmetic with no rounding anywhere.
 */
class BvExactEncoding : public Encoding {
 public:
  std::string name() const override { return "bv"; }
  std::string description() const override {
    return "QNN and DNN both exactly in bit-vectors, the DNN scaled to integers (QF_BV)";
  }

 private:
  NetworkEncoding encode_impl(smt::TermManager& t, const EncodingInput& in) const override;
};

}  // namespace qeb::encodings
