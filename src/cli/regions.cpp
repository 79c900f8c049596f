#include "cli/regions.h"

#include <iostream>

#include "cli/common_options.h"
#include "cli/normalization.h"
#include "core/error.h"
#include "spec/mnist.h"
#include "spec/vnnlib.h"

namespace qeb::cli {

namespace po = boost::program_options;

namespace {

void print_notes(const po::variables_map& vm, const std::string& prefix, const std::vector<std::string>& notes) {
  if (!quiet(vm))
    for (const std::string& note : notes) std::cerr << "region: " << prefix << note << "\n";
}

std::vector<int64_t> midpoint(const spec::Box& box) {
  std::vector<int64_t> m;
  for (std::size_t k = 0; k < box.dimension(); ++k) m.push_back(box.lo[k] + (box.hi[k] - box.lo[k]) / 2);
  return m;
}

std::vector<Region> property_regions(const po::variables_map& vm, const quant::ModelPair& pair, bool checks_outputs) {
  if (!vm["radius"].defaulted()) throw OptionError("--radius goes with --sample or --center, not --property");
  std::string path = vm["property"].as<std::string>();
  spec::VnnlibProperty property =
      spec::load_vnnlib(path, pair.qnn.input_size(), pair.qnn.output_size(), pair.input_scale, pair.qnn.input_format,
                        pair.qnn.input_zero_point);
  std::vector<std::string> notes = property.notes;
  if (property.has_output_constraints && !checks_outputs)
    notes.push_back("the output constraints are ignored: qeb-smt checks |QNN - DNN| <= eps (verify without --eps "
                    "checks them)");
  print_notes(vm, path + ": ", notes);
  std::vector<Region> regions;
  for (std::size_t i = 0; i < property.regions.size(); ++i) {
    Region r;
    r.box = property.regions[i].box;
    r.center = midpoint(r.box);
    r.description = "property " + path;
    if (property.regions.size() > 1)
      r.description += ", input box " + std::to_string(i + 1) + " of " + std::to_string(property.regions.size());
    if (checks_outputs) r.violation = property.regions[i].violation;
    regions.push_back(std::move(r));
  }
  return regions;
}

// An ONNX QNN's --box is in the float model's input units: the integer inputs whose dequantized value lies in it.
spec::Box real_box(const po::variables_map& vm, const quant::ModelPair& pair) {
  auto [lo, hi] = spec::parse_real_box(vm["box"].as<std::string>());
  if (lo.size() != pair.qnn.input_size())
    throw OptionError("box has " + std::to_string(lo.size()) + " coordinates but the network has " +
                      std::to_string(pair.qnn.input_size()) + " inputs");
  std::vector<std::string> notes;
  spec::Box box = spec::real_box(lo, hi, pair.input_scale, pair.qnn.input_zero_point, pair.qnn.input_format, notes);
  print_notes(vm, "--box: ", notes);
  return box;
}

Region single_region(const po::variables_map& vm, const quant::ModelPair& pair) {
  Region region;
  const FixedPointFormat& in = pair.qnn.input_format;
  long long radius = vm["radius"].as<long long>();
  if (vm.count("box")) {
    if (!vm["radius"].defaulted()) throw OptionError("--radius goes with --sample or --center, not --box");
    region.box = pair.qnn.affine() ? real_box(vm, pair) : spec::parse_box(vm["box"].as<std::string>());
    spec::validate(region.box, pair.qnn.input_size(), in);
    region.center = midpoint(region.box);
    region.description = "box";
    return region;
  }
  if (vm.count("sample")) {
    if (!vm.count("mnist")) throw OptionError("--sample needs --mnist DIR");
    long long sample = vm["sample"].as<long long>();
    spec::MnistSet mnist = spec::load_mnist_test(vm["mnist"].as<std::string>());
    if (sample < 0) throw OptionError("--sample must be non-negative");
    region.center = mnist.image(std::size_t(sample));
    region.label = mnist.label(std::size_t(sample));
    // An ONNX QNN: the float model reads pixel p as p / 255, and the QNN's input QuantizeLinear quantizes that.
    if (pair.qnn.affine())
      for (int64_t& p : region.center) p = pair.qnn.quantize_input(Rational(p, 255));
    region.description = "MNIST sample " + std::to_string(sample) + " (label " + std::to_string(*region.label) +
                         "), radius " + std::to_string(radius);
  } else {
    if (pair.qnn.affine()) {
      // An ONNX QNN: the centre is in the float model's input units, quantized as the QNN's input is.
      for (const Rational& v : spec::parse_rational_list(vm["center"].as<std::string>(), "--center"))
        region.center.push_back(pair.qnn.quantize_input(v));
    } else {
      region.center = spec::parse_int_list(vm["center"].as<std::string>(), "--center");
    }
    region.description = "centre, radius " + std::to_string(radius);
  }
  region.centred = true;
  if (region.center.size() != pair.qnn.input_size())
    throw OptionError("the centre has " + std::to_string(region.center.size()) + " values but the network has " +
                      std::to_string(pair.qnn.input_size()) + " inputs");
  region.box = spec::box_around(region.center, radius, in);
  spec::validate(region.box, pair.qnn.input_size(), in);
  return region;
}

}  // namespace

po::options_description region_options() {
  po::options_description o("Input region (integer inputs of the QNN)");
  o.add_options()
    ("mnist", po::value<std::string>()->value_name("DIR"),
     "directory with the MNIST test set (t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])")
    ("sample", po::value<long long>()->value_name("N"), "MNIST test sample N (0-based) as the centre")
    ("center", po::value<std::string>()->value_name("V,V,..."), "an explicit integer centre")
    ("radius", po::value<long long>()->default_value(0)->value_name("R"),
     "L-infinity radius around the centre, clipped to the input format's range")
    ("box", po::value<std::string>()->value_name("LO:HI,..."),
     "an explicit integer box, one LO:HI (or V) per input")
    ("property", po::value<std::string>()->value_name("FILE.vnnlib"),
     "a VNN-LIB property FILE: its bounds on the real inputs X_i, times the input scale and rounded inward, "
     "give the integer box (clipped to the input format); a disjunction of boxes gives several regions (verify). "
     "Its output constraints are checked by verify without --eps (see --outputs-of), ignored otherwise");
  return o;
}

std::vector<Region> build_regions(const po::variables_map& vm, const quant::ModelPair& pair, bool checks_outputs) {
  int sources = int(vm.count("sample")) + int(vm.count("center")) + int(vm.count("box")) + int(vm.count("property"));
  if (sources == 0)
    throw OptionError("give an input region: --mnist DIR --sample N, --center V,.., --box LO:HI,.. or --property FILE");
  if (sources > 1) throw OptionError("give only one of --sample, --center, --box and --property");
  std::vector<Region> regions =
      vm.count("property") ? property_regions(vm, pair, checks_outputs) : std::vector<Region>{single_region(vm, pair)};
  if (vm["apply-normalization"].as<bool>() && pair.dnn.normalization)
    for (Region& region : regions) {
      std::vector<std::string> notes;
      region.box = clip_to_domain(region.box, *pair.dnn.normalization, pair.input_scale, vm["model"].as<std::string>(), notes);
      if (!notes.empty()) region.description += ", within the file's [min, max]";
      print_notes(vm, "", notes);
    }
  return regions;
}

Region build_region(const po::variables_map& vm, const quant::ModelPair& pair) {
  std::vector<Region> regions = build_regions(vm, pair, false);
  if (regions.size() > 1)
    throw InputError(vm["property"].as<std::string>(),
                     "the property describes " + std::to_string(regions.size()) +
                         " input boxes (a disjunction); this command takes one (verify takes several)");
  return regions.front();
}

nlohmann::json regions_json(const std::vector<Region>& regions) {
  nlohmann::json list = nlohmann::json::array();
  for (const Region& r : regions) list.push_back({{"description", r.description}, {"box", r.box.to_string()}});
  return list;
}

}  // namespace qeb::cli
