// ONNX -> Network. Follows the one activation tensor through a straight-line graph of dense layers,
// ReLUs and shape-only operators; anything else is named and rejected rather than guessed at.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/load_network.h"
#include "model/onnx_support.h"

namespace qeb::model {
namespace {

using onnx_support::attribute;
using onnx_support::describe;
using onnx_support::dims_string;
using onnx_support::Tensor;

class OnnxReader {
 public:
  explicit OnnxReader(std::string path) : file_(std::move(path)) {}

  Network load() {
    onnx::ModelProto model = onnx_support::parse_graph_model(file_);
    const onnx::GraphProto& graph = model.graph();
    for (const onnx::TensorProto& t : graph.initializer()) constants_[t.name()] = onnx_support::to_tensor(t, "initializer", file_, true);

    find_input(graph);
    for (int i = 0; i < graph.node_size(); ++i) step(graph.node(i), i);
    onnx_support::check_chain_output(graph, current_, file_);
    check_input_size();
    net_.source = file_;
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }
  [[noreturn]] void unsupported(const std::string& problem) const { throw UnsupportedError(file_, problem); }

  /** The activation starts at the one graph input that is not an initializer. */
  void find_input(const onnx::GraphProto& graph) {
    const onnx::ValueInfoProto& input =
        onnx_support::activation_input(graph, [&](const std::string& n) { return constants_.count(n) > 0; }, file_);
    current_ = input.name();
    if (std::size_t n = onnx_support::input_elements(input)) input_elements_ = n;
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

  void step(const onnx::NodeProto& node, int index) {
    std::string where = describe(node, index);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      unsupported(where + " is from operator domain '" + node.domain() + "', which is not supported");
    const std::string& op = node.op_type();
    if (op == "Constant") return add_constant(node, where);
    onnx_support::check_straight_line(node, where, current_, [&](const std::string& in) { return constants_.count(in) > 0; },
                                      file_);
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
    constants_[node.output(0)] = onnx_support::constant_node_value(node, where, file_, false);
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
    onnx_support::check_vector_reshape(shape.ints, net_.layers.back().outputs, where, file_);
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
