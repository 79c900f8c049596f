#include "verify/falsifier.h"

#include "core/deadline.h"
#include "eval/difference.h"
#include "eval/oracle.h"

namespace qeb::verify {

std::optional<Counterexample> attack(const quant::ModelPair& pair, const spec::Box& box,
                                     const std::vector<std::size_t>& outputs, const Rational& eps, uint64_t samples,
                                     uint64_t seed, const std::vector<std::vector<int64_t>>& starts,
                                     double seconds) {
  if (samples == 0) return std::nullopt;
  eval::OracleOptions o;
  o.exhaustive_limit = std::min<uint64_t>(samples, 4096);  // tiny boxes are simply enumerated
  o.random_samples = samples;
  o.climb_evaluations = samples;
  o.seed = seed;
  o.outputs = outputs;
  o.seeds = starts;
  if (seconds > 0) o.deadline = deadline_after(seconds);
  eval::OracleResult found = eval::run_oracle(pair, box, o);
  for (const eval::OutputRange& r : found.outputs)
    for (const eval::Witness* w : {&r.max, &r.min})
      if (w->diff > eps || w->diff < -eps) {
        eval::PairOutput exact = eval::evaluate_pair(pair, w->input);
        return Counterexample{r.output, w->input, exact.qnn[r.output], exact.dnn[r.output], exact.diff[r.output]};
      }
  return std::nullopt;
}

}  // namespace qeb::verify
