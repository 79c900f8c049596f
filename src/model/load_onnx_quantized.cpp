// ONNX -> QuantizedNetwork. Follows the one activation tensor through a straight-line graph as a
// small state machine (float input, quantized, dequantized, a layer's pre-activation, an integer
// accumulator) and records each dense layer's integers, scales and zero points. Every operator or
// form it does not know is named and rejected rather than guessed at.
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/onnx_support.h"
#include "model/quantized_network.h"

namespace qeb::model {
namespace {

using onnx_support::attribute;
using onnx_support::describe;
using onnx_support::dims_string;
using onnx_support::Tensor;

/** A DequantizeLinear of a constant: a quantized weight or bias with its parameters. */
struct DequantizedConstant {
  Tensor stored;
  QuantParams params;
  int64_t axis = -1;  ///< the axis of per-axis parameters (-1: per tensor)
  std::string where;
};

/** Where the current activation stands. */
enum class Stage {
  FLOAT_INPUT,  ///< the graph's float input, not yet quantized
  QUANTIZED,    ///< stored integers with `params`
  DEQUANTIZED,  ///< DequantizeLinear of them
  RELU_DEQUANTIZED,  ///< Relu of that (must be quantized again with the same parameters)
  PRE,          ///< a layer's real pre-activation (MatMul/Gemm of dequantized values, or a scaled accumulator)
  INT_ACC,      ///< MatMulInteger's integer accumulator
};

class QuantizedReader {
 public:
  explicit QuantizedReader(std::string path) : file_(std::move(path)) {}

  QuantizedNetwork load() {
    onnx::ModelProto model = onnx_support::parse_graph_model(file_);
    const onnx::GraphProto& graph = model.graph();
    for (const onnx::TensorProto& t : graph.initializer())
      constants_[t.name()] = onnx_support::to_tensor(t, "initializer", file_, true);
    find_input(graph);
    for (int i = 0; i < graph.node_size(); ++i) step(graph.node(i), i);
    onnx_support::check_chain_output(graph, current_, file_);
    finish();
    net_.source = file_;
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }
  [[noreturn]] void unsupported(const std::string& problem) const { throw UnsupportedError(file_, problem); }

  void find_input(const onnx::GraphProto& graph) {
    const onnx::ValueInfoProto& input =
        onnx_support::activation_input(graph, [&](const std::string& n) { return constants_.count(n) > 0; }, file_);
    current_ = input.name();
    input_elements_ = onnx_support::input_elements(input);
  }

  bool is_constant(const std::string& name) const { return constants_.count(name) || dequantized_.count(name); }

  const Tensor& constant(const std::string& name, const std::string& where) const {
    auto it = constants_.find(name);
    if (it == constants_.end()) unsupported(where + " takes '" + name + "' as a constant, but it is not an initializer or Constant");
    return it->second;
  }

  // ------------------------------------------------------------------ quantization parameters

