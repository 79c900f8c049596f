// Keras HDF5 weights -> Network. Uses the HDF5 C API: the C++ API prints its own diagnostics and
// throws its own types, and we want one clear message per malformed file and nothing on stderr.
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/fork_guard.h"
#include "model/load_network.h"

namespace qeb::model {
namespace {

/** Owns one HDF5 identifier and closes it with the matching H5*close. */
class H5Handle {
 public:
  H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~H5Handle() {
    if (id_ >= 0) close_(id_);
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  H5Handle(H5Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}

  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/** Turns off HDF5's automatic error printing while loading, then restores whatever was set. */
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/** The most specific message on HDF5's error stack (e.g. "truncated file: eof = ..."), then clears it. */
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,  // upward starts at the innermost (most specific) error
      [](unsigned n, const H5E_error2_t* err, void* out) -> herr_t {
        if (n == 0 && err->desc) *static_cast<std::string*>(out) = err->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? std::string("no detail from HDF5") : reason;
}

/** A dataset read as doubles (float32 and float16 widen exactly). */
struct Array {
  std::vector<hsize_t> dims;
  std::vector<double> values;
};

/** What model_config says about one layer. */
struct LayerConfig {
  std::string class_name;
  std::string activation;  ///< empty when the layer has none
  nlohmann::json config;
};

/** A weighted layer on its way into the network, with the activation that follows it. */
struct PendingDense {
  std::string name;
  DenseLayer layer;
  std::string activation;  ///< from model_config, possibly set by a later Activation layer; empty if unknown
};

class KerasReader {
 public:
  explicit KerasReader(std::string path) : file_(std::move(path)) {}

  Network load() {
    if (H5Fis_hdf5(file_.c_str()) <= 0)
      throw InputError(file_, "not an HDF5 file (no HDF5 signature at the start of the file)");
    H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#if H5_VERSION_GE(1, 10, 7)
    // Reading needs no lock, and locking fails on some read-only or network file systems.
    if (fapl.ok()) H5Pset_file_locking(fapl.get(), false, true);
#endif
    H5Handle h5(H5Fopen(file_.c_str(), H5F_ACC_RDONLY, fapl.ok() ? fapl.get() : H5P_DEFAULT), H5Fclose);
    if (!h5.ok()) throw InputError(file_, "cannot open the HDF5 file (truncated or corrupt?): " + hdf5_reason());

    // Full-model files (model.save) keep the weights under model_weights; weights-only files at the root.
    bool full_model = H5Lexists(h5.get(), "model_weights", H5P_DEFAULT) > 0;
    H5Handle root(H5Gopen2(h5.get(), full_model ? "model_weights" : "/", H5P_DEFAULT), H5Gclose);
    if (!root.ok()) throw InputError(file_, "cannot open the weights group: " + hdf5_reason());

    read_model_config(h5.get());
    if (H5Aexists(root.get(), "layer_names") <= 0)
      throw InputError(file_, "no 'layer_names' attribute: not a Keras 2 HDF5 weights file");
    std::vector<std::string> layer_names = read_strings(root.get(), "layer_names", "the weights group");

    std::vector<PendingDense> dense;
    for (const std::string& name : layer_names) read_layer(root.get(), name, dense);
    return finish(std::move(dense));
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw InputError(file_, problem); }

  /** Reads a string or list-of-strings attribute (fixed- or variable-length); an empty non-string array gives {}. */
  std::vector<std::string> read_strings(hid_t obj, const char* attr_name, const std::string& where) {
    std::string what = "attribute '" + std::string(attr_name) + "' of " + where;
    H5Handle attr(H5Aopen(obj, attr_name, H5P_DEFAULT), H5Aclose);
    if (!attr.ok()) fail("cannot open " + what + ": " + hdf5_reason());
    H5Handle type(H5Aget_type(attr.get()), H5Tclose);
    H5Handle space(H5Aget_space(attr.get()), H5Sclose);
    if (!type.ok() || !space.ok()) fail("cannot read " + what + ": " + hdf5_reason());
    hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (count < 0) fail("cannot read " + what + ": " + hdf5_reason());
    // Keras writes a layer without weights as an empty float64 array, not as an empty string list.
    if (count == 0) return {};
    if (H5Tget_class(type.get()) != H5T_STRING) fail(what + " is not a list of strings");
    if (count > 1'000'000) fail(what + " has an absurd number of entries (" + std::to_string(count) + ")");
    auto n = static_cast<std::size_t>(count);

    std::vector<std::string> out;
    out.reserve(n);
    H5Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    // HDF5 does not convert between ASCII and UTF-8 (h5py writes str as UTF-8): read in the file's set.
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    if (H5Tis_variable_str(type.get()) > 0) {
      H5Tset_size(mem.get(), H5T_VARIABLE);
      std::vector<char*> ptrs(n, nullptr);
      // A read that fails part-way may already have allocated some strings: free them either way.
      bool read = H5Aread(attr.get(), mem.get(), ptrs.data()) >= 0;
      std::string reason = read ? "" : hdf5_reason();
      if (read)
        for (char* p : ptrs) out.emplace_back(p ? p : "");
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
      H5Eclear2(H5E_DEFAULT);
      if (!read) fail("cannot read " + what + ": " + reason);
    } else {
      std::size_t size = H5Tget_size(type.get());
      if (size == 0 || size > (std::size_t{1} << 24) / n) fail(what + " has an absurd string size");
      H5Tset_size(mem.get(), size);
      H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
      std::vector<char> buf(n * size, '\0');
      if (H5Aread(attr.get(), mem.get(), buf.data()) < 0) fail("cannot read " + what + ": " + hdf5_reason());
      for (std::size_t i = 0; i < n; ++i) {
        const char* s = buf.data() + i * size;
        out.emplace_back(s, strnlen(s, size));
      }
    }
    return out;
  }

  /** Reads a floating-point dataset; anything else (integers, compound) is unsupported. */
  Array read_array(hid_t group, const std::string& path, const std::string& layer) {
    std::string what = "weight '" + path + "' of layer '" + layer + "'";
    if (H5Lexists(group, path.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);  // H5Lexists fails (not just "no") when a middle group is missing
      fail("layer '" + layer + "' lists weight '" + path + "' in weight_names, but there is no such dataset");
    }
    H5Handle ds(H5Dopen2(group, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) fail("cannot open " + what + ": " + hdf5_reason());
    H5Handle type(H5Dget_type(ds.get()), H5Tclose);
    H5Handle space(H5Dget_space(ds.get()), H5Sclose);
    if (!type.ok() || !space.ok()) fail("cannot read " + what + ": " + hdf5_reason());
    if (H5Tget_class(type.get()) != H5T_FLOAT)
      throw UnsupportedError(file_, what + " is not a floating-point array; only float weights are supported");
    int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 8) fail("cannot read the shape of " + what);
    Array a;
    a.dims.resize(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), a.dims.data(), nullptr);
    std::size_t count = 1;
    for (hsize_t d : a.dims) {
      // A corrupt header can declare any size: refuse before allocating (2^28 doubles = 2 GiB).
      if (d > 0 && count > (std::size_t{1} << 28) / d) fail(what + " is too large (more than 2^28 values)");
      count *= d;
    }
    a.values.assign(count, 0.0);
    if (count > 0 && H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
      fail("cannot read the data of " + what + " (truncated or corrupt?): " + hdf5_reason());
    return a;
  }

  /** Records class and activation of every layer named in the optional model_config JSON attribute. */
  void read_model_config(hid_t h5) {
    if (H5Aexists(h5, "model_config") <= 0) return;
    std::vector<std::string> text = read_strings(h5, "model_config", "the file root");
    if (text.size() != 1) fail("attribute 'model_config' is not a single string");
    nlohmann::json config;
    try {
      config = nlohmann::json::parse(text[0]);
      const nlohmann::json& body = config.at("config");
      // Keras 2.0 Sequential stores the layer list directly; later versions under "layers".
      const nlohmann::json& layers = body.is_array() ? body : body.at("layers");
      for (const nlohmann::json& l : layers) {
        LayerConfig lc;
        lc.class_name = l.at("class_name").get<std::string>();
        lc.config = l.value("config", nlohmann::json::object());
        std::string name = l.contains("name") ? l.at("name").get<std::string>() : lc.config.at("name").get<std::string>();
        if (lc.config.contains("activation") && lc.config.at("activation").is_string())
          lc.activation = lc.config.at("activation").get<std::string>();
        layer_config_[name] = std::move(lc);
      }
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("attribute 'model_config' is not a Keras model description: ") + e.what());
    }
    have_config_ = true;
  }

  void read_layer(hid_t root, const std::string& name, std::vector<PendingDense>& dense) {
    if (H5Lexists(root, name.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      fail("layer_names lists '" + name + "' but there is no group of that name");
    }
    H5Handle group(H5Gopen2(root, name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.ok()) fail("cannot open the group of layer '" + name + "': " + hdf5_reason());
    std::vector<std::string> weight_names;
    if (H5Aexists(group.get(), "weight_names") > 0)
      weight_names = read_strings(group.get(), "weight_names", "layer '" + name + "'");

    const LayerConfig* lc = nullptr;
    if (have_config_) {
      auto it = layer_config_.find(name);
      if (it == layer_config_.end()) fail("layer '" + name + "' is not described in model_config");
      lc = &it->second;
    }
    if (weight_names.empty()) {
      if (lc) weightless_layer(name, *lc, dense);
      return;  // without a config, a weightless layer is a flatten or dropout: nothing to do
    }
    // Custom quantized dense classes (e.g. "QuantizedDense") keep float weights of the same layout.
    if (lc && !(lc->class_name.size() >= 5 && lc->class_name.ends_with("Dense")))
      throw UnsupportedError(file_, "layer '" + name + "' is a " + lc->class_name +
                                        "; only Dense layers (with ReLU) are supported");

    std::optional<Array> kernel, bias;
    for (const std::string& w : weight_names) {
      Array a = read_array(group.get(), w, name);
      // Kernel and bias are told apart by rank, not by name: names vary across Keras versions.
      std::optional<Array>& slot = a.dims.size() == 2 ? kernel : bias;
      if ((a.dims.size() != 1 && a.dims.size() != 2) || slot)
        throw UnsupportedError(file_, "layer '" + name + "' has weights other than one 2-D kernel and one 1-D bias (" +
                                          w + " has rank " + std::to_string(a.dims.size()) +
                                          "); only dense layers are supported");
      slot = std::move(a);
    }
    if (!kernel) fail("layer '" + name + "' has a bias but no 2-D kernel");
    PendingDense p;
    p.name = name;
    p.layer.inputs = kernel->dims[0];
    p.layer.outputs = kernel->dims[1];
    if (bias && bias->values.size() != p.layer.outputs)
      fail("layer '" + name + "' has " + std::to_string(bias->values.size()) + " biases but its kernel has " +
           std::to_string(p.layer.outputs) + " outputs");
    // Keras kernel is (in, out), y = x K + b; we store W = K^T row-major (outputs x inputs).
    p.layer.weights.resize(p.layer.inputs * p.layer.outputs);
    for (std::size_t k = 0; k < p.layer.inputs; ++k)
      for (std::size_t j = 0; j < p.layer.outputs; ++j)
        p.layer.weights[j * p.layer.inputs + k] = kernel->values[k * p.layer.outputs + j];
    p.layer.bias = bias ? std::move(bias->values) : std::vector<double>(p.layer.outputs, 0.0);
    if (lc) p.activation = lc->activation.empty() ? "linear" : lc->activation;
    dense.push_back(std::move(p));
  }

  /** A layer without weights, described by model_config: shape-only, dropout, or an activation. */
  void weightless_layer(const std::string& name, const LayerConfig& lc, std::vector<PendingDense>& dense) {
    static const char* const kNoOps[] = {"InputLayer", "Flatten", "Dropout"};
    if (std::find(std::begin(kNoOps), std::end(kNoOps), lc.class_name) != std::end(kNoOps)) return;
    std::string act;
    if (lc.class_name == "Activation") act = lc.activation;
    else if (lc.class_name == "Softmax") act = "softmax";
    else if (lc.class_name == "ReLU") {
      // ReLU layers may be capped or leaky; only the plain max(0, x) is our ReLU.
      const nlohmann::json& c = lc.config;
      auto is = [&](const char* key, double v) {
        return !c.contains(key) || c.at(key).is_null() || (c.at(key).is_number() && c.at(key).get<double>() == v);
      };
      if (!(is("negative_slope", 0) && is("threshold", 0) && (!c.contains("max_value") || c.at("max_value").is_null())))
        throw UnsupportedError(file_, "layer '" + name + "' is a capped or leaky ReLU; only plain ReLU is supported");
      act = "relu";
    } else {
      throw UnsupportedError(file_, "layer '" + name + "' is a " + lc.class_name +
                                        ", which qeb-smt does not support (only Dense, ReLU, Flatten, Dropout)");
    }
    if (act == "linear") return;
    if (dense.empty())
      throw UnsupportedError(file_, "activation layer '" + name + "' (" + act + ") comes before any Dense layer");
    std::string& prev = dense.back().activation;
    if (prev != "linear")
      throw UnsupportedError(file_, "activation layer '" + name + "' (" + act + ") follows layer '" +
                                        dense.back().name + "', which already has activation '" + prev + "'");
    prev = act;
  }

  /** Hidden layers must be ReLU; the output is linear, or softmax, which we drop: we compare logits. */
  Network finish(std::vector<PendingDense> dense) {
    Network net;
    net.source = file_;
    for (std::size_t i = 0; i < dense.size(); ++i) {
      PendingDense& p = dense[i];
      bool last = i + 1 == dense.size();
      if (have_config_ && !last && p.activation != "relu")
        throw UnsupportedError(file_, "hidden layer '" + p.name + "' has activation '" + p.activation +
                                          "'; only relu is supported");
      if (have_config_ && last && p.activation != "linear" && p.activation != "softmax")
        throw UnsupportedError(file_, "output layer '" + p.name + "' has activation '" + p.activation +
                                          "'; only linear or softmax (compared as logits) is supported");
      p.layer.relu = !last;
      net.layers.push_back(std::move(p.layer));
    }
    return net;
  }

  std::string file_;
  bool have_config_ = false;
  std::map<std::string, LayerConfig> layer_config_;
};

bool g_isolate_hdf5 = true;

// libhdf5 1.10 dereferences NULL on some corrupt files (fuzzing found one:
// tests/fuzz/regressions/h5/libhdf5-null-read). A child process reads the file first: if it dies,
// the file is reported as corrupt instead of the crash ending qeb-smt. A child that merely fails
// lets the parent read the file again for the exact message. The child reports with its own exit
// codes because under AddressSanitizer a crash is not a signal but a report and exit status 1.
constexpr int kChildReadOk = 0;
constexpr int kChildReadFailed = 73;

std::string g_probe_executable, g_probe_argument;  // empty: fork (see set_hdf5_probe_command)

int read_and_discard(const std::string& path) {
  try {
    QuietHdf5 quiet;
    KerasReader(path).load();
    return kChildReadOk;
  } catch (...) {
    return kChildReadFailed;
  }
}

pid_t start_child(const std::string& path) {
  if (!g_probe_executable.empty()) {
    std::vector<char*> argv = {const_cast<char*>(g_probe_executable.c_str()), const_cast<char*>(g_probe_argument.c_str()),
                               const_cast<char*>(path.c_str()), nullptr};
    posix_spawnattr_t attributes;  // the caller may block signals for a signal thread: the child must not
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int failed = posix_spawn(&pid, g_probe_executable.c_str(), nullptr, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    return failed ? -1 : pid;
  }
  pid_t pid;
  {
    std::lock_guard no_other_thread_in_a_lock(fork_guard());  // see core/fork_guard.h
    pid = fork();
  }
  if (pid == 0) _exit(read_and_discard(path));
  return pid;
}

void read_in_child_first(const std::string& path) {
  std::fflush(nullptr);
  pid_t pid = start_child(path);
  if (pid < 0) return;  // no child: read in this process, as without isolation
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && (WEXITSTATUS(status) == kChildReadOk || WEXITSTATUS(status) == kChildReadFailed)) return;
  const std::string how = WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                              : "exit status " + std::to_string(WEXITSTATUS(status));
  throw InputError(path, "the HDF5 library crashed reading this file (" + how + "): the file is corrupt");
}

}  // namespace

void set_hdf5_isolation(bool on) { g_isolate_hdf5 = on; }

void set_hdf5_probe_command(const std::string& executable, const std::string& argument) {
  g_probe_executable = executable;
  g_probe_argument = argument;
}

int probe_keras_h5(const std::string& path) { return read_and_discard(path); }

Network load_keras_h5(const std::string& path) {
  if (g_isolate_hdf5) read_in_child_first(path);
  QuietHdf5 quiet;
  return KerasReader(path).load();
}

}  // namespace qeb::model
