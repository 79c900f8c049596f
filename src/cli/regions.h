// The input regions of a command: an MNIST sample or a centre with a radius, a box, or a VNN-LIB
// property (one region per input box of its disjunction, each with its output violation).
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "quant/qnetwork.h"
#include "spec/output_property.h"
#include "spec/region.h"

namespace qeb::cli {

/** --mnist, --sample, --radius, --box, --center, --property */
boost::program_options::options_description region_options();

/** A region built from the region options, validated against the QNN's input format. */
struct Region {
  spec::Box box;
  std::vector<int64_t> center;    ///< the sample or centre (for "predicted"), else the box midpoint
  bool centred = false;           ///< `center` is a reference point the user gave (--sample, --center)
  std::optional<int> label;       ///< MNIST label when a sample is used
  std::string description;
  spec::OutputProperty violation; ///< a property's output constraints over this box (empty: none)
};

/**
 * Every region the options describe: one, or one per input box of a --property disjunction. With
 * --apply-normalization each box keeps only the file's input domain. Notes (what a property file
 * left out or clipped) go to stderr unless --quiet.
 * @param checks_outputs the command checks a property's output constraints; otherwise a note says
 *        they are ignored
 */
std::vector<Region> build_regions(const boost::program_options::variables_map& vm, const quant::ModelPair& pair,
                                  bool checks_outputs);

/** The region of a command that takes one; a property with several input boxes is an InputError. */
Region build_region(const boost::program_options::variables_map& vm, const quant::ModelPair& pair);

/** The document's "regions": {"description", "box"} per region. */
nlohmann::json regions_json(const std::vector<Region>& regions);

}  // namespace qeb::cli
