#include "verify/smt_leaf.h"

#include <cmath>

namespace qeb::verify {

SmtLeafSolver::SmtLeafSolver(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                             const bab::Goal& goal, const Rational& eps, const std::string& backend,
                             const smt::BackendOptions& options, bool difference_cuts)
    : d_pair(pair), d_box(box) {
  Query q{goal.output, goal.above ? Direction::ABOVE : Direction::BELOW};
  d_problem = encode_residual(pair, box, root_bounds, {q}, eps, {"lira", true, difference_cuts});
  d_backend = smt::make_backend(backend, *d_problem.terms, options);
  for (smt::Term f : d_problem.facts) d_backend->assert_formula(f);
  d_violation_literal = d_problem.terms->variable("leaf_violation", smt::Sort::boolean());
  d_backend->assert_formula(d_problem.terms->implies(d_violation_literal, d_problem.violations[0]));
}

smt::Term SmtLeafSolver::literal(smt::Term term, bool lower, const Rational& value, bool integer) {
  auto key = std::make_tuple(term, lower, value);
  auto it = d_literals.find(key);
  if (it != d_literals.end()) return it->second;
  smt::TermManager& t = *d_problem.terms;
  smt::Term constant = integer ? t.int_const(value) : t.real_const(value);
  smt::Term b = t.variable("leaf_lit_" + std::to_string(d_literals.size()), smt::Sort::boolean());
  d_backend->assert_formula(t.implies(b, t.mk(lower ? smt::Kind::GE : smt::Kind::LE, {term, constant})));
  d_literals.emplace(key, b);
  return b;
}

std::optional<bool> SmtLeafSolver::decide(const spec::Box& box, const std::vector<bounds::Restriction>& restrictions,
                                          double seconds, std::vector<int64_t>* input) {
  const encodings::NetworkEncoding& enc = d_problem.network;
  std::vector<smt::Term> assumptions{d_violation_literal};
  // The leaf's box: x_k = offset_k + d_k.
  for (std::size_t k = 0; k < box.dimension(); ++k) {
    if (!enc.input_vars[k]) continue;
    if (box.lo[k] > d_box.lo[k]) assumptions.push_back(literal(*enc.input_vars[k], true, box.lo[k] - enc.input_offset[k], true));
    if (box.hi[k] < d_box.hi[k]) assumptions.push_back(literal(*enc.input_vars[k], false, box.hi[k] - enc.input_offset[k], true));
  }
  for (const bounds::Restriction& r : restrictions) {
    if (r.target == bounds::Target::DNN_PRE) {
      smt::Term z = enc.dnn_pre[r.layer][r.neuron];
      if (std::isfinite(r.lo)) assumptions.push_back(literal(z, true, rational_from_double(r.lo), false));
      if (std::isfinite(r.hi)) assumptions.push_back(literal(z, false, rational_from_double(r.hi), false));
    } else if (r.target == bounds::Target::QNN_PRE) {
      const std::optional<smt::Term>& q = enc.qnn_pre[r.layer][r.neuron];
      if (!q) continue;  // constant at the root: nothing to state
      if (std::isfinite(r.lo)) assumptions.push_back(literal(*q, true, Rational(int64_t(r.lo)), true));
      if (std::isfinite(r.hi)) assumptions.push_back(literal(*q, false, Rational(int64_t(r.hi)), true));
    }  // INPUT restrictions are in the box
  }
  d_backend->set_timeout(std::max(0.001, seconds));
  smt::SatResult answer = d_backend->check(assumptions);
  if (answer == smt::SatResult::UNSAT) return true;
  if (answer == smt::SatResult::UNKNOWN) return std::nullopt;
  input->clear();
  for (std::size_t k = 0; k < enc.input_offset.size(); ++k) {
    Rational v = enc.input_vars[k] ? d_backend->value(*enc.input_vars[k]) : Rational(0);
    input->push_back(enc.input_offset[k] + boost::multiprecision::numerator(v).convert_to<int64_t>());
  }
  return false;
}

}  // namespace qeb::verify
