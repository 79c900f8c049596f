// The subcommands; each parses its own arguments (everything after the command name).
#pragma once

#include <string>
#include <vector>

namespace qeb::cli {

using Args = std::vector<std::string>;

int cmd_info(const Args& args);
int cmd_quantize(const Args& args);
int cmd_eval(const Args& args);
int cmd_oracle(const Args& args);
int cmd_dra(const Args& args);
int cmd_verify(const Args& args);
int cmd_emit(const Args& args);
int cmd_max_error(const Args& args);
int cmd_refine(const Args& args);
int cmd_batch(const Args& args);

}  // namespace qeb::cli
