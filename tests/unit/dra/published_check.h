// Shared by the published-number tests: load a QEBVerif network and compare with RQ_2.csv.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dra/diff_analysis.h"
#include "eval/eval_qnn.h"
#include "model/load_network.h"
#include "quant/quantize.h"
#include "spec/mnist.h"
#include "support/csv_reader.h"

inline void check_published_block(const std::string& block, const std::string& net, int bits,
                                  const std::vector<int>& samples) {
  using namespace qeb;
  static const test::CsvRows rows = test::read_csv(QEB_SHARED_DATA "/qebverif/results/RQ_2.csv");
  static const spec::MnistSet mnist = spec::load_mnist_test(QEB_SHARED_DATA "/mnist");
  std::vector<test::PublishedInterval> published = test::published_dra_intervals(rows, block, bits);
  REQUIRE(!published.empty());
  model::Network dnn =
      model::load_network(std::string(QEB_SHARED_DATA) + "/qebverif/mnist/PTQ_mnist_" + net + "_in_8_relu_0.h5");
  quant::ModelPair pair = quant::make_pair(dnn, quant::preset_config("qebverif-mnist", bits));
  int compared = 0;
  for (const test::PublishedInterval& p : published) {
    if (std::find(samples.begin(), samples.end(), p.sample) == samples.end()) continue;
    std::vector<int64_t> image = mnist.image(std::size_t(p.sample));
    spec::Box box = spec::box_around(image, 3, pair.qnn.input_format);
    // The artifact checks the class the QNN predicts for the sample.
    eval::QnnOutput q = eval::eval_qnn(pair.qnn, image);
    std::size_t predicted = 0;
    for (std::size_t j = 1; j < q.acc.size(); ++j)
      if (q.acc[j] > q.acc[predicted]) predicted = j;
    dra::DraResult r = dra::run_dra(pair, box, {dra::DraMode::SYM, dra::Semantics::PUBLISHED, true});
    CAPTURE(p.sample);
    CHECK(r.output_delta()[predicted].lo == doctest::Approx(p.lo).epsilon(1e-4));
    CHECK(r.output_delta()[predicted].hi == doctest::Approx(p.hi).epsilon(1e-4));
    ++compared;
  }
  CHECK(compared == int(samples.size()));
}
