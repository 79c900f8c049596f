#include "verify/residual.h"

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

ResidualProblem encode_residual(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& dra,
                                const std::vector<Query>& queries, const Rational& eps,
                                const ResidualOptions& options) {
  ResidualProblem p;
  p.terms = std::make_unique<smt::TermManager>();
  smt::TermManager& terms = *p.terms;
  p.queries = queries;
  p.network = encodings::make_encoding(options.encoding)
                  ->encode(terms, {pair, box, dra, options.prune, options.difference_cuts});
  p.facts = p.network.assertions;
  // diff_k = QNN_k - DNN_k once per output, with its DRA bounds as redundant facts.
  std::vector<std::optional<smt::Term>> diff(pair.qnn.output_size());
  for (const Query& q : queries) {
    std::size_t k = q.output;
    if (!diff[k]) {
      diff[k] = terms.mk(smt::Kind::SUB, {p.network.qnn_output[k], p.network.dnn_output[k]});
      const dra::Interval& d = dra.output_delta()[k];
      p.facts.push_back(terms.mk(smt::Kind::GE, {*diff[k], terms.real_const(rational_from_double(d.lo))}));
      p.facts.push_back(terms.mk(smt::Kind::LE, {*diff[k], terms.real_const(rational_from_double(d.hi))}));
    }
    p.violations.push_back(q.direction == Direction::ABOVE
                               ? terms.mk(smt::Kind::GT, {*diff[k], terms.real_const(eps)})
                               : terms.mk(smt::Kind::LT, {*diff[k], terms.real_const(-eps)}));
  }
  return p;
}

}  // namespace qeb::verify
