// .nnet text -> Network. The format is line based; every error names the line, and sizes are checked
// against the file length before anything is allocated.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/load_network.h"

namespace qeb::model {
namespace {

constexpr double kMaxLayerSize = 1e7;  // larger is surely a corrupt header, not a network
constexpr double kMaxLayers = 1e5;

class NnetReader {
 public:
  explicit NnetReader(std::string path) : file_(std::move(path)), in_(file_) {
    if (!in_) throw InputError(file_, "cannot open the file for reading");
  }

  Network load() {
    skip_header_comments();
    std::vector<double> head = values(4, "the header line 'numLayers,inputSize,outputSize,maxLayerSize'");
    std::size_t num_layers = size_value(head[0], kMaxLayers, "numLayers");
    std::size_t input_size = size_value(head[1], kMaxLayerSize, "inputSize");
    std::size_t output_size = size_value(head[2], kMaxLayerSize, "outputSize");
    size_value(head[3], kMaxLayerSize, "maxLayerSize");

    std::vector<double> raw_sizes = values(num_layers + 1, std::to_string(num_layers + 1) + " layer sizes (numLayers + 1)");
    std::vector<std::size_t> sizes;
    for (double s : raw_sizes) sizes.push_back(size_value(s, kMaxLayerSize, "a layer size"));
    if (sizes.front() != input_size || sizes.back() != output_size)
      throw InputError(file_, "line " + std::to_string(line_no_) + ": the layer sizes start at " +
                                  std::to_string(sizes.front()) + " and end at " + std::to_string(sizes.back()) +
                                  ", but the header says " + std::to_string(input_size) + " inputs and " +
                                  std::to_string(output_size) + " outputs");
    check_file_holds(sizes);

    if (!next_line()) truncated("the (unused) flag line");
    // Files found in the wild (ReluDiff's and NeuroDiff's ACAS Xu networks) carry more values on
    // these four lines than the network has inputs: the first ones are used, with a note.
    Normalization norm;
    norm.input_min = leading_values(input_size, "input minimums", "");
    norm.input_max = leading_values(input_size, "input maximums", "");
    norm.input_mean = leading_values(input_size + 1, "means", " (inputs, then the output)");
    norm.input_range = leading_values(input_size + 1, "ranges", " (inputs, then the output)");
    if (!extra_.empty())
      notes_.push_back("line" + std::string(extra_.size() > 1 ? "s " : " ") + extra_ + ": more normalisation values than " +
                       std::to_string(input_size) + " inputs need; the first " + std::to_string(input_size) +
                       " (means and ranges: " + std::to_string(input_size) + " + 1 for the output) are used");
    norm.output_mean = norm.input_mean.back();
    norm.output_range = norm.input_range.back();
    norm.input_mean.pop_back();
    norm.input_range.pop_back();

    Network net;
    net.source = file_;
    for (std::size_t i = 0; i < num_layers; ++i) {
      DenseLayer layer;
      layer.inputs = sizes[i];
      layer.outputs = sizes[i + 1];
      layer.relu = i + 1 < num_layers;
      std::string name = "layer " + std::to_string(i + 1);
      layer.weights.reserve(layer.inputs * layer.outputs);
      for (std::size_t j = 0; j < layer.outputs; ++j) {
        std::vector<double> row = values(layer.inputs, std::to_string(layer.inputs) + " weights of row " +
                                                           std::to_string(j + 1) + " of " + name);
        layer.weights.insert(layer.weights.end(), row.begin(), row.end());
      }
      for (std::size_t j = 0; j < layer.outputs; ++j)
        layer.bias.push_back(values(1, "bias " + std::to_string(j + 1) + " of " + name)[0]);
      net.layers.push_back(std::move(layer));
    }
    if (next_line()) throw InputError(file_, "line " + std::to_string(line_no_) + ": unexpected content after the last bias");
    net.normalization = std::move(norm);
    net.notes = std::move(notes_);
    return net;
  }

 private:
  /** Reads the next non-blank line into line_; false at end of file. */
  bool next_line() {
    while (std::getline(in_, line_)) {
      ++line_no_;
      if (line_.find_first_not_of(" \t\r") != std::string::npos) return true;
    }
    return false;
  }

  void skip_header_comments() {
    while (next_line()) {
      std::size_t start = line_.find_first_not_of(" \t");
      if (line_.compare(start, 2, "//") != 0) {
        pending_ = true;  // the first data line is already in line_
        return;
      }
    }
    truncated("the header line 'numLayers,inputSize,outputSize,maxLayerSize'");
  }

