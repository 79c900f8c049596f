// The technical report's running example (spec section 6, Fig. 1), shared by the tests:
//
//   x1 --1.2----> h1 --0.3--+
//   x1 --(-0.7)-> h2        +--> y      no biases; QNN: W2 = [[5,-1],[-3,3]], W3 = [1,3]
//   x2 --(-0.2)-> h1        |           with in=u4.4, w=s4.2, b=s4.2, h=u4.2, D=15
//   x2 --0.8----> h2 --0.7--+           region: (9,6) +- 3
#pragma once

#include "quant/quantize.h"

namespace qeb::test {

inline model::Network tr_network() {
  model::Network n;
  n.source = "tr-example";
  n.layers.push_back({2, 2, {1.2, -0.2, -0.7, 0.8}, {0, 0}, true});
  n.layers.push_back({2, 1, {0.3, 0.7}, {0}, false});
  return n;
}

inline quant::ModelPair tr_pair() {
  return quant::make_pair(tr_network(), quant::parse_quant_config("in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15"));
}

}  // namespace qeb::test
