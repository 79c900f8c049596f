// Loads a .nnet, quantizes it and verifies it through the installed library: the technical
// report's network over the box 6:12,3:9 is falsified at eps 0.15 and verified at eps 0.153.
#include <cstdio>

#include "model/load_network.h"
#include "quant/quant_config.h"
#include "quant/quantize.h"
#include "verify/verifier.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer tr_example.nnet\n");
    return 2;
  }
  qeb::quant::ModelPair pair = qeb::quant::make_pair(
      qeb::model::load_network(argv[1]), qeb::quant::parse_quant_config("in=u4.4,w=s4.2,b=s4.2,h=u4.2,scale=15", {}));
  qeb::spec::Box box{{6, 3}, {12, 9}};
  int wrong = 0;
  for (const char* eps : {"0.15", "0.153"}) {
    qeb::verify::VerifyOptions options;
    options.eps = qeb::parse_rational(eps);
    qeb::verify::VerifyResult r = qeb::verify::verify(pair, box, options);
    std::printf("eps %s: %s\n", eps, qeb::verify::to_string(r.verdict));
    wrong += r.verdict != (eps[4] == '\0' ? qeb::verify::Verdict::FALSIFIED : qeb::verify::Verdict::VERIFIED);
  }
  return wrong;
}
