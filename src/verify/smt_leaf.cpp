#include "verify/smt_leaf.h"


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

smt::Term SmtLeafSolver::literal(const TermBound& bound) {
  auto key = std::make_tuple(bound.term, bound.lower, bound.value);
  auto it = d_literals.find(key);
  if (it != d_literals.end()) return it->second;
  smt::TermManager& t = *d_problem.terms;
  smt::Term b = t.variable("leaf_lit_" + std::to_string(d_literals.size()), smt::Sort::boolean());
  d_backend->assert_formula(t.implies(b, bound_formula(t, bound)));
  d_literals.emplace(key, b);
  return b;
}

std::optional<bool> SmtLeafSolver::decide(const spec::Box& box, const std::vector<bounds::Restriction>& restrictions,
                                          double seconds, std::vector<int64_t>* input) {
  const encodings::NetworkEncoding& enc = d_problem.network;
  std::vector<smt::Term> assumptions{d_violation_literal};
  for (const TermBound& b : node_bounds(enc, d_box, box, restrictions))
    assumptions.push_back(literal(b));
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
