// The files the tests read: fixtures written at build time (tests/fixtures/make_fixtures.py), the
// shared data (QEBVerif networks, MNIST) and the technical report's example in examples/.
// Every unit test gets these directories from qeb_add_unit_test (tests/CMakeLists.txt).
#pragma once

#include <string>

namespace qeb::test {

inline const std::string kFixtures = QEB_FIXTURE_DIR;
inline const std::string kMnist = std::string(QEB_SHARED_DATA) + "/mnist";
/** QEBVerif's 784-100-10 MNIST network (the RQ_2 network of spec section 5). */
inline const std::string kNet = std::string(QEB_SHARED_DATA) + "/qebverif/mnist/PTQ_mnist_1blk_100_in_8_relu_0.h5";
/** The technical report's example network, its quantization, and both as CLI options. */
inline const std::string kTr = std::string(QEB_SOURCE_DIR) + "/examples/tr-example/tr_example.nnet";
inline const std::string kTrQuant = "in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15";
inline const std::string kTrq = "--model " + kTr + " --quant " + kTrQuant + " ";

/** A fixture file by name. */
inline std::string fixture(const std::string& name) { return kFixtures + "/" + name; }

}  // namespace qeb::test
