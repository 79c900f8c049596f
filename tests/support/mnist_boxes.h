// The QEBVerif MNIST networks and small enumerable boxes around MNIST images, for tests.
#pragma once

#include <string>

#include "model/load_network.h"
#include "quant/quantize.h"
#include "spec/mnist.h"

namespace qeb::test {

/** PTQ_mnist_<net>_in_8_relu_0.h5 quantized with the qebverif-mnist preset at `bits`. */
inline quant::ModelPair qebverif_pair(const std::string& net, int bits) {
  model::Network dnn =
      model::load_network(std::string(QEB_SHARED_DATA) + "/qebverif/mnist/PTQ_mnist_" + net + "_in_8_relu_0.h5");
  return quant::make_pair(dnn, quant::preset_config("qebverif-mnist", bits));
}

/**
 * The box fixing every pixel of MNIST test image `sample` except the first `count` pixels with a
 * value strictly between `above` and `below`, which get +-radius: a few points, enumerable exactly.
 */
inline spec::Box few_free_pixels(std::size_t sample, std::size_t count, int64_t above, int64_t below, int64_t radius) {
  static const spec::MnistSet mnist = spec::load_mnist_test(QEB_SHARED_DATA "/mnist");
  std::vector<int64_t> image = mnist.image(sample);
  spec::Box box{image, image};
  std::size_t freed = 0;
  for (std::size_t k = 0; k < image.size() && freed < count; ++k)
    if (image[k] > above && image[k] < below) {
      box.lo[k] = image[k] - radius;
      box.hi[k] = image[k] + radius;
      ++freed;
    }
  return box;
}

}  // namespace qeb::test
