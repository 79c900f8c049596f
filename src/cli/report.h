// The one JSON document of a run (--json FILE, "-" = stdout): the same envelope for every command
// and every way a run ends (result, error, watchdog stop). docs/result-schema.json describes it.
//
// main() opens the report before the command parses its options, so a usage error still writes a
// document; the command merges its fields in (partial results early, so that a watchdog stop keeps
// them) and finishes it with a verdict and exit code; main() fails it on an exception; the
// watchdog stops it from its own thread. All calls are thread-safe; the first of finish/fail/stop
// writes the document, later ones do nothing.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace qeb::cli::report {

/** Version of the document layout ("schema_version"); bump it when a field changes meaning or goes. */
constexpr int kSchemaVersion = 1;

/** qeb-smt's own version (CMake's project(VERSION)). */
const char* qeb_smt_version();

/**
 * The --json value in raw command-line arguments ("--json F", "--json=F"), if any; lets main()
 * know where errors go before the command's own option parsing (which may fail).
 */
std::optional<std::string> find_json_path(const std::vector<std::string>& args);

/**
 * Starts the run's report for `command` (no document when `json_path` is empty). Checks before any
 * work that the file can be written, and truncates it (so a crash leaves an empty file, never an
 * older result): InputError naming the file otherwise. With "-", the text report moves to stderr
 * and stdout carries the JSON document only.
 */
void open(const std::string& command, const std::string& json_path);

/** Switches to the path the command's option parser found (e.g. an abbreviated --js F); checked as open() does. */
void set_json_path(const std::string& json_path);

/** True when a document will be written. */
bool wanted();

/** Records the options that decide the result: every option of `vm` but --help, --json and --quiet. */
void set_options(const boost::program_options::variables_map& vm);

/** Merges `fields` (an object) into the document now; a watchdog stop keeps them. */
void update(const nlohmann::json& fields);

/**
 * Ends the run with `verdict` (verified, falsified, unknown, bounded, found, done, ...) and writes
 * the document: the envelope plus `fields`. Returns `exit_code`.
 */
int finish(const nlohmann::json& fields, const std::string& verdict, int exit_code);

/**
 * Ends the run with an error: verdict "error", {"error": {"kind", "message"}}. `kind` is usage,
 * input, unsupported, internal or out-of-memory.
 */
void fail(const std::string& kind, const std::string& message, int exit_code);

/**
 * Ends the run from another thread: verdict unknown with `reason` (the watchdog). Returns false
 * when the run was already finished (its document stands; the caller must not end the process).
 */
bool stop(const std::string& reason, int exit_code);

/** No document for this run (--help; MPI worker ranks, whose rank 0 reports). */
void cancel();

/** True once finish, fail, stop or cancel was called. */
bool closed();

/** The envelope's fields alone (schema, versions, command, solvers, options): for tests. */
nlohmann::json envelope();

}  // namespace qeb::cli::report
