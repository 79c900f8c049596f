// Branch-and-bound leaves decided by Z3 or cvc5: the task's residual problem for one goal is
// encoded and asserted once per worker (lira encoding, pruned by the root bounds), and each leaf
// is one check under assumption literals that state the leaf's restrictions (no re-encoding).
#pragma once

#include <map>
#include <memory>
#include <tuple>

#include "bab/search.h"
#include "smt/backend.h"
#include "verify/node_constraints.h"
#include "verify/residual.h"

namespace qeb::verify {

class SmtLeafSolver : public bab::LeafSolver {
 public:
  /**
   * @param root_bounds sound bounds over `box` (the encoding prunes with them)
   * @param goal the direction the leaves must decide
   */
  SmtLeafSolver(const quant::ModelPair& pair, const spec::Box& box, const dra::DraResult& root_bounds,
                const bab::Goal& goal, const Rational& eps, const std::string& backend, const smt::BackendOptions& options,
                bool difference_cuts);

  std::optional<bool> decide(const spec::Box& box, const std::vector<bounds::Restriction>& restrictions,
                             double seconds, std::vector<int64_t>* input) override;

 private:
  /** The literal of `bound`, asserted as an implication once. */
  smt::Term literal(const TermBound& bound);

  const quant::ModelPair& d_pair;
  spec::Box d_box;
  ResidualProblem d_problem;
  std::unique_ptr<smt::Backend> d_backend;
  smt::Term d_violation_literal;
  std::map<std::tuple<smt::Term, bool, Rational>, smt::Term> d_literals;
};

}  // namespace qeb::verify
