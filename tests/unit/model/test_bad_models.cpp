// Malformed and unsupported model files: the right error type, a message naming the file and the
// problem, and nothing printed by HDF5 or protobuf.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/load_network.h"
#include "support/paths.h"

namespace {

using qeb::test::fixture;

enum class Kind { Input, Unsupported };

struct BadCase {
  const char* file;  ///< relative to the fixture directory
  Kind kind;
  std::vector<const char*> phrases;  ///< each must appear in the message
};

/** The message of the error `load` throws, after checking its type; empty if it threw nothing. */
template <class Load>
std::string error_message(Load load, Kind kind) {
  try {
    load();
  } catch (const qeb::InputError& e) {
    CHECK_MESSAGE(kind == Kind::Input, "expected UnsupportedError, got InputError: " << std::string(e.what()));
    return e.what();
  } catch (const qeb::UnsupportedError& e) {
    CHECK_MESSAGE(kind == Kind::Unsupported, "expected InputError, got UnsupportedError: " << std::string(e.what()));
    return e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("not a qeb::InputError or qeb::UnsupportedError: " << std::string(e.what()));
    return e.what();
  }
  FAIL_CHECK("no error thrown");
  return "";
}

void check_bad(const BadCase& c) {
  std::string path = fixture(c.file);
  CAPTURE(path);
  std::string message = error_message([&] { qeb::model::load_network(path); }, c.kind);
  CAPTURE(message);
  CHECK(message.rfind(path + ": ", 0) == 0);  // the file comes first
  for (const std::string phrase : c.phrases) {
    CAPTURE(phrase);
    CHECK(message.find(phrase) != std::string::npos);
  }
}

/** Captures what is written to file descriptor 2 while `run` executes. */
template <class Run>
std::string captured_stderr(Run run) {
  std::fflush(stderr);
  FILE* sink = std::tmpfile();
  REQUIRE(sink != nullptr);
  int saved = dup(2);
  dup2(fileno(sink), 2);
  run();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string text;
  std::rewind(sink);
  for (int ch; (ch = std::fgetc(sink)) != EOF;) text += static_cast<char>(ch);
  std::fclose(sink);
  return text;
}

}  // namespace

TEST_CASE("malformed Keras h5 files") {
  const BadCase cases[] = {
      {"bad/truncated.h5", Kind::Input, {"cannot open the HDF5 file", "truncated file: eof = "}},
      {"bad/empty.h5", Kind::Input, {"the file is empty"}},
      {"bad/shape_mismatch.h5", Kind::Input, {"dense layer 2 of 3", "takes 8 inputs but the previous layer has 7 outputs"}},
      {"bad/inf_weight.h5", Kind::Input, {"dense layer 2 of 3", "non-finite weight", "row 4, column 3"}},
      {"bad/missing_weight.h5", Kind::Input, {"'Dense_1/bias:0'", "no such dataset"}},
      {"bad/no_layer_names.h5", Kind::Input, {"no 'layer_names' attribute"}},
      {"bad/sigmoid.h5", Kind::Unsupported, {"hidden layer 'Dense_1'", "'sigmoid'"}},
      {"bad/relu_output.h5", Kind::Unsupported, {"output layer 'dense'", "'relu'"}},
      {"bad/conv.h5", Kind::Unsupported, {"layer 'conv2d'", "rank 4"}},
  };
  for (const BadCase& c : cases) check_bad(c);
}

TEST_CASE("malformed and unsupported ONNX files") {
  const BadCase cases[] = {
      {"bad/truncated.onnx", Kind::Input, {"protobuf parse failed"}},
      {"bad/corrupt.onnx", Kind::Input, {"protobuf parse failed"}},
      {"bad/empty.onnx", Kind::Input, {"the file is empty"}},
      {"bad/sigmoid.onnx", Kind::Unsupported, {"Sigmoid node '/act0/Sigmoid'", "operator Sigmoid is not supported"}},
      {"bad/conv.onnx", Kind::Unsupported, {"Conv node '/conv/Conv'"}},
      {"bad/nan_weight.onnx", Kind::Input, {"dense layer 3 of 3", "non-finite weight", "row 2, column 1"}},
      {"bad/output_not_final.onnx", Kind::Input, {"graph output 'gemm1' is not the final tensor 'gemm2'"}},
      {"bad/branch.onnx", Kind::Input, {"Add node '/residual/Add'", "reads the activation 'gemm2' twice", "branching"}},
      {"bad/skip.onnx", Kind::Input, {"Gemm node '/fc2/Gemm'", "reads tensor 'gemm1', which is not the current activation 'act1'"}},
      {"bad/relu_first.onnx", Kind::Unsupported, {"Relu node '/input/Relu'", "does not directly follow a dense layer"}},
      {"bad/trans_a.onnx", Kind::Unsupported, {"Gemm node '/fc0/Gemm'", "transA"}},
      {"bad/shape_mismatch.onnx", Kind::Input, {"Gemm node '/fc1/Gemm'", "takes 8 inputs, but the previous layer has 7"}},
      {"bad/int_weights.onnx", Kind::Unsupported, {"'fc0.weight' is an integer tensor"}},
  };
  for (const BadCase& c : cases) check_bad(c);
}

