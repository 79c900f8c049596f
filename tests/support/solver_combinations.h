// Every backend x encoding pair verify accepts: the sweeps that check each against an oracle.
#pragma once

#include <string>
#include <vector>

#include "encodings/encoding.h"
#include "smt/backend.h"
#include "verify/verifier.h"

namespace qeb::test {

struct Combination {
  std::string backend, encoding;
};

/**
 * The compatible pairs. The exact QF_BV encoding ("bv") is left out unless asked for: on random
 * networks its float32 DNN becomes 60-120-bit integers, 10-100x slower, so the big sweeps skip it
 * and it has its own, smaller, oracle tests.
 */
inline std::vector<Combination> solver_combinations(bool with_bv = false) {
  std::vector<Combination> out;
  for (const std::string& backend : smt::available_backends())
    for (auto& [encoding, description] : encodings::encoding_catalogue())
      if (!verify::incompatibility(backend, encoding) && (with_bv || encoding != "bv")) out.push_back({backend, encoding});
  return out;
}

}  // namespace qeb::test
