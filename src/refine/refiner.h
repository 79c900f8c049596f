// Counterexample-guided quantization refinement: the cheapest configuration of a search space under
// which every region verifies. Candidates come in cost order; each is first run on the pool of
// counterexamples found so far (exact evaluators: a cheap rejection), and only survivors go to
// verify (DRA, attack, SMT) per region. Counterexamples join the pool and blame a layer; among
// candidates of equal cost, those widening the most-blamed layers are tried first.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/network.h"
#include "refine/search_space.h"
#include "spec/region.h"
#include "verify/verifier.h"

namespace qeb::refine {

struct RefineRegion {
  spec::Box box;
  std::vector<std::size_t> outputs;  ///< outputs checked in this region (empty: all)
  std::string description;
};

struct RefineOptions {
  Rational eps = 1;
  Cost cost = Cost::BITS;
  verify::VerifyOptions verify;      ///< backend, encoding, attack ...; eps, outputs, timeout are set per call
  double candidate_timeout = 60;     ///< solver budget of one candidate over all its regions (0: none)
  double timeout = 0;                ///< the whole search (0: none)
  uint64_t max_candidates = 0;       ///< candidates evaluated at most (0: no limit)
  std::function<void(const std::string&)> progress;
};

/** A counterexample kept for cheap rejection: it violates the bound for the candidate that produced it. */
struct PoolEntry {
  std::size_t region = 0;
  std::vector<int64_t> input;
  std::vector<Rational> dnn;  ///< the DNN's exact outputs there (candidate-independent, cached)
  std::size_t found_at = 0;   ///< trajectory index of the candidate that produced it
};

/** How one region was settled for the chosen configuration. */
struct RegionEvidence {
  std::size_t region = 0;
  std::string how;            ///< "DRA" (every output) or "SMT" (some output needed the solver)
  int solver_calls = 0;
  double seconds = 0;
};

enum class Outcome { VERIFIED, INVALID, POOL, FALSIFIED, UNKNOWN };
const char* to_string(Outcome o);

/** One candidate tried, and why it was rejected. */
struct Attempt {
  Bits bits;
  uint64_t cost = 0;
  std::string config;                 ///< the --quant text
  Outcome outcome = Outcome::UNKNOWN;
  std::string reason;                 ///< readable: which counterexample / region / solver answer
  std::optional<std::size_t> region;  ///< the region that rejected it (FALSIFIED, UNKNOWN, POOL)
  std::optional<std::size_t> pool_entry;  ///< POOL: the counterexample that rejected it
  std::optional<std::size_t> output;  ///< the violated output
  std::optional<Rational> diff;       ///< exact QNN - DNN at the counterexample
  std::optional<std::size_t> blamed;  ///< the blamed variable (index into SearchSpace::names)
  double seconds = 0;
};

struct RefineResult {
  std::optional<Bits> chosen;         ///< the first candidate verified on every region
  std::string config;                 ///< its --quant text
  uint64_t cost = 0;
  std::vector<RegionEvidence> evidence;
  std::vector<Attempt> trajectory;
  std::vector<PoolEntry> pool;
  std::vector<double> blame_weight;   ///< accumulated blame per variable
  /// Cheaper candidates rejected as unknown (e.g. timeout): 0 means `chosen` is minimal in the space.
  std::size_t cheaper_undecided = 0;
  bool exhausted = false;             ///< every candidate of the space was tried
  std::string stop_reason;            ///< when nothing was chosen: "space exhausted", "timeout", "candidate limit"
  double seconds = 0;
};

/**
 * Searches `space` for the cheapest configuration verified on every region (within eps). Every
 * counterexample is replayed exactly (verify's guarantee; pool hits are exact evaluations).
 */
RefineResult refine(const model::Network& dnn, const SearchSpace& space, const std::vector<RefineRegion>& regions,
                    const RefineOptions& options);

}  // namespace qeb::refine