  [[noreturn]] void truncated(const std::string& what) const {
    throw InputError(file_, "truncated file: expected " + what + " at line " + std::to_string(line_no_ + 1) +
                                ", but the file ends after line " + std::to_string(line_no_));
  }

  /** The next line as exactly `count` comma-separated finite numbers (a trailing comma is allowed). */
  std::vector<double> values(std::size_t count, const std::string& what) { return values(count, count, what); }

  /** A normalisation line: at least `count` numbers, of which the first `count` are kept (noted in extra_). */
  std::vector<double> leading_values(std::size_t count, const std::string& what, const std::string& layout) {
    std::vector<double> v = values(count, std::size_t(-1), std::to_string(count) + " " + what + layout);
    if (v.size() > count)
      extra_ += (extra_.empty() ? "" : ", ") + std::to_string(line_no_) + " (" + std::to_string(v.size()) + " " + what + ")";
    v.resize(count);
    return v;
  }

  /** The next line as `min_count` to `max_count` comma-separated finite numbers; `what` names them for errors. */
  std::vector<double> values(std::size_t min_count, std::size_t max_count, const std::string& what) {
    if (pending_) pending_ = false;
    else if (!next_line()) truncated(what);
    std::string at = "line " + std::to_string(line_no_) + ": ";
    std::vector<std::string> tokens;
    std::size_t pos = 0;
    while (pos <= line_.size()) {
      std::size_t comma = line_.find(',', pos);
      if (comma == std::string::npos) comma = line_.size();
      std::string tok = line_.substr(pos, comma - pos);
      std::size_t b = tok.find_first_not_of(" \t\r"), e = tok.find_last_not_of(" \t\r");
      tokens.push_back(b == std::string::npos ? std::string() : tok.substr(b, e - b + 1));
      pos = comma + 1;
    }
    if (tokens.back().empty()) tokens.pop_back();  // trailing comma or spaces
    if (tokens.size() < min_count || tokens.size() > max_count)
      throw InputError(file_, at + "expected " + what + ", found " + std::to_string(tokens.size()) + " value" +
                                  (tokens.size() == 1 ? "" : "s"));
    std::vector<double> out;
    out.reserve(tokens.size());
    for (const std::string& tok : tokens) out.push_back(number(tok, at));
    return out;
  }

  double number(const std::string& tok, const std::string& at) const {
    if (tok.empty()) throw InputError(file_, at + "empty value between commas");
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0') throw InputError(file_, at + "'" + tok + "' is not a number");
    if (!std::isfinite(v)) throw InputError(file_, at + "'" + tok + "' is not a finite number (NaN or Inf)");
    return v;
  }

  std::size_t size_value(double v, double max, const std::string& what) const {
    if (!(v >= 1 && v <= max && v == std::floor(v)))
      throw InputError(file_, "line " + std::to_string(line_no_) + ": " + what + " is " + format(v) +
                                  "; expected a whole number from 1 to " + format(max));
    return static_cast<std::size_t>(v);
  }

  static std::string format(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
  }

  /** Each value takes at least two bytes ("0," or "0\n", the last one may lack its separator): a header
      promising more than the file holds is bad, and is caught before anything is allocated. */
  void check_file_holds(const std::vector<std::size_t>& sizes) const {
    double declared = 0;
    for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
      declared += static_cast<double>(sizes[i]) * static_cast<double>(sizes[i + 1]) + static_cast<double>(sizes[i + 1]);
    std::error_code ec;
    auto bytes = std::filesystem::file_size(file_, ec);
    if (!ec && declared * 2 - 1 > static_cast<double>(bytes))
      throw InputError(file_, "the layer sizes declare " + format(declared) + " weights and biases, but the file has only " +
                                  std::to_string(bytes) + " bytes (truncated file or wrong layer sizes)");
  }

  std::string file_;
  std::ifstream in_;
  std::string line_;
  std::size_t line_no_ = 0;
  bool pending_ = false;  ///< line_ holds a data line not consumed yet
  std::vector<std::string> notes_;
  std::string extra_;  ///< normalisation lines with more values than needed, for the one note
};

}  // namespace

Network load_nnet(const std::string& path) { return NnetReader(path).load(); }

}  // namespace qeb::model
