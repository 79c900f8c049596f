#include "support/json_schema.h"

#include <fstream>
#include <stdexcept>

namespace qeb::test {

namespace {

bool has_type(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  throw std::runtime_error("schema: unknown type " + type);
}

class Checker {
 public:
  explicit Checker(const nlohmann::json& root) : d_root(root) {}

  void check(const nlohmann::json& v, const nlohmann::json& s, const std::string& path, std::vector<std::string>& out) const {
    if (s.contains("$ref")) {
      std::string ref = s["$ref"];
      if (!ref.starts_with("#/$defs/")) throw std::runtime_error("schema: unsupported $ref " + ref);
      check(v, d_root["$defs"][ref.substr(8)], path, out);
    }
    if (s.contains("type") && !has_type(v, s["type"])) out.push_back(path + ": not of type " + s["type"].get<std::string>());
    if (s.contains("const") && v != s["const"]) out.push_back(path + ": is " + v.dump() + ", expected " + s["const"].dump());
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"]) found = found || v == e;
      if (!found) out.push_back(path + ": " + v.dump() + " is not one of " + s["enum"].dump());
    }
    if (v.is_object()) {
      if (s.contains("required"))
        for (const auto& key : s["required"])
          if (!v.contains(key.get<std::string>())) out.push_back(path + ": missing \"" + key.get<std::string>() + "\"");
      if (s.contains("properties"))
        for (const auto& [key, sub] : s["properties"].items())
          if (v.contains(key)) check(v[key], sub, path + "." + key, out);
    }
    if (v.is_array() && s.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i) check(v[i], s["items"], path + "[" + std::to_string(i) + "]", out);
    if (s.contains("allOf"))
      for (const auto& sub : s["allOf"]) check(v, sub, path, out);
    if (s.contains("if")) {
      std::vector<std::string> condition;
      check(v, s["if"], path, condition);
      if (condition.empty() && s.contains("then")) check(v, s["then"], path, out);
    }
  }

 private:
  const nlohmann::json& d_root;
};

}  // namespace

std::vector<std::string> schema_errors(const nlohmann::json& doc, const nlohmann::json& schema) {
  std::vector<std::string> out;
  Checker(schema).check(doc, schema, "$", out);
  return out;
}

const nlohmann::json& result_schema() {
  static const nlohmann::json schema = [] {
    std::ifstream in(std::string(QEB_SOURCE_DIR) + "/docs/result-schema.json");
    if (!in) throw std::runtime_error("cannot read docs/result-schema.json");
    return nlohmann::json::parse(in);
  }();
  return schema;
}

}  // namespace qeb::test