  /** Scale and zero point from a node's inputs (`scale_index`, `scale_index + 1`), for `stored_type`. */
  QuantParams params(const onnx::NodeProto& node, int scale_index, int32_t stored_type, const std::string& where) const {
    const Tensor& scale = constant(node.input(scale_index), where);
    if (!scale.floating) fail(where + ": the scale '" + node.input(scale_index) + "' is not a float tensor");
    QuantParams p;
    for (double s : scale.values) {
      if (!std::isfinite(s) || s <= 0) fail(where + ": the scale " + std::to_string(s) + " is not a positive finite number");
      p.scale.push_back(s);
    }
    if (p.scale.empty()) fail(where + ": the scale is empty");
    const bool has_zero = node.input_size() > scale_index + 1 && !node.input(scale_index + 1).empty();
    int32_t type = stored_type;
    if (has_zero) {
      const Tensor& zero = constant(node.input(scale_index + 1), where);
      if (zero.floating) fail(where + ": the zero point is not an integer tensor");
      if (zero.ints.size() != p.scale.size())
        fail(where + ": the zero point has " + std::to_string(zero.ints.size()) + " values but the scale " +
             std::to_string(p.scale.size()));
      p.zero_point = zero.ints;
      if (type == onnx::TensorProto::UNDEFINED) type = zero.type;
      else if (zero.type != type) fail(where + ": the zero point's type differs from the quantized tensor's");
    } else {
      p.zero_point.assign(p.scale.size(), 0);
      if (type == onnx::TensorProto::UNDEFINED) type = onnx::TensorProto::UINT8;  // QuantizeLinear's default
    }
    if (type == onnx::TensorProto::INT8) p.is_signed = true, p.bits = 8;
    else if (type == onnx::TensorProto::UINT8) p.is_signed = false, p.bits = 8;
    else if (type == onnx::TensorProto::INT32) p.is_signed = true, p.bits = 32;
    else unsupported(where + " quantizes to ONNX data type " + std::to_string(type) + "; only int8, uint8 (and int32 biases) are supported");
    for (int64_t z : p.zero_point)
      if (z < p.min_int() || z > p.max_int()) fail(where + ": the zero point " + std::to_string(z) + " is outside its type");
    return p;
  }

  /** An activation's parameters must be per tensor. */
  void per_tensor(const QuantParams& p, const std::string& where) const {
    if (p.scale.size() != 1)
      unsupported(where + " quantizes an activation per channel; only per-tensor activations are supported");
  }

  int64_t axis_of(const onnx::NodeProto& node, std::size_t rank) const {
    const onnx::AttributeProto* a = attribute(node, "axis");
    int64_t axis = a ? a->i() : 1;
    if (axis < 0) axis += int64_t(rank);
    return axis;
  }

  // ------------------------------------------------------------------ the graph, node by node

  void step(const onnx::NodeProto& node, int index) {
    const std::string where = describe(node, index);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      unsupported(where + " is from operator domain '" + node.domain() + "', which is not supported");
    const std::string& op = node.op_type();
    if (op == "Constant") {
      constants_[node.output(0)] = onnx_support::constant_node_value(node, where, file_, true);
      return;
    }
    bool constant_only = node.input_size() > 0;
    for (const std::string& in : node.input()) constant_only &= in.empty() || is_constant(in);
    if (constant_only && op == "DequantizeLinear") return dequantize_constant(node, where);
    onnx_support::check_straight_line(node, where, current_, [&](const std::string& in) { return is_constant(in); }, file_);
    if (node.input(0) != current_ && op != "Add" && op != "Mul")
      fail(where + " must take the activation as its first input");
    if (op == "QuantizeLinear") quantize(node, where);
    else if (op == "DequantizeLinear") dequantize(node, where);
    else if (op == "MatMul" || op == "Gemm") matmul(node, where, op == "Gemm");
    else if (op == "QLinearMatMul") qlinear_matmul(node, where);
    else if (op == "MatMulInteger") matmul_integer(node, where);
    else if (op == "Add") add(node, where);
    else if (op == "Mul") mul(node, where);
    else if (op == "Cast") cast(node, where);
    else if (op == "Relu") relu(where);
    else if (op == "Reshape") reshape(node, where);
    else if (op == "Flatten" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze") {
    } else {
      unsupported(where + ": operator " + op + " is not supported in a quantized model (only QuantizeLinear, "
                  "DequantizeLinear, MatMul, Gemm, QLinearMatMul, MatMulInteger, Cast, Mul, Add, Relu and shape-only operators)");
    }
    current_ = node.output(0);
  }

