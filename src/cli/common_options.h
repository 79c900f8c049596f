// Options shared by the subcommands: model + quantization, input region, output selection, JSON.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "quant/qnetwork.h"
#include "cli/regions.h"
#include "spec/region.h"

namespace qeb::cli {

namespace po = boost::program_options;

/** --model, --qnn, --preset, --bits, --quant, --input-scale, --apply-normalization */
po::options_description model_options();
/** --json, --help */
po::options_description output_options();

/** --quiet was given: notes to stderr are left out. */
bool quiet(const po::variables_map& vm);

/** The K of --output K, checked against the number of outputs (OptionError otherwise). */
std::size_t parse_output_index(const std::string& spec, std::size_t outputs);

/** --backend and --encoding (with every encoding described), as each solving command takes them. */
po::options_description solver_choice_options();
struct SolverChoice {
  std::string backend, encoding;
};
/** Reads them, rejecting an unknown encoding or a backend/encoding pair that does not work (OptionError). */
SolverChoice read_solver_choice(const po::variables_map& vm);

/**
 * Loads --model (the loader's notes to stderr unless --quiet); with --apply-normalization checks
 * that the file has a usable normalisation (cli/normalization.h says how it is applied).
 */
model::Network load_dnn(const po::variables_map& vm, bool print_notes = true);

/** Loads the DNN and derives (or loads, with --qnn) the QNN; validates the pair. */
quant::ModelPair load_model_pair(const po::variables_map& vm);

/** Resolves --output all|predicted|K against the QNN's prediction at `center`. */
std::vector<std::size_t> select_outputs(const std::string& spec, const quant::ModelPair& pair,
                                        const std::vector<int64_t>& center);

/**
 * A duration option in seconds: finite, at most 1e7, and positive (or 0 where `zero_means_none`).
 * Throws OptionError naming the option otherwise: NaN and inf included, which a bare `<= 0` lets by.
 */
double seconds_option(const po::variables_map& vm, const std::string& name, bool zero_means_none);

/** Index of the largest output (first on ties). */
std::size_t argmax(const std::vector<double>& values);

/**
 * Parses a subcommand's arguments; prints help and returns nullopt on --help. Records the options
 * (and a --json path) in the run's report (cli/report.h).
 * `usage` is the first help line, `details` follows the option list.
 */
std::optional<po::variables_map> parse_command(const std::vector<std::string>& args, const po::options_description& all,
                                               const std::string& usage, const std::string& details,
                                               const po::positional_options_description* positional = nullptr);

/** The exact rational as JSON: {"exact": "n/d or decimal", "approx": double}. */
nlohmann::json rational_json(const Rational& r);

}  // namespace qeb::cli
