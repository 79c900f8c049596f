// .nnet files as they are found: ReluDiff/NeuroDiff ACAS Xu files with extra normalisation values,
// zero output ranges that matter only when the normalisation is applied, and what stays an error.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "model/load_network.h"
#include "support/paths.h"
#include "support/scratch_dir.h"

namespace {

using qeb::test::fixture;

// A 2-2-1 network with the four normalisation lines given.
std::string write_nnet(const std::string& name, const std::string& min, const std::string& max,
                       const std::string& mean, const std::string& range) {
  std::string path = qeb::test::scratch_path("variant_" + name);
  std::ofstream(path) << "// test\n2,2,1,2,\n2,2,1,\n0,\n" << min << "\n" << max << "\n" << mean << "\n" << range
                      << "\n1.0,2.0,\n-1.0,0.5,\n0.25,\n0.0,\n3.0,-1.0,\n0.5,\n";
  return path;
}

std::string message_of(const std::string& path) {
  try {
    qeb::model::load_network(path);
  } catch (const qeb::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ReluDiff's ACAS Xu layout: 7 and 8 values for 5 inputs load, the first ones used, one note") {
  qeb::model::Network net = qeb::model::load_network(fixture("acas_reludiff.nnet"));
  CHECK(qeb::model::shape_string(net) == "5-50-50-50-50-50-50-5");
  REQUIRE(net.normalization.has_value());
  const qeb::model::Normalization& n = *net.normalization;
  CHECK(n.input_min == std::vector<double>{0.0, -3.141593, -3.141593, 100.0, 0.0});
  CHECK(n.input_max == std::vector<double>{60760.0, 3.141593, 3.141593, 1200.0, 1200.0});
  CHECK(n.input_mean == std::vector<double>{19791.091, 0.0, 0.0, 650.0, 600.0});
  CHECK(n.input_range == std::vector<double>{60261.0, 6.28318530718, 6.28318530718, 1100.0, 1200.0});
  CHECK(n.output_mean == 7.5188840201005975);
  CHECK(n.output_range == 373.94992);
  REQUIRE(net.notes.size() == 1);
  CHECK(net.notes[0].find("lines 6 (7 input minimums), 7 (7 input maximums), 8 (8 means), 9 (8 ranges)") == 0);
  CHECK(net.notes[0].find("the first 5") != std::string::npos);
  CHECK_NOTHROW(qeb::model::check_normalization(net));
}

TEST_CASE("a zero output range is an error only when the normalisation is applied") {
  qeb::model::Network net = qeb::model::load_network(fixture("acas_zero_output_range.nnet"));
  CHECK(net.notes.empty());
  REQUIRE(net.normalization.has_value());
  CHECK(net.normalization->output_range == 0);
  CHECK_THROWS_WITH_AS(qeb::model::check_normalization(net),
                       doctest::Contains("cannot apply the normalisation: the output range is zero"), qeb::InputError);
  CHECK_THROWS_AS(qeb::model::apply_normalization(net), qeb::InputError);
  // A zero input range likewise.
  std::string path = write_nnet("zero_in.nnet", "0,0,", "1,1,", "0,0,0,", "1,0,1,");
  qeb::model::Network zero_in = qeb::model::load_network(path);
  CHECK_THROWS_WITH_AS(qeb::model::check_normalization(zero_in), doctest::Contains("the range of input 1 is zero"),
                       qeb::InputError);
  std::filesystem::remove(path);
}

TEST_CASE("truly malformed normalisation lines are still errors naming file and line") {
  struct Case {
    const char *min, *max, *mean, *range, *phrase;
  };
  const Case cases[] = {
      {"0,", "1,1,", "0,0,0,", "1,1,1,", "line 5: expected 2 input minimums, found 1 value"},
      {"0,0,", "1,1,", "0,0,", "1,1,1,", "line 7: expected 3 means (inputs, then the output), found 2 values"},
      {"0,0,7,x,", "1,1,", "0,0,0,", "1,1,1,", "line 5: 'x' is not a number"},       // extra values are still numbers
      {"0,0,", "1,1,", "0,0,0,nan,", "1,1,1,", "line 7: 'nan' is not a finite number"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.phrase);
    std::string path = write_nnet("bad.nnet", c.min, c.max, c.mean, c.range);
    std::string message = message_of(path);
    CHECK(message.find(path) == 0);
    CHECK(message.find(c.phrase) != std::string::npos);
    std::filesystem::remove(path);
  }
}
