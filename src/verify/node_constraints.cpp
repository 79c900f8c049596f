#include "verify/node_constraints.h"

#include <cmath>

#include "core/error.h"

namespace qeb::verify {

std::vector<TermBound> node_bounds(const encodings::NetworkEncoding& enc, const spec::Box& encoded_box,
                                   const spec::Box& box, const std::vector<bounds::Restriction>& restrictions) {
  std::vector<TermBound> out;
  // The node's box: x_k = offset_k + d_k, so a narrower end bounds d_k.
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    if (!enc.input_vars[k]) continue;
    if (box.lo[k] > encoded_box.lo[k]) out.push_back({*enc.input_vars[k], true, Rational(box.lo[k] - enc.input_offset[k]), true});
    if (box.hi[k] < encoded_box.hi[k]) out.push_back({*enc.input_vars[k], false, Rational(box.hi[k] - enc.input_offset[k]), true});
  }
  for (const bounds::Restriction& r : restrictions) {
    if (r.target == bounds::Target::INPUT) continue;  // in the box
    if (r.layer >= enc.dnn_pre.size() || r.neuron >= enc.dnn_pre[r.layer].size())
      throw UnsupportedError("a branch-and-bound node needs the encoding's pre-activation terms (encoding lira)");
    if (r.target == bounds::Target::DNN_PRE) {
      smt::Term z = enc.dnn_pre[r.layer][r.neuron];
      if (std::isfinite(r.lo)) out.push_back({z, true, rational_from_double(r.lo), false});
      if (std::isfinite(r.hi)) out.push_back({z, false, rational_from_double(r.hi), false});
    } else {
      const std::optional<smt::Term>& q = enc.qnn_pre[r.layer][r.neuron];
      if (!q) continue;  // constant over the encoded box: nothing to state
      if (std::isfinite(r.lo)) out.push_back({*q, true, Rational(int64_t(r.lo)), true});
      if (std::isfinite(r.hi)) out.push_back({*q, false, Rational(int64_t(r.hi)), true});
    }
  }
  return out;
}

smt::Term bound_formula(smt::TermManager& t, const TermBound& b) {
  smt::Term constant = b.integer ? t.int_const(b.value) : t.real_const(b.value);
  return t.mk(b.lower ? smt::Kind::GE : smt::Kind::LE, {b.term, constant});
}

}  // namespace qeb::verify
