// ONNX -> Network. Follows the one activation tensor through a straight-line graph of dense layers,
// ReLUs and shape-only operators; anything else is named and rejected rather than guessed at.
#include <onnx/onnx_pb.h>

#include <google/protobuf/stubs/logging.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/load_network.h"

namespace qeb::model {
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

/** A constant tensor: floating values widened to double, integer ones (shapes, axes) as int64. */
struct Tensor {
  std::vector<int64_t> dims;
  bool floating = false;
  std::vector<double> values;
  std::vector<int64_t> ints;
  std::size_t size() const { return floating ? values.size() : ints.size(); }
};

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + ")";
}

std::string describe(const onnx::NodeProto& node, int index) {
  std::string s = node.op_type() + " node ";
  return s + (node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'");
}

class OnnxReader {
 public:
  explicit OnnxReader(std::string path) : file_(std::move(path)) {}

  Network load() {
    onnx::ModelProto model = parse();
    if (!model.has_graph() || model.graph().node_size() == 0)
      fail("contains no ONNX graph (empty file or not an ONNX model)");
    const onnx::GraphProto& graph = model.graph();
    for (const onnx::TensorProto& t : graph.initializer()) constants_[t.name()] = to_tensor(t, "initializer");

    find_input(graph);
    for (int i = 0; i < graph.node_size(); ++i) step(graph.node(i), i);

    if (graph.output_size() != 1)
      fail("the graph has " + std::to_string(graph.output_size()) + " outputs; expected exactly one");
    if (graph.output(0).name() != current_)
      fail("the graph output '" + graph.output(0).name() + "' is not the final tensor '" + current_ +
           "' of the dense-layer chain");
    check_input_size();
    net_.source = file_;
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }
  [[noreturn]] void unsupported(const std::string& problem) const { throw UnsupportedError(file_, problem); }

  onnx::ModelProto parse() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) fail("cannot open the file for reading");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    onnx::ModelProto model;
    QuietProtobuf quiet;
    if (!model.ParseFromString(bytes.str())) fail("not a valid ONNX model (protobuf parse failed: truncated or corrupt)");
    return model;
  }

  Tensor to_tensor(const onnx::TensorProto& t, const std::string& role) {
    std::string what = role + " '" + t.name() + "'";
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      unsupported(what + " is stored in an external data file, which is not supported");
    if (t.has_segment()) unsupported(what + " is segmented, which is not supported");
    Tensor out;
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
        for (auto v : field) dest.push_back(static_cast<S>(v));
      }
    };
    switch (t.data_type()) {
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
      default:
        unsupported(what + " has ONNX data type " + std::to_string(t.data_type()) +
                    "; only float and double weights (and int32/int64 shapes) are supported");
    }
    return out;
  }

  /** The activation starts at the one graph input that is not an initializer. */
  void find_input(const onnx::GraphProto& graph) {
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const onnx::ValueInfoProto& v : graph.input())
      if (!constants_.count(v.name())) inputs.push_back(&v);
    if (inputs.size() != 1)
      unsupported("the graph has " + std::to_string(inputs.size()) + " non-constant inputs; exactly one is supported");
    current_ = inputs[0]->name();
    // Input elements per sample, when the shape is fully known (first of >= 2 dims is the batch).
    const onnx::TypeProto& type = inputs[0]->type();
    if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return;
    const onnx::TensorShapeProto& shape = type.tensor_type().shape();
    std::size_t n = 1;
    for (int i = shape.dim_size() >= 2 ? 1 : 0; i < shape.dim_size(); ++i) {
      if (!shape.dim(i).has_dim_value() || shape.dim(i).dim_value() <= 0) return;
      n *= static_cast<std::size_t>(shape.dim(i).dim_value());
      if (n > (std::size_t{1} << 40)) return;
    }
    input_elements_ = n;
  }

  void check_input_size() const {
    if (input_elements_ && !net_.layers.empty() && *input_elements_ != net_.layers.front().inputs)
      fail("the graph input has " + std::to_string(*input_elements_) + " elements per sample but the first dense layer takes " +
           std::to_string(net_.layers.front().inputs));
  }

  const Tensor& constant(const std::string& name, const std::string& node) const {
    auto it = constants_.find(name);
    if (it == constants_.end())
      unsupported(node + " takes '" + name + "' as a weight, but it is not an initializer or Constant");
    return it->second;
  }

  const Tensor& floating_constant(const std::string& name, const std::string& node) const {
    const Tensor& t = constant(name, node);
    if (!t.floating) unsupported(node + ": '" + name + "' is an integer tensor; only float/double weights are supported");
    return t;
  }

  /** Every non-constant input of a node must be the current activation, read once: a straight line. */
  void check_inputs(const onnx::NodeProto& node, const std::string& where) {
    bool reads_current = false;
    for (const std::string& in : node.input()) {
      if (in.empty() || constants_.count(in)) continue;
      if (in != current_)
        fail(where + " reads tensor '" + in + "', which is not the current activation '" + current_ +
             "': branching graphs are not supported");
      if (reads_current)
        fail(where + " reads the activation '" + in + "' twice: branching graphs are not supported");
      reads_current = true;
    }
    if (!reads_current) fail(where + " does not read the current activation '" + current_ + "': branching graphs are not supported");
    if (node.output_size() < 1 || node.output(0).empty()) fail(where + " has no output");
  }

  void step(const onnx::NodeProto& node, int index) {
    std::string where = describe(node, index);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      unsupported(where + " is from operator domain '" + node.domain() + "', which is not supported");
    const std::string& op = node.op_type();
    if (op == "Constant") return add_constant(node, where);
    check_inputs(node, where);
    if (op == "Gemm") gemm(node, where);
    else if (op == "MatMul") matmul(node, where);
    else if (op == "Add") add_bias(node, where);
    else if (op == "Relu") relu(where);
    else if (op == "Reshape") reshape(node, where);
    else if (op == "Flatten" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze") {
      if (node.input(0) != current_) fail(where + " must take the activation as its first input");
    } else {
      unsupported(where + ": operator " + op + " is not supported (only Gemm, MatMul, Add, Relu and shape-only operators)");
    }
    current_ = node.output(0);
  }

  void add_constant(const onnx::NodeProto& node, const std::string& where) {
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.name() != "value") unsupported(where + " uses attribute '" + a.name() + "'; only 'value' is supported");
      if (node.output_size() != 1) fail(where + " must have one output");
      constants_[node.output(0)] = to_tensor(a.t(), "Constant '" + node.output(0) + "'");
      return;
    }
    fail(where + " has no value");
  }

  static const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name) {
    for (const onnx::AttributeProto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }

  /** Appends a dense layer; `w_out_in` tells whether W is stored (out, in) or (in, out). */
  void add_dense(const Tensor& w, bool w_out_in, const std::string& where) {
    if (w.dims.size() != 2) fail(where + ": the weight has shape " + dims_string(w.dims) + ", expected a matrix");
    DenseLayer layer;
    layer.outputs = static_cast<std::size_t>(w_out_in ? w.dims[0] : w.dims[1]);
    layer.inputs = static_cast<std::size_t>(w_out_in ? w.dims[1] : w.dims[0]);
    if (!net_.layers.empty() && layer.inputs != net_.layers.back().outputs)
      fail(where + ": the weight has shape " + dims_string(w.dims) + ", so it takes " + std::to_string(layer.inputs) +
           " inputs, but the previous layer has " + std::to_string(net_.layers.back().outputs) + " outputs");
    layer.weights.resize(layer.inputs * layer.outputs);
    for (std::size_t j = 0; j < layer.outputs; ++j)
      for (std::size_t k = 0; k < layer.inputs; ++k)
        layer.weights[j * layer.inputs + k] = w.values[w_out_in ? j * layer.inputs + k : k * layer.outputs + j];
    layer.bias.assign(layer.outputs, 0.0);
    net_.layers.push_back(std::move(layer));
    bias_open_ = true;
    relu_allowed_ = true;
  }

  /** A bias of `outputs` values, shaped (out), (1, out), or a single broadcast value. */
  void set_bias(const Tensor& b, const std::string& where) {
    DenseLayer& layer = net_.layers.back();
    bool row = b.dims.size() == 1 || (b.dims.size() == 2 && b.dims[0] == 1);
    if (b.size() == 1) layer.bias.assign(layer.outputs, b.values[0]);
    else if (row && b.size() == layer.outputs) layer.bias = b.values;
    else fail(where + ": the bias has shape " + dims_string(b.dims) + " but the layer has " + std::to_string(layer.outputs) + " outputs");
    bias_open_ = false;
  }

  void gemm(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() < 2 || node.input(0) != current_) fail(where + " must take the activation as input A");
    auto float_attr = [&](const char* name) {
      const onnx::AttributeProto* a = attribute(node, name);
      return a ? a->f() : 1.0f;
    };
    auto int_attr = [&](const char* name) {
      const onnx::AttributeProto* a = attribute(node, name);
      return a ? a->i() : int64_t{0};
    };
    // Folding alpha/beta would round the weights; transA would make the activation a column.
    if (float_attr("alpha") != 1.0f || float_attr("beta") != 1.0f)
      unsupported(where + " has alpha or beta other than 1");
    if (int_attr("transA") != 0) unsupported(where + " has transA=1");
    int64_t trans_b = int_attr("transB");
    if (trans_b != 0 && trans_b != 1) fail(where + " has transB=" + std::to_string(trans_b));
    add_dense(floating_constant(node.input(1), where), trans_b == 1, where);
    if (node.input_size() >= 3 && !node.input(2).empty()) set_bias(floating_constant(node.input(2), where), where);
  }

  void matmul(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() != 2 || node.input(0) != current_)
      unsupported(where + " must compute activation x weight (the weight on the left is not supported)");
    add_dense(floating_constant(node.input(1), where), false, where);
  }

  void add_bias(const onnx::NodeProto& node, const std::string& where) {
    if (!bias_open_) unsupported(where + " is not a bias directly after MatMul or a bias-free Gemm");
    if (node.input_size() != 2) fail(where + " must have two inputs");
    const std::string& other = node.input(0) == current_ ? node.input(1) : node.input(0);
    set_bias(floating_constant(other, where), where);
  }

  void relu(const std::string& where) {
    if (!relu_allowed_) unsupported(where + " does not directly follow a dense layer");
    net_.layers.back().relu = true;
    relu_allowed_ = false;
    bias_open_ = false;
  }

  /** A reshape must keep the activation a vector: every target dim is -1, 0, 1 or the width. */
  void reshape(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() != 2 || node.input(0) != current_) fail(where + " must take the activation as its first input");
    const Tensor& shape = constant(node.input(1), where);
    if (shape.floating) fail(where + ": the target shape is not an integer tensor");
    if (net_.layers.empty()) return;  // before the first dense layer the input may be an image
    std::size_t width = net_.layers.back().outputs;
    int full = 0;
    for (int64_t d : shape.ints) {
      if (d == -1 || d == 0 || d == 1) continue;
      if (static_cast<std::size_t>(d) != width || ++full > 1)
        unsupported(where + " reshapes the " + std::to_string(width) + "-vector to " + dims_string(shape.ints));
    }
  }

  std::string file_;
  Network net_;
  std::map<std::string, Tensor> constants_;
  std::string current_;
  std::optional<std::size_t> input_elements_;
  bool bias_open_ = false;     ///< the last value-changing node was a dense layer without bias yet
  bool relu_allowed_ = false;  ///< the last value-changing node was a dense layer (or its bias)
};

}  // namespace

Network load_onnx(const std::string& path) { return OnnxReader(path).load(); }

}  // namespace qeb::model
