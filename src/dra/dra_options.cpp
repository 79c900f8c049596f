#include "dra/dra_options.h"

#include "core/error.h"

namespace qeb::dra {

DraMode parse_dra_mode(const std::string& text) {
  if (text == "base") return DraMode::BASE;
  if (text == "con") return DraMode::CON;
  if (text == "sym") return DraMode::SYM;
  throw OptionError("--dra must be base, con or sym, got '" + text + "'");
}

Semantics parse_semantics(const std::string& text) {
  if (text == "published") return Semantics::PUBLISHED;
  if (text == "sound") return Semantics::SOUND;
  throw OptionError("--semantics must be published or sound, got '" + text + "'");
}

const char* to_string(DraMode mode) {
  switch (mode) {
    case DraMode::BASE: return "base";
    case DraMode::CON: return "con";
    case DraMode::SYM: return "sym";
  }
  return "?";
}

const char* to_string(Semantics semantics) { return semantics == Semantics::SOUND ? "sound" : "published"; }

}  // namespace qeb::dra
