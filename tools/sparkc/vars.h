// The values of a spec's `param`s as the command line gives them.
#pragma once

#include <string>
#include <vector>

#include "compiler/compile/compile.h"

namespace sparkc {

// SPARKC_VAR_NAME variables first, then the entries of `var_file` (YAML,
// `name: value`), then each `--var NAME=VALUE`: a later one wins. False with
// `error` when a --var has no `=` or the file is not such a map.
bool CollectParams(const std::vector<std::string>& vars, const std::string& var_file, ParamValues& out,
                   std::string& error);

}  // namespace sparkc
