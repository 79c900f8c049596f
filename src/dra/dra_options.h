// What the differential reachability analysis computes and under which semantics.
#pragma once

#include <string>

namespace qeb::dra {

/** QEBVerif's three modes (spec 3.1-3.3). */
enum class DraMode { BASE, CON, SYM };

/**
 * PUBLISHED reproduces the paper's tables: the authors' code plus the four changes P1-P4 of
 * spec 3.5 (it inherits the artifact's unsound spots, spec 7: B1 output rounding in Base/Con,
 * P4 pre-activation bounds in Con, no outward rounding).
 * SOUND (default) fixes every known gap and keeps every sound intersection.
 */
enum class Semantics { PUBLISHED, SOUND };

struct DraOptions {
  DraMode mode = DraMode::SYM;
  Semantics semantics = Semantics::SOUND;
  /// SOUND + SYM only: also propagate the Con-style difference and intersect per neuron ("sym-").
  bool intersect_con = true;
};

DraMode parse_dra_mode(const std::string& text);           ///< base|con|sym; throws OptionError
Semantics parse_semantics(const std::string& text);        ///< published|sound; throws OptionError
const char* to_string(DraMode mode);
const char* to_string(Semantics semantics);

}  // namespace qeb::dra