TEST_CASE("malformed .nnet files") {
  const BadCase cases[] = {
      {"bad/truncated.nnet", Kind::Input, {"truncated file", "bias 5 of layer 1", "line 21"}},
      {"bad/nan.nnet", Kind::Input, {"line 13: 'nan' is not a finite number"}},
      {"bad/not_a_number.nnet", Kind::Input, {"line 15: '0.25abc' is not a number"}},
      {"bad/layer_count.nnet", Kind::Input, {"line 4: expected 4 layer sizes", "found 3 values"}},
      {"bad/huge.nnet", Kind::Input, {"line 3: maxLayerSize is 100000000", "from 1 to 10000000"}},
      {"bad/oversized.nnet", Kind::Input, {"weights and biases, but the file has only", "wrong layer sizes"}},
      {"bad/extra.nnet", Kind::Input, {"unexpected content after the last bias"}},
      {"bad/empty.nnet", Kind::Input, {"the file is empty"}},
  };
  for (const BadCase& c : cases) check_bad(c);
}

TEST_CASE("files that are not networks at all") {
  const BadCase cases[] = {
      {"bad/junk.xyz", Kind::Input, {"unknown file extension '.xyz'", "(read as .nnet: line 1:", "supported formats", ".onnx", ".nnet"}},
      {"bad/does_not_exist.onnx", Kind::Input, {"no such file"}},
      {"bad", Kind::Input, {"is a directory"}},
  };
  for (const BadCase& c : cases) check_bad(c);
}

TEST_CASE("format loaders called directly name the problem of an empty file") {
  std::string h5 = fixture("bad/empty.h5"), onnx = fixture("bad/empty.onnx"), nnet = fixture("bad/empty.nnet");
  CHECK(error_message([&] { qeb::model::load_keras_h5(h5); }, Kind::Input).find("not an HDF5 file") != std::string::npos);
  CHECK(error_message([&] { qeb::model::load_onnx(onnx); }, Kind::Input).find("contains no ONNX graph") != std::string::npos);
  CHECK(error_message([&] { qeb::model::load_nnet(nnet); }, Kind::Input).find("truncated file") != std::string::npos);
  // An ONNX file read as Keras, and a Keras file read as ONNX, fail cleanly too.
  std::string good_onnx = fixture("small_gemm.onnx"), good_h5 = fixture("small_weights.h5");
  CHECK(error_message([&] { qeb::model::load_keras_h5(good_onnx); }, Kind::Input).find(good_onnx) == 0);
  CHECK(error_message([&] { qeb::model::load_onnx(good_h5); }, Kind::Input).find(good_h5) == 0);
}

TEST_CASE("HDF5 and protobuf print nothing on stderr, even for broken files") {
  std::string printed = captured_stderr([] {
    for (const char* name : {"bad/truncated.h5", "bad/missing_weight.h5", "bad/no_layer_names.h5",
                             "bad/truncated.onnx", "bad/corrupt.onnx", "small_weights.h5", "small_full.h5"}) {
      try {
        qeb::model::load_network(fixture(name));
      } catch (const qeb::Error&) {
      }
    }
    // The format loaders on the wrong kind of file, bypassing load_network's checks.
    for (const char* name : {"bad/empty.h5", "bad/junk.xyz", "small_gemm.onnx", "bad/does_not_exist.h5"}) {
      try {
        qeb::model::load_keras_h5(fixture(name));
      } catch (const qeb::Error&) {
      }
    }
    try {
      qeb::model::load_onnx(fixture("small_weights.h5"));
    } catch (const qeb::Error&) {
    }
  });
  CHECK(printed == "");
}
