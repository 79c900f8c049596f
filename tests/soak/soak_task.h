// One soak task: a random network, box, eps and solver configuration drawn from a seed, decided by
// the verifier (or the partitioned verifier) and checked against the exhaustive oracle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/oracle.h"
#include "partition/partitioned_verifier.h"
#include "support/random_network.h"
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

  /** "z3/lira/disjunctive", with "/partitioned" appended: the per-config key of the summary. */
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
 */
Task draw_task(uint64_t run_seed, uint64_t index, double timeout_seconds, double affine_fraction = 0);

enum class Status { VERIFIED, FALSIFIED, UNKNOWN, OPTION_ERROR, DISAGREEMENT };
const char* to_string(Status s);

struct Outcome {
  Status status = Status::UNKNOWN;
  std::string detail;  ///< unknown: the reason; option error: the message; disagreement: what disagreed
  double seconds = 0;  ///< verifier only (the oracle ran in draw_task)
};

/** Runs the verifier on the task and checks its answer; never throws. */
Outcome run_task(const Task& task);

/** The DNN as .nnet text (identity normalisation), for replaying a task with the qeb-smt CLI. */
std::string nnet_text(const model::Network& dnn);

/** A qeb-smt verify command equivalent to the task, given the DNN saved at `nnet_path`. */
std::string cli_command(const Task& task, const std::string& nnet_path);

}  // namespace qeb::soak
