// Partitioned verification across MPI ranks (built with -DQEB_MPI=ON): rank 0 keeps the queue of
// parts and hands one part at a time to whichever worker rank is idle (dynamic load balancing);
// the workers run solve_part, the same function the thread pool uses, and send back the outcome
// and any halves. A counterexample stops the dispatch; every rank must call this with the same
// pair, box and options (as `mpirun ... qeb-smt verify --mpi` does).
#pragma once

#include <functional>

#include "partition/partitioned_verifier.h"

namespace qeb::partition {

/** True when this binary was built with MPI. */
bool mpi_available();

/**
 * Rank 0 returns the task's result; the other ranks work until rank 0 releases them and return an
 * empty result (their `verdict` is meaningless). With one rank, rank 0 runs the thread pool.
 * `on_rank` gets this process's rank as soon as it is known, before any work: a worker's caller
 * must silence its own reporting then, because when rank 0 exits non-zero (a falsified verdict)
 * mpirun ends the other ranks with SIGTERM, and a worker must not answer with a verdict of its own.
 * Throws UnsupportedError when built without MPI.
 */
PartitionResult verify_mpi(const quant::ModelPair& pair, const spec::Box& box, const verify::VerifyOptions& options,
                           const PartitionOptions& partition, const std::function<void(int rank)>& on_rank = {});

}  // namespace qeb::partition
