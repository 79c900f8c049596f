// Each encoding, with its input pinned to one point, must give exactly the evaluators' outputs.
#include <doctest/doctest.h>

#include "dra/diff_analysis.h"
#include "encodings/encoding.h"
#include "eval/difference.h"
#include "smt/backend.h"
#include "support/random_network.h"

using namespace qeb;

namespace {

// Pins the input of every encoding x backend (pruned or not) to a random point of the box and
// checks the outputs; returns the number of runs.
int check_pinned(const test::RandomCase& c, std::mt19937_64& rng, int trial) {
  int checked = 0;
  {
    dra::DraResult dra = dra::run_dra(c.pair, c.box);
    std::vector<int64_t> x(c.box.dimension());
    for (std::size_t k = 0; k < x.size(); ++k) x[k] = std::uniform_int_distribution<int64_t>(c.box.lo[k], c.box.hi[k])(rng);
    eval::PairOutput exact = eval::evaluate_pair(c.pair, x);
    for (auto& [name, description] : encodings::encoding_catalogue())
      for (bool prune : {true, false})
        for (const std::string& backend_name : smt::available_backends()) {
          if (name == "bv-lra-nat" && backend_name == "cvc5") continue;  // bv2nat: see verify::incompatibility
          CAPTURE(trial);
          CAPTURE(name);
          CAPTURE(backend_name);
          smt::TermManager terms;
          encodings::NetworkEncoding enc = encodings::make_encoding(name)->encode(terms, {c.pair, c.box, dra, prune});
          auto backend = smt::make_backend(backend_name, terms, {});
          for (smt::Term a : enc.assertions) backend->assert_formula(a);
          for (std::size_t k = 0; k < x.size(); ++k) {
            if (!enc.input_vars[k]) {
              CHECK(enc.input_offset[k] == x[k]);
              continue;
            }
            smt::Term v = *enc.input_vars[k];
            int64_t d = x[k] - enc.input_offset[k];
            smt::Term value = terms.sort(v).kind == smt::SortKind::BITVEC ? terms.bv_const(d, terms.sort(v).width)
                                                                           : terms.int_const(d);
            backend->assert_formula(terms.eq(v, value));
          }
          REQUIRE(backend->check() == smt::SatResult::SAT);
          // Real-typed outputs, or (bv) exact scaled bit-vectors: signed value / denominator.
          auto value_of = [&](const std::vector<smt::Term>& reals, const std::vector<encodings::ScaledBv>& bvs,
                              std::size_t j) -> Rational {
            if (!enc.scaled_bitvectors) return backend->value(reals[j]);
            const encodings::ScaledBv& v = bvs[j];
            BigInt bits = boost::multiprecision::numerator(backend->value(v.bits));
            uint32_t w = terms.sort(v.bits).width;
            if (v.is_signed && bit_test(bits, w - 1)) bits -= BigInt(1) << w;
            return Rational(bits) / Rational(v.denominator);
          };
          REQUIRE((enc.scaled_bitvectors ? enc.qnn_output_bv.size() : enc.qnn_output.size()) == exact.qnn.size());
          REQUIRE((enc.scaled_bitvectors ? enc.dnn_output_bv.size() : enc.dnn_output.size()) == exact.dnn.size());
          for (std::size_t j = 0; j < exact.diff.size(); ++j) {
            CHECK(value_of(enc.qnn_output, enc.qnn_output_bv, j) == exact.qnn[j]);
            CHECK(value_of(enc.dnn_output, enc.dnn_output_bv, j) == exact.dnn[j]);
          }
          ++checked;
        }
  }
  return checked;
}

}  // namespace

TEST_CASE("pinned encodings reproduce the exact QNN and DNN outputs") {
  std::mt19937_64 rng(17);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) checked += check_pinned(test::random_small_case(rng, 40), rng, trial);
  CHECK(checked == 40 * 2 * (4 * int(smt::available_backends().size()) - 1));
}

TEST_CASE("pinned encodings reproduce the exact outputs of affine QNNs (half to even, zero points, quantized outputs)") {
  std::mt19937_64 rng(1517);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) checked += check_pinned(test::random_small_affine_case(rng, 40), rng, trial);
  CHECK(checked == 40 * 2 * (4 * int(smt::available_backends().size()) - 1));
}
