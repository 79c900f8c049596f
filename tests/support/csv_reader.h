// A small RFC 4180 CSV reader (quoted fields may hold commas and newlines), for the published results.
#pragma once

#include <string>
#include <vector>

namespace qeb::test {

using CsvRows = std::vector<std::vector<std::string>>;

/** Reads the whole file; throws std::runtime_error if it cannot be opened. */
CsvRows read_csv(const std::string& path);

/**
 * The DRA intervals of RQ_2.csv for one block ("P1: 784_100_10", Q bits) and the first
 * "Error=E,DRA" row with data: pairs (sample id, [lo, hi]); samples with "NA" are left out.
 */
struct PublishedInterval {
  int sample = 0;
  double lo = 0, hi = 0;
};
std::vector<PublishedInterval> published_dra_intervals(const CsvRows& rows, const std::string& block, int bits);

}  // namespace qeb::test
