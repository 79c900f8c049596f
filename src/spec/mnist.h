// The MNIST test set in idx format (optionally gzipped), for sample-centred regions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qeb::spec {

struct MnistSet {
  std::size_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  ///< count x rows x cols
  std::vector<uint8_t> labels;  ///< count

  /** Pixels of sample `index` as integers 0..255; throws OptionError if out of range. */
  std::vector<int64_t> image(std::size_t index) const;
  int label(std::size_t index) const;
};

/**
 * Loads t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] from `directory`.
 * Throws InputError naming the file for missing, truncated or malformed files.
 */
MnistSet load_mnist_test(const std::string& directory);

}  // namespace qeb::spec
