#pragma once

#include "encodings/encoding.h"

namespace qeb::encodings {

/** QNN in linear integer arithmetic with floor constraints, DNN in linear reals (QF_LIRA). */
class LiraEncoding : public Encoding {
 public:
  std::string name() const override { return "lira"; }
  std::string description() const override {
    return "QNN in linear integers with floor constraints, DNN in linear reals (QF_LIRA)";
  }

 private:
  NetworkEncoding encode_impl(smt::TermManager& t, const EncodingInput& in) const override;
};

}  // namespace qeb::encodings
