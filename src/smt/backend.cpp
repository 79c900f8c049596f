#include "smt/backend.h"

namespace qeb::smt {

const char* to_string(SatResult r) {
  switch (r) {
    case SatResult::SAT: return "sat";
    case SatResult::UNSAT: return "unsat";
    case SatResult::UNKNOWN: return "unknown";
  }
  return "?";
}

}  // namespace qeb::smt
