#include "spec/mnist.h"

#include <zlib.h>

#include <filesystem>

#include "core/error.h"

namespace qeb::spec {

std::vector<int64_t> MnistSet::image(std::size_t index) const {
  if (index >= count)
    throw OptionError("--sample " + std::to_string(index) + " is out of range: the MNIST set has " +
                      std::to_string(count) + " samples (0.." + std::to_string(count - 1) + ")");
  std::size_t size = rows * cols;
  return std::vector<int64_t>(pixels.begin() + index * size, pixels.begin() + (index + 1) * size);
}

int MnistSet::label(std::size_t index) const {
  if (index >= count) throw OptionError("sample " + std::to_string(index) + " is out of range");
  return labels[index];
}

namespace {

// Reads a whole (possibly gzipped: zlib reads plain files too) file.
std::vector<uint8_t> read_file(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw InputError(path, "cannot open the file");
  std::vector<uint8_t> data;
  uint8_t buffer[1 << 16];
  int n;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) data.insert(data.end(), buffer, buffer + n);
  int error = 0;
  const char* message = gzerror(file, &error);
  std::string problem = n < 0 ? std::string("corrupt or truncated compressed data: ") + message : "";
  gzclose(file);
  if (!problem.empty()) throw InputError(path, problem);
  return data;
}

uint32_t big_endian(const std::vector<uint8_t>& d, std::size_t at) {
  return uint32_t(d[at]) << 24 | uint32_t(d[at + 1]) << 16 | uint32_t(d[at + 2]) << 8 | d[at + 3];
}

std::string find(const std::string& directory, const std::string& stem) {
  for (const char* suffix : {".gz", ""}) {
    std::string path = directory + "/" + stem + suffix;
    if (std::filesystem::exists(path)) return path;
  }
  throw InputError(directory, "no " + stem + "[.gz] in this directory (expected the MNIST test set in idx format)");
}

}  // namespace

MnistSet load_mnist_test(const std::string& directory) {
  std::string image_path = find(directory, "t10k-images-idx3-ubyte");
  std::string label_path = find(directory, "t10k-labels-idx1-ubyte");
  std::vector<uint8_t> images = read_file(image_path), labels = read_file(label_path);
  if (images.size() < 16 || big_endian(images, 0) != 0x803)
    throw InputError(image_path, "not an idx3 image file (bad magic number)");
  if (labels.size() < 8 || big_endian(labels, 0) != 0x801)
    throw InputError(label_path, "not an idx1 label file (bad magic number)");
  MnistSet set;
  set.count = big_endian(images, 4);
  set.rows = big_endian(images, 8);
  set.cols = big_endian(images, 12);
  if (set.rows == 0 || set.cols == 0 || set.rows * set.cols > (1u << 20))
    throw InputError(image_path, "implausible image size " + std::to_string(set.rows) + "x" + std::to_string(set.cols));
  if (images.size() != 16 + set.count * set.rows * set.cols)
    throw InputError(image_path, "truncated: header announces " + std::to_string(set.count) + " images");
  if (big_endian(labels, 4) != set.count || labels.size() != 8 + set.count)
    throw InputError(label_path, "label count does not match the " + std::to_string(set.count) + " images");
  set.pixels.assign(images.begin() + 16, images.end());
  set.labels.assign(labels.begin() + 8, labels.end());
  return set;
}

}  // namespace qeb::spec
