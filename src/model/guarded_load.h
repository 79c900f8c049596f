// A loader's entry point: library failures turned into an InputError that names the file.
#pragma once

#include <new>
#include <string>

#include "core/error.h"

namespace qeb::model {

/**
 * load(), with any failure other than qeb's own errors (a library exception, an allocation that
 * failed on sizes a file declares) turned into an InputError naming `path`: "cannot load the
 * `what`: ...". Every loader's entry point goes through it.
 */
template <class Load>
auto guarded_load(const std::string& path, const std::string& what, Load load) -> decltype(load()) {
  try {
    return load();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw InputError(path, "the file declares sizes too large to load");
  } catch (const std::exception& e) {
    // A library failure we did not anticipate still names the file instead of escaping raw.
    throw InputError(path, "cannot load the " + what + ": " + e.what());
  }
}

}  // namespace qeb::model
