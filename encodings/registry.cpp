// The encodings by name (one table serves --help, --encoding and validation).
#include "core/error.h"
#include "encodings/bv_exact.h"
#include "encodings/bv_lra.h"
#include "encodings/encoding.h"
#include "encodings/lira.h"

namespace qeb::encodings {

NetworkEncoding Encoding::encode(smt::TermManager& terms, const EncodingInput& input) const {
  NetworkEncoding out = encode_impl(terms, input);
  return out;
}

namespace {
std::vector<std::unique_ptr<Encoding>> all_encodings() {
  std::vector<std::unique_ptr<Encoding>> all;
  all.push_back(std::make_unique<BvLraEncoding>(RealLink::BITWISE));
  all.push_back(std::make_unique<BvLraEncoding>(RealLink::BV2NAT));
  all.push_back(std::make_unique<LiraEncoding>());
  all.push_back(std::make_unique<BvExactEncoding>());
  return all;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> encoding_catalogue() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& e : all_encodings()) out.emplace_back(e->name(), e->description());
  return out;
}

std::unique_ptr<Encoding> make_encoding(const std::string& name) {
  std::string names;
  for (auto& e : all_encodings()) {
    if (e->name() == name) return std::move(e);
    names += (names.empty() ? "" : ", ") + e->name();
  }
  throw OptionError("unknown encoding '" + name + "'; choose one of " + names);
}

}  // namespace qeb::encodings
