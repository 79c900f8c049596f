// One soak task: a random network, box, eps and solver configuration drawn from a seed, decided by
// the verifier (or the partitioned verifier), or bracketed by max-error, and checked against the
// exhaustive oracle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/oracle.h"
#include "partition/partitioned_verifier.h"
#include "support/random_network.h"
#include "verify/max_error.h"
#include "verify/verifier.h"

namespace qeb::soak {

/** Everything drawn for one task; draw_task(seed, index) gives the same task every time. */
struct Task {
  uint64_t index = 0;
  uint64_t seed = 0;  ///< the task's own seed (from the run's seed and the index)
  test::RandomCase c;
  eval::OracleResult oracle;       ///< exhaustive over the box, every output
  Rational worst;                  ///< the oracle's max |QNN - DNN| over the checked outputs
  std::string eps_kind;            ///< how eps was chosen from `worst` ("max", "below", "zero", ...)
  verify::VerifyOptions options;   ///< eps, outputs, backend, encoding, strategy, attack, prune, cuts, seed
  bool partitioned = false;
  partition::PartitionOptions partition;
  bool affine = false;  ///< an affine (ONNX-style int8/uint8) QNN: engine SMT or DRA (the LP stage refuses it)
  /// A max-error task instead of a verify task: max_error_options (its outputs, backend, encoding and
  /// timeout as in `options`, eps unused) brackets max |QNN - DNN|, which must contain the oracle's.
  bool max_error = false;
  verify::MaxErrorOptions max_error_options;

  /** "z3/lira/disjunctive", with "/partitioned" appended ("max-error engine auto/z3" for a max-error
   *  task): the per-config key of the summary. */
  std::string config_key() const;
  /** Every solver option, one line. */
  std::string config() const;
  /** Shape, quantization, box, outputs, eps and the oracle's values, one line. */
  std::string problem() const;
};

/**
 * Draws task `index` of the run `run_seed`; runs the exhaustive oracle to place eps.
 * @param timeout_seconds the verifier's budget for the whole task
 * @param affine_fraction the chance that the task's QNN is affine (0: never, and no draw is spent
 *        on it, so power-of-two runs are the same as before the affine scheme)
 * @param max_error_fraction the chance that the task is a max-error task (0: never, and no draw is
 *        spent on it, so verify-only runs are the same as before max-error tasks)
 */
Task draw_task(uint64_t run_seed, uint64_t index, double timeout_seconds, double affine_fraction = 0,
               double max_error_fraction = 0);

/** CLOSED and OPEN: a max-error task's bracket, within its tolerance or not (both checked sound). */
enum class Status { VERIFIED, FALSIFIED, UNKNOWN, CLOSED, OPEN, OPTION_ERROR, DISAGREEMENT };
const char* to_string(Status s);

struct Outcome {
  Status status = Status::UNKNOWN;
  std::string detail;  ///< unknown or open: the reason; option error: the message; disagreement: what disagreed
  double seconds = 0;  ///< verifier only (the oracle ran in draw_task)
};

/** Runs the verifier (or max-error) on the task and checks its answer; never throws. */
Outcome run_task(const Task& task);

/** The DNN as .nnet text (identity normalisation), for replaying a task with the qeb-smt CLI. */
std::string nnet_text(const model::Network& dnn);

/** A qeb-smt verify command equivalent to the task, given the DNN saved at `nnet_path`. */
std::string cli_command(const Task& task, const std::string& nnet_path);

}  // namespace qeb::soak
