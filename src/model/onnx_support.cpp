#include "model/onnx_support.h"

#include <google/protobuf/stubs/logging.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "core/error.h"

namespace qeb::model::onnx_support {

namespace {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

/** Keeps protobuf from logging to stderr while a model is parsed. */
class QuietProtobuf {
 public:
  QuietProtobuf() : old_(google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int,
                                                             const std::string&) {})) {}
  ~QuietProtobuf() { google::protobuf::SetLogHandler(old_); }
  QuietProtobuf(const QuietProtobuf&) = delete;
  QuietProtobuf& operator=(const QuietProtobuf&) = delete;

 private:
  google::protobuf::LogHandler* old_;
};

}  // namespace

onnx::ModelProto parse_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the file for reading");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto model;
  QuietProtobuf quiet;
  if (!model.ParseFromString(bytes.str()))
    throw InputError(path, "not a valid ONNX model (protobuf parse failed: truncated or corrupt)");
  return model;
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + ")";
}

std::string describe(const onnx::NodeProto& node, int index) {
  std::string s = node.op_type() + " node ";
  return s + (node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'");
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name) {
  for (const onnx::AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

Tensor to_tensor(const onnx::TensorProto& t, const std::string& role, const std::string& path, bool quantized_types) {
  auto fail = [&](const std::string& problem) { throw InputError(path, problem); };
  std::string what = role + " '" + t.name() + "'";
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw UnsupportedError(path, what + " is stored in an external data file, which is not supported");
  if (t.has_segment()) throw UnsupportedError(path, what + " is segmented, which is not supported");
  Tensor out;
  out.type = t.data_type();
  std::size_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) fail(what + " has a negative dimension");
    if (d > 0 && count > (std::size_t{1} << 31) / static_cast<std::size_t>(d)) fail(what + " is too large");
    count *= static_cast<std::size_t>(d);
    out.dims.push_back(d);
  }
  const std::string& raw = t.raw_data();
  auto check_count = [&](std::size_t have, const char* field) {
    if (have != count)
      fail(what + " has shape " + dims_string(out.dims) + " but " + std::to_string(have) + " values in " + field);
  };
  // Reads either raw_data (little-endian bytes) or the typed repeated field.
  auto take = [&](auto scalar, const auto& field, const char* field_name, auto& dest) {
    using S = decltype(scalar);
    if (!raw.empty() || field.empty()) {
      if (raw.size() % sizeof(S) != 0) fail(what + " has a raw_data length that is not a whole number of values");
      check_count(raw.size() / sizeof(S), "raw_data");  // before copying: the data must really be there
      for (std::size_t i = 0; i < count; ++i) {
        S v;
        std::memcpy(&v, raw.data() + i * sizeof(S), sizeof(S));
        dest.push_back(v);
      }
    } else {
      check_count(static_cast<std::size_t>(field.size()), field_name);
      for (auto v : field) {
        // int8/uint8 values sit in int32_data: refuse any that do not fit the type.
        if constexpr (std::is_integral_v<S>)
          if (static_cast<int64_t>(static_cast<S>(v)) != static_cast<int64_t>(v))
            fail(what + " holds " + std::to_string(static_cast<int64_t>(v)) + " in " + field_name + ", outside its type");
        dest.push_back(static_cast<S>(v));
      }
    }
  };
  const bool byte = t.data_type() == onnx::TensorProto::INT8 || t.data_type() == onnx::TensorProto::UINT8;
  switch (byte && !quantized_types ? onnx::TensorProto::UNDEFINED : t.data_type()) {
    case onnx::TensorProto::FLOAT:
      out.floating = true;
      take(float{}, t.float_data(), "float_data", out.values);
      break;
    case onnx::TensorProto::DOUBLE:
      out.floating = true;
      take(double{}, t.double_data(), "double_data", out.values);
      break;
    case onnx::TensorProto::INT64:
      take(int64_t{}, t.int64_data(), "int64_data", out.ints);
      break;
    case onnx::TensorProto::INT32:
      take(int32_t{}, t.int32_data(), "int32_data", out.ints);
      break;
    case onnx::TensorProto::INT8:
      take(int8_t{}, t.int32_data(), "int32_data", out.ints);
      break;
    case onnx::TensorProto::UINT8:
      take(uint8_t{}, t.int32_data(), "int32_data", out.ints);
      break;
    default:
      throw UnsupportedError(path, what + " has ONNX data type " + std::to_string(t.data_type()) +
                                       (quantized_types ? "; only float, double, int8, uint8, int32 and int64 are supported"
                                                        : "; only float and double weights (and int32/int64 shapes) are supported"));
  }
  return out;
}

Tensor constant_node_value(const onnx::NodeProto& node, const std::string& where, const std::string& path,
                           bool quantized_types) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() != "value") throw UnsupportedError(path, where + " uses attribute '" + a.name() + "'; only 'value' is supported");
    if (node.output_size() != 1) throw InputError(path, where + " must have one output");
    return to_tensor(a.t(), "Constant '" + node.output(0) + "'", path, quantized_types);
  }
  throw InputError(path, where + " has no value");
}