  void dequantize_constant(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() < 2) fail(where + " needs a scale");
    if (dequantized_.count(node.input(0))) fail(where + " dequantizes a tensor twice");
    DequantizedConstant d;
    d.stored = constant(node.input(0), where);
    if (d.stored.floating) fail(where + " dequantizes a float tensor");
    d.params = params(node, 1, d.stored.type, where);
    d.where = where;
    if (d.params.scale.size() > 1) {
      d.axis = axis_of(node, d.stored.dims.size());
      if (d.axis < 0 || d.axis >= int64_t(d.stored.dims.size()) || d.stored.dims[d.axis] != int64_t(d.params.scale.size()))
        fail(where + ": " + std::to_string(d.params.scale.size()) + " scales do not match axis " +
             std::to_string(d.axis) + " of the tensor's shape " + dims_string(d.stored.dims));
    }
    if (d.params.bits == 32)
      for (int64_t z : d.params.zero_point)
        if (z != 0) fail(where + ": an int32 tensor must have zero point 0");
    dequantized_[node.output(0)] = std::move(d);
  }

  void quantize(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() < 2) fail(where + " needs a scale");
    QuantParams p = params(node, 1, onnx::TensorProto::UNDEFINED, where);
    per_tensor(p, where);
    if (p.bits != 8) unsupported(where + " quantizes an activation to int32; only int8 and uint8 are supported");
    switch (stage_) {
      case Stage::FLOAT_INPUT:
        if (!net_.layers.empty() || input_quantized_) fail(where + " quantizes a float tensor that is not the graph input");
        net_.input = p;
        input_quantized_ = true;
        break;
      case Stage::PRE:
        open_.output = p;
        close_layer();
        break;
      case Stage::RELU_DEQUANTIZED:
        // Q -> DQ -> Relu -> Q with the same parameters: max(q, zero point), the previous layer's ReLU.
        if (p != params_) unsupported(where + " quantizes a Relu's output with other parameters than its input's (a second rounding)");
        if (net_.layers.empty()) unsupported(where + ": a Relu on the network's input is not supported");
        net_.layers.back().relu = true;
        break;
      default:
        unsupported(where + " quantizes a tensor that is not a float input, a layer's pre-activation or a Relu");
    }
    params_ = p;
    stage_ = Stage::QUANTIZED;
  }

  void dequantize(const onnx::NodeProto& node, const std::string& where) {
    if (stage_ != Stage::QUANTIZED) unsupported(where + " dequantizes a tensor that is not quantized");
    if (node.input_size() < 2) fail(where + " needs a scale");
    QuantParams p = params(node, 1, params_.is_signed ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8, where);
    if (p != params_)
      unsupported(where + " dequantizes with other parameters than those that quantized its input");
    stage_ = Stage::DEQUANTIZED;
  }

  /** A new layer on weights `w` (dims (in, out), or (out, in) with `out_in`), starting the accumulator. */
  void open_layer(const Tensor& w, bool out_in, const QuantParams& wp, int64_t axis, const std::string& where) {
    if (w.dims.size() != 2) fail(where + ": the weight has shape " + dims_string(w.dims) + ", expected a matrix");
    if (w.floating) unsupported(where + ": the weights are not quantized (float); qeb-smt verifies int8/uint8 weights");
    if (wp.bits != 8) unsupported(where + ": the weights are int32; only int8/uint8 weights are supported");
    QuantizedDense d;
    d.outputs = std::size_t(out_in ? w.dims[0] : w.dims[1]);
    d.inputs = std::size_t(out_in ? w.dims[1] : w.dims[0]);
    if (d.outputs == 0 || d.inputs == 0) fail(where + ": the weight matrix is empty");
    const int64_t out_axis = out_in ? 0 : 1;
    if (wp.scale.size() > 1 && axis != out_axis)
      unsupported(where + ": the weights are quantized per input channel (axis " + std::to_string(axis) +
                  "); only per-tensor or per-output-channel weights are supported");
    if (!net_.layers.empty() && d.inputs != net_.layers.back().outputs)
      fail(where + ": the weight has shape " + dims_string(w.dims) + ", so it takes " + std::to_string(d.inputs) +
           " inputs, but the previous layer has " + std::to_string(net_.layers.back().outputs) + " outputs");
    d.weights.resize(d.inputs * d.outputs);
    for (std::size_t j = 0; j < d.outputs; ++j) {
      for (std::size_t k = 0; k < d.inputs; ++k)
        d.weights[j * d.inputs + k] = w.ints[out_in ? j * d.inputs + k : k * d.outputs + j];
      d.weight_zero_point.push_back(wp.zero_point_at(j));
    }
    d.acc_bias.assign(d.outputs, 0);
    d.bias.assign(d.outputs, Rational(0));
    d.where = where;
    open_ = std::move(d);
    biased_ = relu_ = false;
  }

