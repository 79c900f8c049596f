#include "quant/qnn_file.h"

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/input_file.h"

namespace qeb::quant {

using nlohmann::json;

namespace {

int64_t read_int(const json& value, const std::string& path, const std::string& where) {
  if (!value.is_number_integer()) throw InputError(path, where + " is not an integer");
  // JSON integers above 2^63 - 1 are parsed as unsigned; get<int64_t> would wrap them to negatives.
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX))
    throw InputError(path, where + " " + value.dump() + " is outside the 64-bit integer range");
  return value.get<int64_t>();
}

FixedPointFormat read_format(const json& layer, const char* key, const std::string& path, const std::string& where) {
  if (!layer.contains(key) || !layer[key].is_string())
    throw InputError(path, where + " has no \"" + std::string(key) + "\" format string");
  try {
    return parse_fixed_point_format(layer[key].get<std::string>(), key);
  } catch (const OptionError& e) {
    throw InputError(path, where + ": " + e.what());
  }
}

QLayer read_layer(const json& j, std::size_t index, bool last, const std::string& path) {
  std::string where = "layer " + std::to_string(index + 1);
  if (!j.is_object()) throw InputError(path, where + " is not an object");
  QLayer layer;
  layer.weight_format = read_format(j, "weight_format", path, where);
  layer.bias_format = read_format(j, "bias_format", path, where);
  if (j.contains("activation")) layer.activation_format = read_format(j, "activation", path, where);
  if (!last && !layer.activation_format) throw InputError(path, where + " is hidden but has no \"activation\"");
  if (!j.contains("weights") || !j["weights"].is_array() || j["weights"].empty())
    throw InputError(path, where + " has no \"weights\" matrix");
  const json& rows = j["weights"];
  layer.outputs = rows.size();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r].is_array()) throw InputError(path, where + " weight row " + std::to_string(r) + " is not an array");
    if (r == 0) layer.inputs = rows[r].size();
    if (rows[r].size() != layer.inputs)
      throw InputError(path, where + " weight row " + std::to_string(r) + " has " + std::to_string(rows[r].size()) +
                                 " entries, expected " + std::to_string(layer.inputs));
    for (const json& w : rows[r]) layer.weights.push_back(read_int(w, path, where + " weight"));
  }
  if (!j.contains("bias") || !j["bias"].is_array()) throw InputError(path, where + " has no \"bias\" array");
  for (const json& b : j["bias"]) layer.bias.push_back(read_int(b, path, where + " bias"));
  return layer;
}

}  // namespace

static QNetwork read_qnn_document(const json& doc, const std::string& path);

QNetwork load_qnn(const std::string& path) {
  std::ifstream in = open_input_file(path, "QNN file");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  // Every access below checks the type it expects; a JSON type error that slips through is still
  // the file's fault (found by fuzzing: "format": 5 made value() throw).
  try {
    return read_qnn_document(doc, path);
  } catch (const json::exception& e) {
    throw InputError(path, std::string("unexpected JSON content: ") + e.what());
  }
}

static QNetwork read_qnn_document(const json& doc, const std::string& path) {
  if (!doc.is_object() || !doc.contains("format") || doc["format"] != "qeb-smt-qnn")
    throw InputError(path, "not a qeb-smt QNN file (missing \"format\": \"qeb-smt-qnn\")");
  if (!doc.contains("version") || doc["version"] != 1) throw InputError(path, "unsupported QNN file version");
  QNetwork qnn;
  qnn.source = path;
  if (!doc.contains("input") || !doc["input"].is_string()) throw InputError(path, "missing \"input\" format");
  try {
    qnn.input_format = parse_fixed_point_format(doc["input"].get<std::string>(), "input");
  } catch (const OptionError& e) {
    throw InputError(path, e.what());
  }
  if (!doc.contains("layers") || !doc["layers"].is_array() || doc["layers"].empty())
    throw InputError(path, "missing \"layers\" array");
  const json& layers = doc["layers"];
  for (std::size_t i = 0; i < layers.size(); ++i) qnn.layers.push_back(read_layer(layers[i], i, i + 1 == layers.size(), path));
  validate(qnn);
  return qnn;
}

void save_qnn(const QNetwork& qnn, const std::string& path) {
  if (qnn.affine())
    throw UnsupportedError(qnn.source, "an affine (ONNX) QNN is not written as QNN JSON; pass the ONNX file itself to --qnn");
  json doc = {{"format", "qeb-smt-qnn"}, {"version", 1}, {"input", qnn.input_format.to_string()}};
  json layers = json::array();
  for (const QLayer& layer : qnn.layers) {
    json rows = json::array();
    for (std::size_t j = 0; j < layer.outputs; ++j)
      rows.push_back(std::vector<int64_t>(layer.weights.begin() + j * layer.inputs,
                                          layer.weights.begin() + (j + 1) * layer.inputs));
    json l = {{"weight_format", layer.weight_format.to_string()},
              {"bias_format", layer.bias_format.to_string()},
              {"weights", rows},
              {"bias", layer.bias}};
    if (layer.activation_format) l["activation"] = layer.activation_format->to_string();
    layers.push_back(l);
  }
  doc["layers"] = layers;
  std::ofstream out(path);
  if (!out) throw InputError(path, "cannot write the file");
  out << doc.dump(1) << "\n";
}

}  // namespace qeb::quant
