// PseudoCosts: a split's mean child gains stand in for its strong-branching LPs only once both of
// its children have been measured often enough; splits are told apart by neuron, kind and (for a
// clamp kink) which kink, while a rounding split's moving integer pools per neuron.
#include <doctest/doctest.h>

#include <cmath>

#include "bab/pseudo_costs.h"

using qeb::bab::Branching;
using qeb::bab::PseudoCosts;
using qeb::bounds::Restriction;
using qeb::bounds::Target;

namespace {

Branching split(Target target, std::size_t layer, std::size_t neuron, const char* kind, double at) {
  return Branching{{Restriction{target, layer, neuron, -INFINITY, at}, Restriction{target, layer, neuron, at + 1, INFINITY}}, 1.0, kind};
}

}  // namespace

TEST_CASE("no estimate until both children are measured `reliable` times; then their means") {
  PseudoCosts pc;
  const PseudoCosts::Key k = PseudoCosts::key_of(split(Target::DNN_PRE, 0, 3, "dnn", 0));
  CHECK_FALSE(pc.estimate(k, 2));
  pc.record(k, 0, 1.0);
  pc.record(k, 0, 3.0);
  CHECK_FALSE(pc.estimate(k, 2));  // the other child not yet
  pc.record(k, 1, 0.5);
  CHECK_FALSE(pc.estimate(k, 2));
  CHECK(pc.estimate(k, 1));        // a lower bar is met
  pc.record(k, 1, -4.0);           // a loss counts as no gain
  auto e = pc.estimate(k, 2);
  REQUIRE(e);
  CHECK((*e)[0] == doctest::Approx(2.0));
  CHECK((*e)[1] == doctest::Approx(0.25));
  CHECK_FALSE(pc.estimate(k, 0));  // 0: reliability branching off
  CHECK_FALSE(pc.estimate(k, 3));
}

TEST_CASE("splits are keyed by neuron, network, kind and kink; rounding splits pool per neuron") {
  PseudoCosts pc;
  auto key = [](Target t, std::size_t layer, std::size_t neuron, const char* kind, double at) {
    return PseudoCosts::key_of(split(t, layer, neuron, kind, at));
  };
  const auto measured = key(Target::QNN_PRE, 1, 7, "qnn-integer", 12);
  pc.record(measured, 0, 1.0);
  pc.record(measured, 1, 2.0);
  CHECK(pc.estimate(key(Target::QNN_PRE, 1, 7, "qnn-integer", 30), 1));  // another integer, same neuron
  CHECK_FALSE(pc.estimate(key(Target::QNN_PRE, 1, 8, "qnn-integer", 12), 1));
  CHECK_FALSE(pc.estimate(key(Target::QNN_PRE, 0, 7, "qnn-integer", 12), 1));
  CHECK_FALSE(pc.estimate(key(Target::DNN_PRE, 1, 7, "dnn", 12), 1));
  CHECK_FALSE(pc.estimate(key(Target::QNN_PRE, 1, 7, "qnn-kink", 12), 1));
  const auto low_kink = key(Target::QNN_PRE, 1, 7, "qnn-kink", 0);
  pc.record(low_kink, 0, 1.0);
  pc.record(low_kink, 1, 1.0);
  CHECK(pc.estimate(low_kink, 1));
  CHECK_FALSE(pc.estimate(key(Target::QNN_PRE, 1, 7, "qnn-kink", 126), 1));  // the clamp's other kink
}