  const DequantizedConstant& dequantized_weight(const std::string& name, const std::string& where) const {
    auto it = dequantized_.find(name);
    if (it != dequantized_.end()) return it->second;
    if (constants_.count(name))
      unsupported(where + ": the weights '" + name + "' are not quantized (float); qeb-smt verifies int8/uint8 weights");
    unsupported(where + " takes '" + name + "' as weights, but it is not a DequantizeLinear of a constant");
  }

  void matmul(const onnx::NodeProto& node, const std::string& where, bool gemm) {
    if (stage_ == Stage::FLOAT_INPUT)
      unsupported(where + " multiplies the graph input, which is never quantized: not a quantized model (load it with "
                          "--model)");
    if (stage_ != Stage::DEQUANTIZED)
      unsupported(where + " multiplies a tensor that is not dequantized (expected DequantizeLinear before it)");
    if (node.input_size() < 2) fail(where + " needs two inputs");
    bool out_in = false;
    if (gemm) {
      auto f = [&](const char* n) { const onnx::AttributeProto* a = attribute(node, n); return a ? a->f() : 1.0f; };
      auto i = [&](const char* n) { const onnx::AttributeProto* a = attribute(node, n); return a ? a->i() : int64_t{0}; };
      if (f("alpha") != 1.0f || f("beta") != 1.0f) unsupported(where + " has alpha or beta other than 1");
      if (i("transA") != 0) unsupported(where + " has transA=1");
      if (i("transB") != 0 && i("transB") != 1) fail(where + " has transB=" + std::to_string(i("transB")));
      out_in = i("transB") == 1;
    } else if (node.input_size() != 2) {
      fail(where + " must have two inputs");
    }
    const DequantizedConstant& w = dequantized_weight(node.input(1), where);
    open_layer(w.stored, out_in, w.params, w.axis, where);
    open_.input_zero_point = params_.zero_point[0];
    for (std::size_t j = 0; j < open_.outputs; ++j)
      open_.acc_scale.push_back(rational_from_double(params_.scale[0]) * rational_from_double(w.params.scale_at(j)));
    stage_ = Stage::PRE;
    if (gemm && node.input_size() >= 3 && !node.input(2).empty()) add_bias(node.input(2), where);
  }

  void qlinear_matmul(const onnx::NodeProto& node, const std::string& where) {
    if (stage_ != Stage::QUANTIZED) unsupported(where + " multiplies a tensor that is not quantized");
    if (node.input_size() != 8) fail(where + " must have 8 inputs");
    QuantParams a = params(node, 1, params_.is_signed ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8, where);
    per_tensor(a, where);
    const Tensor& b = constant(node.input(3), where);
    QuantParams bp = params(node, 4, b.type, where);
    QuantParams y = params(node, 6, onnx::TensorProto::UNDEFINED, where);
    per_tensor(y, where);
    if (y.bits != 8) unsupported(where + " outputs int32; only int8 and uint8 are supported");
    open_layer(b, false, bp, 1, where);
    if (bp.scale.size() != 1 && bp.scale.size() != open_.outputs)
      fail(where + ": b has " + std::to_string(bp.scale.size()) + " scales for " + std::to_string(open_.outputs) + " columns");
    open_.input_zero_point = a.zero_point[0];
    for (std::size_t j = 0; j < open_.outputs; ++j)
      open_.acc_scale.push_back(rational_from_double(a.scale[0]) * rational_from_double(bp.scale_at(j)));
    open_.output = y;
    close_layer();
    params_ = y;
    stage_ = Stage::QUANTIZED;
  }

