#include "support/csv_reader.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/csv.h"

namespace qeb::test {

CsvRows read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  CsvRows rows;
  for (CsvRecord& r : parse_csv(buffer.str(), path)) rows.push_back(std::move(r.fields));
  return rows;
}

std::vector<PublishedInterval> published_dra_intervals(const CsvRows& rows, const std::string& block, int bits) {
  const std::string bit_label = "Q bit: " + std::to_string(bits);
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() < 3 || r[1] != block || r[2] != bit_label) continue;
    const auto& ids = rows[i + 1];  // " ,Sample ID, ,3236, , ,5656, ..."
    for (std::size_t j = i + 2; j < rows.size(); ++j) {
      const auto& d = rows[j];
      if (d.size() < 3 || d[0].rfind("Error=", 0) != 0 || d[1] != "DRA" || d[2] == "NA") continue;
      std::vector<PublishedInterval> out;
      for (std::size_t s = 0; 2 + 3 * s < d.size() && 3 + 3 * s < ids.size(); ++s) {
        PublishedInterval p;
        if (std::sscanf(d[2 + 3 * s].c_str(), " [%lf, %lf]", &p.lo, &p.hi) != 2) continue;
        p.sample = std::stoi(ids[3 + 3 * s]);
        out.push_back(p);
      }
      return out;
    }
  }
  return {};
}

}  // namespace qeb::test
