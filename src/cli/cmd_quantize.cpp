// `qeb-smt quantize`: write the derived QNN as JSON (to inspect it, or to pass it back with --qnn).
#include <cstdio>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/report.h"
#include "core/error.h"
#include "quant/qnn_file.h"

namespace qeb::cli {

int cmd_quantize(const Args& args) {
  po::options_description out("QNN file");
  out.add_options()("output,o", po::value<std::string>()->value_name("FILE"), "QNN JSON file to write (required)");
  po::options_description all;
  all.add(model_options()).add(out).add(output_options());
  auto vm = parse_command(args, all, "Usage: qeb-smt quantize --model FILE (--preset P --bits Q | --quant S) -o OUT.json",
                          "Weights and biases are clipped to their format's range and rounded half away from zero;\n"
                          "the file records every integer and format, and loads with --qnn.\n");
  if (!vm) return 0;
  if (!vm->count("output")) throw OptionError("-o/--output FILE is required");
  quant::ModelPair pair = load_model_pair(*vm);
  quant::save_qnn(pair.qnn, (*vm)["output"].as<std::string>());
  std::printf("wrote %s (%zu layers)\n", (*vm)["output"].as<std::string>().c_str(), pair.qnn.layers.size());
  return report::finish({{"file", (*vm)["output"].as<std::string>()}, {"layers", pair.qnn.layers.size()}}, "done", 0);
}

}  // namespace qeb::cli