  void matmul_integer(const onnx::NodeProto& node, const std::string& where) {
    if (stage_ != Stage::QUANTIZED) unsupported(where + " multiplies a tensor that is not quantized");
    if (node.input_size() < 2) fail(where + " needs two inputs");
    const Tensor& b = constant(node.input(1), where);
    auto zero = [&](int index, std::size_t count) -> std::vector<int64_t> {
      if (node.input_size() <= index || node.input(index).empty()) return std::vector<int64_t>(count, 0);
      const Tensor& z = constant(node.input(index), where);
      if (z.floating || (z.ints.size() != 1 && z.ints.size() != count))
        fail(where + ": the zero point '" + node.input(index) + "' must be a scalar or one integer per column");
      return z.ints.size() == 1 ? std::vector<int64_t>(count, z.ints[0]) : z.ints;
    };
    QuantParams bp;
    bp.is_signed = b.type == onnx::TensorProto::INT8;
    bp.bits = b.type == onnx::TensorProto::INT8 || b.type == onnx::TensorProto::UINT8 ? 8 : 32;
    bp.scale = {1.0};
    bp.zero_point = {0};
    open_layer(b, false, bp, 1, where);
    std::vector<int64_t> a_zero = zero(2, 1);
    std::vector<int64_t> b_zero = zero(3, open_.outputs);
    open_.input_zero_point = a_zero[0];
    open_.weight_zero_point = b_zero;
    open_.acc_scale.assign(open_.outputs, Rational(1));
    stage_ = Stage::INT_ACC;
  }

  /** A per-channel (or broadcast) constant of the layer's width. */
  std::vector<Rational> per_channel(const std::string& name, const std::string& where, bool allow_int) const {
    std::vector<Rational> values;
    if (auto it = dequantized_.find(name); it != dequantized_.end()) {
      const DequantizedConstant& d = it->second;
      for (std::size_t i = 0; i < d.stored.ints.size(); ++i)
        values.push_back(Rational(d.stored.ints[i] - d.params.zero_point_at(i)) * rational_from_double(d.params.scale_at(i)));
    } else {
      const Tensor& t = constant(name, where);
      if (!t.floating && !allow_int) fail(where + ": '" + name + "' is an integer tensor here");
      if (t.floating)
        for (double v : t.values) {
          if (!std::isfinite(v)) fail(where + ": '" + name + "' holds " + std::to_string(v));
          values.push_back(rational_from_double(v));
        }
      else
        for (int64_t v : t.ints) values.push_back(Rational(v));
    }
    if (values.size() == 1) values.assign(open_.outputs, values[0]);
    if (values.size() != open_.outputs)
      fail(where + ": '" + name + "' has " + std::to_string(values.size()) + " values but the layer has " +
           std::to_string(open_.outputs) + " outputs");
    return values;
  }

  void add_bias(const std::string& name, const std::string& where) {
    if (biased_ || relu_) unsupported(where + " adds a second bias or adds after the Relu");
    std::vector<Rational> b = per_channel(name, where, false);
    for (std::size_t j = 0; j < b.size(); ++j) open_.bias[j] += b[j];
    biased_ = true;
  }

