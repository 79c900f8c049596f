// A small JSON Schema checker for the tests: the keywords docs/result-schema.json uses (type,
// required, properties, items, enum, const, allOf, if/then, $ref to #/$defs/...), nothing more.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qeb::test {

/** Every place where `doc` breaks `schema`, as "path: problem"; empty when it conforms. */
std::vector<std::string> schema_errors(const nlohmann::json& doc, const nlohmann::json& schema);

/** docs/result-schema.json of the source tree (QEB_SOURCE_DIR). */
const nlohmann::json& result_schema();

}  // namespace qeb::test
