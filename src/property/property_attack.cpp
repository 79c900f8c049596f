#include "property/property_attack.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "eval/eval_dnn.h"
#include "eval/eval_qnn.h"

namespace qeb::property {

namespace {

constexpr double kNearly = 1e-9;  // a double margin this close to 0 is worth an exact look

class Search {
 public:
  Search(const quant::ModelPair& pair, const spec::Box& box, const spec::OutputProperty& violation, spec::OutputsOf which,
         const std::function<bool(const std::vector<int64_t>&)>& accept)
      : d_pair(pair), d_box(box), d_violation(violation), d_which(which), d_accept(accept),
        d_inverse_scale(to_double(Rational(1) / pair.input_scale)) {
    for (const auto& conjunction : violation.disjuncts) {
      std::vector<std::pair<std::vector<std::pair<std::size_t, double>>, double>> cs;
      for (const spec::OutputConstraint& c : conjunction) {
        std::vector<std::pair<std::size_t, double>> terms;
        for (const auto& [j, a] : c.terms) terms.push_back({j, to_double(a)});
        cs.push_back({terms, to_double(c.constant)});
      }
      d_constraints.push_back(cs);
    }
  }

  /** Per disjunct: the largest left side of its constraints (<= 0: it holds), in double. */
  std::vector<double> margins(const std::vector<int64_t>& x) {
    ++d_evaluations;
    eval::QnnOutput q = eval::eval_qnn(d_pair.qnn, x);
    std::vector<double> real(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) real[k] = double(x[k] - d_pair.qnn.input_zero_point) * d_inverse_scale;
    std::vector<double> dnn = eval::eval_dnn_double(d_pair.dnn, real);
    std::vector<double> y(dnn.size());
    for (std::size_t j = 0; j < y.size(); ++j)
      y[j] = d_which == spec::OutputsOf::QNN ? q.approx(j) : d_which == spec::OutputsOf::DNN ? dnn[j] : q.approx(j) - dnn[j];
    std::vector<double> m;
    for (const auto& cs : d_constraints) {
      double worst = -std::numeric_limits<double>::infinity();
      for (const auto& [terms, constant] : cs) {
        double v = constant;
        for (const auto& [j, a] : terms) v += a * y[j];
        worst = std::max(worst, v);
      }
      m.push_back(worst);
    }
    return m;
  }

  /** Evaluates x; true (and d_found) when some disjunct holds exactly there. */
  bool try_point(const std::vector<int64_t>& x, std::vector<double>& m) {
    m = margins(x);
    double scale = 1;
    for (double v : m) scale = std::max(scale, std::fabs(v));
    for (double v : m)
      if (v <= kNearly * scale && d_accept(x)) {
        d_found = x;
        return true;
      }
    return false;
  }

  std::optional<std::vector<int64_t>> run(uint64_t samples, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::size_t n = d_violation.disjuncts.size();
    std::vector<std::vector<int64_t>> best(n);
    std::vector<double> best_margin(n, std::numeric_limits<double>::infinity());
    auto consider = [&](const std::vector<int64_t>& x) {
      std::vector<double> m;
      if (try_point(x, m)) return true;
      for (std::size_t d = 0; d < n; ++d)
        if (m[d] < best_margin[d]) best_margin[d] = m[d], best[d] = x;
      return false;
    };
    std::vector<int64_t> mid(d_box.dimension());
    for (std::size_t k = 0; k < mid.size(); ++k) mid[k] = d_box.lo[k] + (d_box.hi[k] - d_box.lo[k]) / 2;
    if (consider(mid) || consider(d_box.lo) || consider(d_box.hi)) return d_found;
    for (uint64_t s = 0; s < samples; ++s) {
      std::vector<int64_t> x(d_box.dimension());
      for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::uniform_int_distribution<int64_t>(d_box.lo[k], d_box.hi[k])(rng);
      if (consider(x)) return d_found;
    }
    // Hill-climbing per disjunct, from its best point: coordinate steps that lower its margin.
    std::vector<std::size_t> free = d_box.free_dimensions();
    if (free.empty()) return std::nullopt;
    uint64_t per_disjunct = std::max<uint64_t>(samples / n, 1);
    for (std::size_t d = 0; d < n; ++d) {
      std::vector<int64_t> x = best[d];
      double margin = best_margin[d];
      uint64_t spent = 0;
      int64_t widest = 1;
      for (std::size_t k : free) widest = std::max(widest, d_box.hi[k] - d_box.lo[k]);
      for (int64_t step = std::max<int64_t>(widest / 2, 1); spent < per_disjunct; step = std::max<int64_t>(step / 2, 1)) {
        bool improved = false;
        std::shuffle(free.begin(), free.end(), rng);
        for (std::size_t k : free) {
          for (int64_t sign : {1, -1}) {
            if (spent >= per_disjunct) break;
            std::vector<int64_t> y = x;
            y[k] = std::clamp(x[k] + sign * step, d_box.lo[k], d_box.hi[k]);
            if (y[k] == x[k]) continue;
            ++spent;
            std::vector<double> m;
            if (try_point(y, m)) return d_found;
            if (m[d] < margin) {
              margin = m[d];
              x = y;
              improved = true;
            }
          }
        }
        if (!improved && step == 1) break;
      }
    }
    return std::nullopt;
  }

 private:
  const quant::ModelPair& d_pair;
  const spec::Box& d_box;
  const spec::OutputProperty& d_violation;
  spec::OutputsOf d_which;
  const std::function<bool(const std::vector<int64_t>&)>& d_accept;
  double d_inverse_scale;
  std::vector<std::vector<std::pair<std::vector<std::pair<std::size_t, double>>, double>>> d_constraints;
  uint64_t d_evaluations = 0;
  std::optional<std::vector<int64_t>> d_found;
};

}  // namespace

std::optional<std::vector<int64_t>> attack(const quant::ModelPair& pair, const spec::Box& box,
                                           const spec::OutputProperty& violation, spec::OutputsOf which,
                                           uint64_t samples, uint64_t seed,
                                           const std::function<bool(const std::vector<int64_t>&)>& accept) {
  if (violation.empty()) return std::nullopt;
  return Search(pair, box, violation, which, accept).run(samples, seed);
}

}  // namespace qeb::property
