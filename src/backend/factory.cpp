// Backend selection by name. Lives apart from qeb_smt so that the term language does not depend on
// the solver libraries.
#include "backend/cvc5/cvc5_backend.h"
#include "backend/z3/z3_backend.h"
#include "smt/backend.h"

namespace qeb::smt {

std::vector<std::string> available_backends() { return {"z3", "cvc5"}; }

std::string backend_version(const std::string& name) {
  if (name == "z3") return z3_version();
  if (name == "cvc5") return cvc5_version();
  throw OptionError("unknown SMT backend '" + name + "'");
}

std::unique_ptr<Backend> make_backend(const std::string& name, const TermManager& terms, const BackendOptions& options) {
  if (name == "z3") return make_z3_backend(terms, options);
  if (name == "cvc5") return make_cvc5_backend(terms, options);
  std::string list;
  for (const std::string& n : available_backends()) list += (list.empty() ? "" : ", ") + n;
  throw OptionError("unknown SMT backend '" + name + "' (available: " + list + ")");
}

}  // namespace qeb::smt
