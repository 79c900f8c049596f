// Chooses a loader by extension (then by content), and turns every failure into a qeb::Error naming the file.
#include "model/load_network.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>

#include "core/error.h"
#include "core/input_file.h"
#include "model/guarded_load.h"

namespace qeb::model {
namespace {

constexpr char kHdf5Magic[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
constexpr const char* kFormats = "supported formats: .h5/.hdf5 (Keras), .onnx (ONNX), .nnet (NNet text)";

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

/** Checks the file can be read; returns its first bytes (up to 8) for sniffing. */
std::string probe(const std::string& path) {
  std::ifstream in = open_input_file(path, "network file");
  char head[8] = {};
  in.read(head, sizeof head);
  std::string bytes(head, static_cast<std::size_t>(in.gcount()));
  if (bytes.empty()) throw InputError(path, "the file is empty");
  return bytes;
}

Network load_by_format(const std::string& path) {
  std::string head = probe(path);
  std::string ext = lower_extension(path);
  if (ext == ".h5" || ext == ".hdf5") return load_keras_h5(path);
  if (ext == ".onnx") return load_onnx(path);
  if (ext == ".nnet") return load_nnet(path);
  if (head == std::string(kHdf5Magic, sizeof kHdf5Magic)) return load_keras_h5(path);
  try {
    return load_nnet(path);
  } catch (const InputError& e) {
    // Keep the .nnet reason: a real .nnet file under another name should still say what is wrong.
    std::string what = ext.empty() ? "no file extension" : "unknown file extension '" + ext + "'";
    std::string reason = e.what();
    if (reason.starts_with(path + ": ")) reason.erase(0, path.size() + 2);
    throw InputError(path, what + ", and the content is neither HDF5 nor .nnet text (read as .nnet: " + reason +
                               "); " + kFormats);
  }
}

}  // namespace

Network load_network(const std::string& path) {
  Network net = guarded_load(path, "network", [&] { return load_by_format(path); });
  net.source = path;
  validate(net);
  return net;
}

}  // namespace qeb::model
