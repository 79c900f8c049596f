// The instances of `qeb-smt batch`: a CSV file, one verify task per row (VNN-COMP's instances.csv
// form, with qeb-smt's quantization and eps columns).
//
// Rows are either headerless, VNN-COMP style:   MODEL,PROPERTY,TIMEOUT[,QUANT[,EPS]]
// or follow a header row naming the columns (any order; a header is a first row whose every cell
// is a column name): instance, model (or onnx), property (or vnnlib), region, timeout, quant, eps,
// outputs_of, args. Empty cells take the batch's defaults. Paths (model, property, and the values
// of --mnist, --qnn and --property in region/args) are relative to the CSV file's directory, as in
// VNN-COMP benchmark folders. `#` lines and blank lines are skipped.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace qeb::cli {

/** Column values the CSV may leave out. */
struct BatchDefaults {
  std::vector<std::string> quant;  ///< quantization options (e.g. {"--preset", "qebverif-mnist", "--bits", "4"})
  std::string eps;                 ///< "" = none (the property's output constraints are checked)
  double timeout = 60;             ///< seconds per instance
  std::string outputs_of;          ///< "" = verify's default
  std::vector<std::string> args;   ///< appended to every instance
};

struct BatchInstance {
  std::size_t line = 0;            ///< in the CSV file
  std::string name;                ///< the instance column, or "MODEL:PROPERTY" file names
  std::string model, property;     ///< resolved paths ("" for no property)
  std::vector<std::string> region; ///< region options when there is no property
  double timeout = 60;
  std::vector<std::string> quant;
  std::string eps, outputs_of;
  std::vector<std::string> args;
};

/** The quantization options a quant cell stands for: "PRESET:BITS" or a --quant spec (with '='). */
std::vector<std::string> quant_options(const std::string& cell);

/**
 * Reads the instances. Throws InputError "FILE: line N: ..." for a structural problem (unknown
 * column, a row of the wrong length, no model, no property or region, a bad timeout, no
 * quantization in the row or the defaults); missing model or property files are left to the
 * instance to report.
 */
std::vector<BatchInstance> read_instances(const std::string& path, const BatchDefaults& defaults);

/** verify's arguments for the instance, writing its document to `json_path`. */
std::vector<std::string> verify_arguments(const BatchInstance& instance, const std::string& json_path);

}  // namespace qeb::cli
