// verify's result as text and as the JSON document's fields: per output (verdict, how decided,
// times, DRA interval, counterexample), per part of a partitioned run, and over several regions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/common_options.h"
#include "partition/partitioned_verifier.h"
#include "verify/verifier.h"

namespace qeb::cli {

/** 0 verified, 10 falsified, 20 unknown. */
int exit_code(verify::Verdict v);

/** {"output", "input", "qnn", "dnn", "diff"}: exact rationals with a double beside each. */
nlohmann::json counterexample_json(const verify::Counterexample& c);

/** Two lines: the replayed values, then the input (cli/witness_text.h). */
void print_counterexample(const verify::Counterexample& c, const Region& region);

/**
 * One output's entry: index, region, verdict, decided_by, seconds, solver_calls, dra_interval and,
 * when present, reason and counterexample.
 */
nlohmann::json output_json(const verify::OutputResult& o, const dra::Interval& dra, std::size_t region);

/** Prints one output's line (and its counterexample). */
void print_output(const verify::OutputResult& o, const dra::Interval& dra, const Region& region);

/** The fields of a plain run's document (the per-output entries included) and its text lines. */
nlohmann::json report_plain(const verify::VerifyResult& r, const verify::VerifyOptions& options,
                            const Region& region, std::size_t region_index);

/** The same for a partitioned run: its per-output entries, "partition" with every part. */
nlohmann::json report_partitioned(const partition::PartitionResult& r, const verify::VerifyOptions& options,
                                  const Region& region, std::size_t region_index, bool mpi);

/**
 * The verdict over several regions (falsified if any region is, verified if all are), and the
 * first reason an undecided region gave.
 */
verify::Verdict combine(const std::vector<verify::Verdict>& verdicts);

/** The verdict called `name` (verify::to_string's inverse). */
verify::Verdict verdict_named(const std::string& name);

}  // namespace qeb::cli