  void add(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() != 2) fail(where + " must have two inputs");
    const std::string& other = node.input(0) == current_ ? node.input(1) : node.input(0);
    if (stage_ == Stage::PRE) return add_bias(other, where);
    if (stage_ != Stage::INT_ACC) unsupported(where + " adds to a tensor that is not a layer's accumulator or pre-activation");
    if (biased_) unsupported(where + " adds a second integer bias");
    if (constant(other, where).floating) fail(where + " adds a float tensor to an integer accumulator");
    std::vector<Rational> b = per_channel(other, where, true);
    for (std::size_t j = 0; j < b.size(); ++j) open_.acc_bias[j] += boost::multiprecision::numerator(b[j]).convert_to<int64_t>();
    biased_ = true;
  }

  void cast(const onnx::NodeProto& node, const std::string& where) {
    const onnx::AttributeProto* to = attribute(node, "to");
    if (stage_ != Stage::INT_ACC || !to || to->i() != onnx::TensorProto::FLOAT)
      unsupported(where + ": only a Cast of MatMulInteger's accumulator to float is supported");
    stage_ = Stage::PRE;
    scaling_ = true;
    biased_ = false;
  }

  void mul(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() != 2) fail(where + " must have two inputs");
    if (stage_ != Stage::PRE || !scaling_ || biased_ || relu_)
      unsupported(where + ": only Mul of a cast accumulator by its (positive) scales is supported");
    const std::string& other = node.input(0) == current_ ? node.input(1) : node.input(0);
    std::vector<Rational> s = per_channel(other, where, false);
    for (std::size_t j = 0; j < s.size(); ++j) {
      if (s[j] <= 0) unsupported(where + " multiplies by a scale that is not positive");
      open_.acc_scale[j] *= s[j];
    }
  }

  void relu(const std::string& where) {
    if (stage_ == Stage::DEQUANTIZED) {
      stage_ = Stage::RELU_DEQUANTIZED;
      return;
    }
    if (stage_ != Stage::PRE || relu_) unsupported(where + " does not follow a layer's pre-activation or dequantized output");
    open_.relu = relu_ = true;
  }

  void reshape(const onnx::NodeProto& node, const std::string& where) {
    if (node.input_size() != 2) fail(where + " must take the activation and a shape");
    const Tensor& shape = constant(node.input(1), where);
    if (shape.floating) fail(where + ": the target shape is not an integer tensor");
    if (stage_ == Stage::FLOAT_INPUT && net_.layers.empty()) return;  // the input may be an image
    std::size_t width = stage_ == Stage::PRE || stage_ == Stage::INT_ACC ? open_.outputs
                        : net_.layers.empty() ? input_elements_ : net_.layers.back().outputs;
    if (width) onnx_support::check_vector_reshape(shape.ints, width, where, file_);
  }

  void close_layer() {
    if (open_.relu && !open_.output) unsupported(open_.where + ": a Relu on the real (not quantized) output is not supported");
    net_.layers.push_back(std::move(open_));
    open_ = {};
    scaling_ = false;
  }

  void finish() {
    switch (stage_) {
      case Stage::FLOAT_INPUT:
        unsupported("the graph input is never quantized: not a quantized model (load it with --model)");
      case Stage::PRE:
        close_layer();
        break;
      case Stage::INT_ACC:
        unsupported("the graph ends with an integer accumulator; dequantize it (Cast and Mul) or requantize it");
      case Stage::RELU_DEQUANTIZED:
        if (net_.layers.empty()) unsupported("a Relu on the network's input is not supported");
        net_.layers.back().relu = true;  // a Relu on the dequantized output: the output's clamp at 0
        break;
      case Stage::QUANTIZED:
      case Stage::DEQUANTIZED:
        break;
    }
    if (net_.layers.empty()) fail("the graph has no dense layer");
    if (input_elements_ && input_elements_ != net_.layers.front().inputs)
      fail("the graph input has " + std::to_string(input_elements_) + " elements per sample but the first dense layer takes " +
           std::to_string(net_.layers.front().inputs));
  }

  std::string file_;
  QuantizedNetwork net_;
  std::map<std::string, Tensor> constants_;
  std::map<std::string, DequantizedConstant> dequantized_;
  std::string current_;
  std::size_t input_elements_ = 0;
  Stage stage_ = Stage::FLOAT_INPUT;
  QuantParams params_;      ///< of the current activation when QUANTIZED / DEQUANTIZED
  bool input_quantized_ = false;
  QuantizedDense open_;     ///< the layer being read (PRE, INT_ACC)
  bool biased_ = false, relu_ = false, scaling_ = false;
};

}  // namespace

QuantizedNetwork load_onnx_quantized(const std::string& path) { return QuantizedReader(path).load(); }

}  // namespace qeb::model
