// Rigorous LP bounds (Neumaier-Shcherbina): never above the exact optimum, whatever the
// multipliers, including LPs whose floating-point optimum lies above the exact one.
#include <doctest/doctest.h>

#include <random>

#include "lp/clp_solver.h"
#include "lp/dual_bound.h"
#include "lp/output_bounds.h"

using namespace qeb;
using namespace qeb::lp;

namespace {

// min sum v_i  s.t.  10 v_i >= 1, 0 <= v_i <= 1: the exact optimum is n/10, which no double holds.
LinearProgram tenths(std::size_t n, Objective& objective) {
  LinearProgram lp;
  for (std::size_t i = 0; i < n; ++i) {
    int v = lp.add_column(0, 1);
    lp.add_row({{v, 10.0}}, 1, kInfinity);
    objective.terms.push_back({v, 1.0});
  }
  return lp;
}

Rational exact_objective(const Objective& o, const std::vector<Rational>& v) {
  Rational sum = o.constant;
  for (const auto& [c, a] : o.terms) sum += rational_from_double(a) * v[c];
  return sum;
}

bool exactly_feasible(const LinearProgram& lp, const std::vector<Rational>& v) {
  for (std::size_t j = 0; j < lp.columns(); ++j)
    if (v[j] < rational_from_double(lp.col_lo[j]) || v[j] > rational_from_double(lp.col_hi[j])) return false;
  for (std::size_t i = 0; i < lp.rows(); ++i) {
    Rational a = 0;
    for (std::size_t e = lp.row_start[i]; e < lp.row_start[i + 1]; ++e) a += rational_from_double(lp.value[e]) * v[lp.index[e]];
    if (std::isfinite(lp.row_lo[i]) && a < rational_from_double(lp.row_lo[i])) return false;
    if (std::isfinite(lp.row_hi[i]) && a > rational_from_double(lp.row_hi[i])) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("the rigorous bound stays below an exact optimum that the floating-point optimum overshoots") {
  for (std::size_t n : {1, 3, 1000}) {
    Objective objective;
    LinearProgram lp = tenths(n, objective);
    ClpLp solver;
    solver.load(lp);
    LpBound b = optimise(solver, lp, objective, false);
    REQUIRE(b.status == LpStatus::OPTIMAL);
    const Rational exact = Rational(n) / 10;
    // The trap: with one variable, CLP's optimum is the double nearest 0.1, above the exact minimum.
    if (n == 1) CHECK(rational_from_double(b.lp_value) > exact);
    REQUIRE(b.bound);
    CHECK(*b.bound <= exact);
    CHECK(*b.bound >= exact - Rational(1, 1000000));  // and it is tight
  }
}

TEST_CASE("any multipliers give a valid bound: perturbed, wrong-signed, missing") {
  const std::size_t n = 200;
  Objective objective;
  LinearProgram lp = tenths(n, objective);
  const Rational exact = Rational(n) / 10;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = 0.1 * (1 + 1e-3 * u(rng));
      if (trial % 5 == 0 && i % 7 == 0) y[i] = -y[i];  // the wrong sign for a >= row: must be ignored
    }
    if (trial == 1) y.resize(n / 2);                     // missing entries count as 0
    std::optional<Rational> b = rigorous_minimum(lp, objective, y);
    REQUIRE(b);
    CHECK(*b <= exact);
  }
}

TEST_CASE("random LPs: the bound is below the objective at every exactly feasible point") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  int checked_points = 0;
  for (int trial = 0; trial < 40; ++trial) {
    LinearProgram lp;
    const int n = 3;
    for (int j = 0; j < n; ++j) lp.add_column(-1, 1);
    for (int r = 0; r < 4; ++r) {
      std::vector<std::pair<int, double>> row;
      for (int j = 0; j < n; ++j) row.push_back({j, u(rng)});
      double lo = u(rng) - 1.5;
      lp.add_row(row, lo, r % 2 ? kInfinity : lo + 2);
    }
    Objective o;
    for (int j = 0; j < n; ++j) o.terms.push_back({j, u(rng)});
    o.constant = Rational(1, 3);
    ClpLp solver;
    solver.load(lp);
    for (bool maximise : {false, true}) {
      LpBound b = optimise(solver, lp, o, maximise);
      if (b.status != LpStatus::OPTIMAL) continue;
      REQUIRE(b.bound);
      for (int s = 0; s < 300; ++s) {
        std::vector<Rational> v;
        for (int j = 0; j < n; ++j) v.push_back(Rational(int(u(rng) * 1000), 1000));
        if (!exactly_feasible(lp, v)) continue;
        ++checked_points;
        Rational f = exact_objective(o, v);
        if (maximise) CHECK(f <= *b.bound);
        else CHECK(f >= *b.bound);
      }
    }
  }
  CHECK(checked_points > 1000);
}

TEST_CASE("an infeasible LP is proved infeasible by its ray, a feasible one never") {
  LinearProgram lp;
  int a = lp.add_column(0, 1), b = lp.add_column(0, 1);
  lp.add_row({{a, 1.0}, {b, 1.0}}, 3, kInfinity);  // a + b >= 3 with a, b <= 1
  ClpLp solver;
  solver.load(lp);
  Objective o;
  o.terms = {{a, 1.0}};
  LpBound r = optimise(solver, lp, o, false);
  CHECK(r.status == LpStatus::INFEASIBLE);
  CHECK(r.infeasible);

  LinearProgram ok;
  int c = ok.add_column(0, 1), d = ok.add_column(0, 1);
  ok.add_row({{c, 1.0}, {d, 1.0}}, 1.5, kInfinity);
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-10, 10);
  for (int trial = 0; trial < 200; ++trial) CHECK_FALSE(proves_infeasible(ok, {u(rng)}));
}
