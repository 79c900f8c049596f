#include "refine/blame.h"

#include "core/error.h"
#include "eval/eval_qnn.h"
#include "quant/quantize.h"

namespace qeb::refine {

namespace {

Rational abs_error(const quant::QNetwork& qnn, const std::vector<int64_t>& x, std::size_t k, const Rational& dnn) {
  Rational d = eval::eval_qnn(qnn, x).value(k) - dnn;
  return d < 0 ? Rational(-d) : d;
}

}  // namespace

Blame blame(const SearchSpace& space, const model::Network& dnn, const Bits& bits, const std::vector<int64_t>& x,
            std::size_t output, const Rational& dnn_output) {
  Blame b;
  Rational base = abs_error(quant::quantize(dnn, space.config(bits)), x, output, dnn_output);
  for (std::size_t v = 0; v < space.size(); ++v) {
    Rational reduction = 0;
    if (bits[v] < space.ranges[v].hi) {
      Bits wider = bits;
      wider[v] = space.ranges[v].hi;
      try {
        reduction = base - abs_error(quant::quantize(dnn, space.config(wider)), x, output, dnn_output);
      } catch (const Error&) {
        // Invalid shifts with this widening: no evidence either way.
      }
    }
    if (reduction > 0 && (!b.blamed || reduction > b.reduction[*b.blamed])) b.blamed = v;
    b.reduction.push_back(reduction);
  }
  return b;
}

}  // namespace qeb::refine
