// What both ONNX readers share (the float network's and the quantized network's): parsing a model
// quietly, constant tensors of every supported element type, attributes, node names in messages.
// Internal to src/model (it includes the ONNX protobuf headers).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace qeb::model::onnx_support {

/** A constant tensor: floating values widened to double (exactly), integer ones as int64. */
struct Tensor {
  std::vector<int64_t> dims;
  int32_t type = 0;  ///< onnx::TensorProto::DataType
  bool floating = false;
  std::vector<double> values;
  std::vector<int64_t> ints;
  std::size_t size() const { return floating ? values.size() : ints.size(); }
};

/** Parses the file into a model (protobuf's own logging silenced); InputError naming `path` if it cannot. */
onnx::ModelProto parse_model(const std::string& path);

/**
 * Reads an initializer or Constant value: FLOAT, DOUBLE, INT64, INT32 and, if `quantized_types`,
 * INT8 and UINT8, from raw_data or the typed field. InputError/UnsupportedError naming `path`.
 */
Tensor to_tensor(const onnx::TensorProto& t, const std::string& role, const std::string& path, bool quantized_types);

/** A Constant node's value (attribute 'value' only): InputError/UnsupportedError naming `path`. */
Tensor constant_node_value(const onnx::NodeProto& node, const std::string& where, const std::string& path,
                           bool quantized_types);

/**
 * A straight-line graph: the node reads `current` exactly once and otherwise only tensors for which
 * `is_constant` holds, and has an output. InputError naming `path` otherwise.
 */
void check_straight_line(const onnx::NodeProto& node, const std::string& where, const std::string& current,
                         const std::function<bool(const std::string&)>& is_constant, const std::string& path);

/** A Reshape of a `width`-vector to `shape` must keep it a vector (every dim -1, 0, 1 or the width); UnsupportedError. */
void check_vector_reshape(const std::vector<int64_t>& shape, std::size_t width, const std::string& where,
                          const std::string& path);

/** "(2,3)" */
std::string dims_string(const std::vector<int64_t>& dims);

/** "Gemm node '/fc0/Gemm'" (or "#index" for an unnamed node). */
std::string describe(const onnx::NodeProto& node, int index);

/** The node's attribute `name`, or nullptr. */
const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name);

/** parse_model, and the graph it holds, which must have a node (InputError naming `path` otherwise). */
onnx::ModelProto parse_graph_model(const std::string& path);

/** The graph's one input that is not a constant: where the activation starts (UnsupportedError otherwise). */
const onnx::ValueInfoProto& activation_input(const onnx::GraphProto& graph,
                                             const std::function<bool(const std::string&)>& is_constant,
                                             const std::string& path);

/** The graph has one output and it is `current`, the end of the dense-layer chain (InputError otherwise). */
void check_chain_output(const onnx::GraphProto& graph, const std::string& current, const std::string& path);

/** Per-sample element count of the graph input `value` when its shape is fully known (first of >= 2 dims is the batch), else 0. */
std::size_t input_elements(const onnx::ValueInfoProto& value);

}  // namespace qeb::model::onnx_support
