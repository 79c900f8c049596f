#include "cli/batch_instances.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/csv.h"
#include "core/error.h"
#include "core/input_file.h"

namespace qeb::cli {

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kColumns = {
    {"instance", "instance"}, {"name", "instance"},     {"model", "model"},     {"onnx", "model"},
    {"network", "model"},     {"property", "property"}, {"vnnlib", "property"}, {"spec", "property"},
    {"region", "region"},     {"timeout", "timeout"},   {"quant", "quant"},     {"eps", "eps"},
    {"outputs_of", "outputs_of"}, {"args", "args"}};
const std::vector<std::string> kHeaderless = {"model", "property", "timeout", "quant", "eps"};
constexpr double kMaxTimeout = 1e7;

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class Reader {
 public:
  Reader(const std::string& path, const BatchDefaults& defaults)
      : d_path(path), d_dir(fs::path(path).parent_path()), d_defaults(defaults) {}

  std::vector<BatchInstance> read() {
    std::ifstream in = open_input_file(d_path, "instance list");
    std::ostringstream text;
    text << in.rdbuf();
    std::vector<BatchInstance> out;
    std::vector<std::string> columns;
    for (const CsvRecord& r : parse_csv(text.str(), d_path)) {
      std::vector<std::string> cells;
      for (const std::string& f : r.fields) cells.push_back(trim(f));
      bool blank = std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); });
      if (blank || cells[0].starts_with("#")) continue;
      if (columns.empty()) {
        auto known = std::count_if(cells.begin(), cells.end(), [](const std::string& c) { return kColumns.count(c) > 0; });
        if (known >= 2 && std::size_t(known) < cells.size()) {  // a header with a misspelt column
          for (const std::string& c : cells)
            if (!kColumns.count(c))
              fail(r.line, "unknown column '" + c + "' (columns: instance, model or onnx, property or vnnlib, region, "
                           "timeout, quant, eps, outputs_of, args)");
        }
        if (std::size_t(known) == cells.size()) {
          columns = header_columns(cells, r.line);
          continue;
        }
        columns = kHeaderless;
        d_headerless = true;
      }
      out.push_back(instance(columns, cells, r.line));
    }
    if (out.empty()) throw InputError(d_path, "no instances (rows naming a model and a property or region)");
    return out;
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& problem) const {
    throw InputError(d_path, "line " + std::to_string(line) + ": " + problem);
  }

  std::vector<std::string> header_columns(const std::vector<std::string>& cells, std::size_t line) const {
    std::vector<std::string> columns;
    for (const std::string& c : cells) {
      const std::string& name = kColumns.at(c);
      if (std::find(columns.begin(), columns.end(), name) != columns.end()) fail(line, "the column '" + c + "' appears twice");
      columns.push_back(name);
    }
    if (std::find(columns.begin(), columns.end(), "model") == columns.end())
      fail(line, "the header has no model (or onnx) column");
    return columns;
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (d_dir / p).lexically_normal().string();
  }

  // Paths among options (--mnist DIR, --qnn F, --property F) are relative to the CSV's directory too.
  std::vector<std::string> resolve_options(std::vector<std::string> opts) const {
    for (std::size_t i = 0; i + 1 < opts.size(); ++i)
      if (opts[i] == "--mnist" || opts[i] == "--qnn" || opts[i] == "--property") opts[i + 1] = resolve(opts[i + 1]);
    return opts;
  }

  double timeout(const std::string& cell, std::size_t line) const {
    if (cell.empty()) return d_defaults.timeout;
    double t = 0;
    std::size_t used = 0;
    try {
      t = std::stod(cell, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != cell.size() || !(t > 0 && t <= kMaxTimeout))
      fail(line, "timeout '" + cell + "' is not a number of seconds from 0 (exclusive) to 1e7");
    return t;
  }

  BatchInstance instance(const std::vector<std::string>& columns, const std::vector<std::string>& cells,
                         std::size_t line) const {
    if (cells.size() > columns.size() || (d_headerless && cells.size() < 3))
      fail(line, "expected " + std::string(d_headerless ? "3 to 5 cells (MODEL,PROPERTY,TIMEOUT[,QUANT[,EPS]])"
                                                        : std::to_string(columns.size()) + " cells as the header says") +
                     ", found " + std::to_string(cells.size()));
    std::map<std::string, std::string> v;
    for (std::size_t i = 0; i < cells.size(); ++i) v[columns[i]] = cells[i];
    BatchInstance b;
    b.line = line;
    b.model = resolve(v["model"]);
    b.property = resolve(v["property"]);
    b.region = resolve_options(words(v["region"]));
    if (b.model.empty()) fail(line, "no model");
    if (b.property.empty() == b.region.empty())
      fail(line, b.property.empty() ? "no property and no region (e.g. --box LO:HI,.. or --center V,.. --radius R)"
                                    : "give a property or a region, not both");
    b.timeout = timeout(v["timeout"], line);
    try {
      b.quant = v["quant"].empty() ? d_defaults.quant : quant_options(v["quant"]);
    } catch (const OptionError& e) {
      fail(line, e.what());
    }
    if (b.quant.empty())
      fail(line, "no quantization: fill the quant column (PRESET:BITS or a --quant spec) or give --preset/--quant");
    b.eps = v["eps"].empty() ? d_defaults.eps : v["eps"];
    b.outputs_of = v["outputs_of"].empty() ? d_defaults.outputs_of : v["outputs_of"];
    b.args = resolve_options(words(v["args"]));
    b.args.insert(b.args.end(), d_defaults.args.begin(), d_defaults.args.end());
    b.name = v["instance"];
    if (b.name.empty())
      b.name = fs::path(v["model"]).filename().string() + ":" +
               (b.property.empty() ? v["region"] : fs::path(v["property"]).filename().string());
    return b;
  }

  std::string d_path;
  fs::path d_dir;
  BatchDefaults d_defaults;
  bool d_headerless = false;
};

}  // namespace

std::vector<std::string> quant_options(const std::string& cell) {
  if (cell.find('=') != std::string::npos) return {"--quant", cell};
  auto colon = cell.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == cell.size())
    throw OptionError("a quant cell is PRESET:BITS (e.g. qebverif-mnist:4) or a --quant spec (e.g. in=u8.8,w=s4.3), got '" +
                      cell + "'");
  return {"--preset", cell.substr(0, colon), "--bits", cell.substr(colon + 1)};
}

std::vector<BatchInstance> read_instances(const std::string& path, const BatchDefaults& defaults) {
  return Reader(path, defaults).read();
}

std::vector<std::string> verify_arguments(const BatchInstance& b, const std::string& json_path) {
  std::vector<std::string> a = {"verify", "--model", b.model};
  a.insert(a.end(), b.quant.begin(), b.quant.end());
  if (!b.property.empty()) {
    a.push_back("--property");
    a.push_back(b.property);
  }
  a.insert(a.end(), b.region.begin(), b.region.end());
  if (!b.eps.empty()) {
    a.push_back("--eps");
    a.push_back(b.eps);
  } else if (!b.outputs_of.empty()) {
    a.push_back("--outputs-of");
    a.push_back(b.outputs_of);
  }
  char timeout[32];
  std::snprintf(timeout, sizeof timeout, "%.10g", b.timeout);
  a.insert(a.end(), {"--timeout", timeout, "-q", "--json", json_path});
  a.insert(a.end(), b.args.begin(), b.args.end());
  return a;
}

}  // namespace qeb::cli
