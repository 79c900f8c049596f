#pragma once

#include "encodings/encoding.h"
#include "encodings/qnn_encoders.h"

namespace qeb::encodings {

/** QNN in bit-vectors, DNN in reals; the two meet at the input and output through `link`. */
class BvLraEncoding : public Encoding {
 public:
  explicit BvLraEncoding(RealLink link);
  std::string name() const override;
  std::string description() const override;

 private:
  NetworkEncoding encode_impl(smt::TermManager& t, const EncodingInput& in) const override;
  RealLink d_link;
};

}  // namespace qeb::encodings
