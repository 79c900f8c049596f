#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "spec/mnist.h"
#include "support/scratch_dir.h"

using namespace qeb;
using namespace qeb::spec;

TEST_CASE("the MNIST test set loads from the shared data") {
  MnistSet set = load_mnist_test(QEB_SHARED_DATA "/mnist");
  CHECK(set.count == 10000);
  CHECK(set.rows == 28);
  CHECK(set.cols == 28);
  CHECK(set.label(0) == 7);  // the first test image is a 7
  CHECK(set.label(9999) >= 0);
  std::vector<int64_t> image = set.image(3236);
  CHECK(image.size() == 784);
  int64_t total = 0;
  for (int64_t p : image) total += p;
  CHECK(total > 0);
  CHECK_THROWS_WITH_AS(set.image(10000), doctest::Contains("out of range"), OptionError);
}

TEST_CASE("missing or malformed MNIST files are reported with the file name") {
  auto dir = qeb::test::scratch_dir() / "mnist";
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH_AS(load_mnist_test((dir / "nowhere").string()), doctest::Contains("t10k-images"), InputError);
  for (const char* name : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    std::FILE* f = std::fopen((dir / name).string().c_str(), "wb");
    std::fputs("garbage!", f);
    std::fclose(f);
  }
  CHECK_THROWS_WITH_AS(load_mnist_test(dir.string()), doctest::Contains("bad magic"), InputError);
  // A valid label file, and an image header announcing more images than the file holds.
  std::FILE* labels = std::fopen((dir / "t10k-labels-idx1-ubyte").string().c_str(), "wb");
  unsigned char label_header[13] = {0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3, 4, 5};
  std::fwrite(label_header, 1, 13, labels);
  std::fclose(labels);
  std::FILE* f = std::fopen((dir / "t10k-images-idx3-ubyte").string().c_str(), "wb");
  unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 28, 0, 0, 0, 28};
  std::fwrite(header, 1, 16, f);
  std::fclose(f);
  CHECK_THROWS_WITH_AS(load_mnist_test(dir.string()), doctest::Contains("truncated"), InputError);
}