void check_straight_line(const onnx::NodeProto& node, const std::string& where, const std::string& current,
                         const std::function<bool(const std::string&)>& is_constant, const std::string& path) {
  bool reads_current = false;
  for (const std::string& in : node.input()) {
    if (in.empty() || is_constant(in)) continue;
    if (in != current)
      throw InputError(path, where + " reads tensor '" + in + "', which is not the current activation '" + current +
                                 "': branching graphs are not supported");
    if (reads_current)
      throw InputError(path, where + " reads the activation '" + in + "' twice: branching graphs are not supported");
    reads_current = true;
  }
  if (!reads_current)
    throw InputError(path, where + " does not read the current activation '" + current + "': branching graphs are not supported");
  if (node.output_size() < 1 || node.output(0).empty()) throw InputError(path, where + " has no output");
}

void check_vector_reshape(const std::vector<int64_t>& shape, std::size_t width, const std::string& where,
                          const std::string& path) {
  int full = 0;
  for (int64_t d : shape) {
    if (d == -1 || d == 0 || d == 1) continue;
    if (static_cast<std::size_t>(d) != width || ++full > 1)
      throw UnsupportedError(path, where + " reshapes the " + std::to_string(width) + "-vector to " + dims_string(shape));
  }
}

std::size_t input_elements(const onnx::ValueInfoProto& value) {
  const onnx::TypeProto& type = value.type();
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return 0;
  const onnx::TensorShapeProto& shape = type.tensor_type().shape();
  std::size_t n = 1;
  for (int i = shape.dim_size() >= 2 ? 1 : 0; i < shape.dim_size(); ++i) {
    if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0) return 0;
    n *= static_cast<std::size_t>(shape.dim(i).dim_value());
    if (n > (std::size_t{1} << 40)) return 0;
  }
  return n;
}

onnx::ModelProto parse_graph_model(const std::string& path) {
  onnx::ModelProto model = parse_model(path);
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw InputError(path, "contains no ONNX graph (empty file or not an ONNX model)");
  return model;
}

const onnx::ValueInfoProto& activation_input(const onnx::GraphProto& graph,
                                             const std::function<bool(const std::string&)>& is_constant,
                                             const std::string& path) {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const onnx::ValueInfoProto& v : graph.input())
    if (!is_constant(v.name())) inputs.push_back(&v);
  if (inputs.size() != 1)
    throw UnsupportedError(path, "the graph has " + std::to_string(inputs.size()) +
                                     " non-constant inputs; exactly one is supported");
  return *inputs[0];
}

void check_chain_output(const onnx::GraphProto& graph, const std::string& current, const std::string& path) {
  if (graph.output_size() != 1)
    throw InputError(path, "the graph has " + std::to_string(graph.output_size()) + " outputs; expected exactly one");
  if (graph.output(0).name() != current)
    throw InputError(path, "the graph output '" + graph.output(0).name() + "' is not the final tensor '" + current +
                               "' of the dense-layer chain");
}

}  // namespace qeb::model::onnx_support
