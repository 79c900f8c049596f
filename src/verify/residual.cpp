#include "verify/residual.h"

#include "encodings/gadgets.h"

namespace qeb::verify {

const char* describe(Direction d) { return d == Direction::ABOVE ? "QNN - DNN > eps" : "QNN - DNN < -eps"; }

std::vector<Query> open_queries(const dra::DraResult& dra, const std::vector<std::size_t>& outputs,
                                const Rational& eps) {
  std::vector<Query> queries;
  for (std::size_t k : outputs) {
    const dra::Interval& d = dra.output_delta()[k];
    if (rational_from_double(d.hi) > eps) queries.push_back({k, Direction::ABOVE});
    if (rational_from_double(d.lo) < -eps) queries.push_back({k, Direction::BELOW});
  }
  return queries;
}

smt::Term violation(ResidualProblem& p, const dra::DraResult& dra, std::size_t k, Direction direction,
                    const Rational& bound) {
  smt::TermManager& terms = *p.terms;
  const dra::Interval& d = dra.output_delta()[k];
  Rational lo = rational_from_double(d.lo), hi = rational_from_double(d.hi);
  if (p.network.scaled_bitvectors) {
    // Encodings without reals: QNN_k - DNN_k as an exact scaled bit-vector.
    p.difference_bv.resize(p.network.qnn_output_bv.size());
    if (!p.difference_bv[k]) {
      p.difference_bv[k] = encodings::bv_difference(terms, p.network.qnn_output_bv[k], p.network.dnn_output_bv[k]);
      p.facts.push_back(encodings::bv_compare(terms, *p.difference_bv[k], encodings::Relation::GE, lo));
      p.facts.push_back(encodings::bv_compare(terms, *p.difference_bv[k], encodings::Relation::LE, hi));
    }
    return direction == Direction::ABOVE ? encodings::bv_compare(terms, *p.difference_bv[k], encodings::Relation::GT, bound)
                                         : encodings::bv_compare(terms, *p.difference_bv[k], encodings::Relation::LT, -bound);
  }
  // diff_k = QNN_k - DNN_k once per output, with its DRA bounds as redundant facts.
  p.difference.resize(p.network.qnn_output.size());
  if (!p.difference[k]) {
    p.difference[k] = terms.mk(smt::Kind::SUB, {p.network.qnn_output[k], p.network.dnn_output[k]});
    p.facts.push_back(terms.mk(smt::Kind::GE, {*p.difference[k], terms.real_const(lo)}));
    p.facts.push_back(terms.mk(smt::Kind::LE, {*p.difference[k], terms.real_const(hi)}));
  }
  return direction == Direction::ABOVE ? terms.mk(smt::Kind::GT, {*p.difference[k], terms.real_const(bound)})
                                       : terms.mk(smt::Kind::LT, {*p.difference[k], terms.real_const(-bound)});
}

ResidualProblem encode_residual(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& dra,
                                const std::vector<Query>& queries, const Rational& eps,
                                const ResidualOptions& options) {
  ResidualProblem p;
  p.terms = std::make_unique<smt::TermManager>();
  p.queries = queries;
  p.network = encodings::make_encoding(options.encoding)
                  ->encode(*p.terms, {pair, box, dra, options.prune, options.difference_cuts, options.fact_bits});
  p.facts = p.network.assertions;
  for (const Query& q : queries) p.violations.push_back(violation(p, dra, q.output, q.direction, eps));
  return p;
}

}  // namespace qeb::verify
