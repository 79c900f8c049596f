// verify without --eps on a VNN-LIB property with output constraints: each region's violation is
// checked on the QNN's outputs, the DNN's, or their difference (--outputs-of).
#pragma once

#include <boost/program_options.hpp>
#include <vector>

#include "cli/progress.h"
#include "cli/regions.h"
#include "cli/resource_limits.h"
#include "property/property_checker.h"

namespace qeb::cli {

/** --outputs-of: what the property's Y_j are. */
boost::program_options::options_description property_check_options();

/**
 * Checks every region's violation in turn (a counterexample ends the run), prints the report,
 * writes the document and returns the exit code (0 holds, 10 violated, 20 undecided).
 */
int verify_output_property(const boost::program_options::variables_map& vm, const quant::ModelPair& pair,
                           const std::vector<Region>& regions, property::CheckOptions options,
                           const ResourceLimits& limits);

}  // namespace qeb::cli
