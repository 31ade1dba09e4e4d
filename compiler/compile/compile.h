// The whole compiler pipeline: load, resolve, check, order, plan.
#pragma once

#include <string>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/plan/plan.h"

namespace sparkc {

// Compiles the spec rooted at `path` into a plan with its digest set.
// False when any diagnostic is an error.
bool Compile(const std::string& path, SourceManager& sources, Diagnostics& diags,
             plan::Plan& plan);

}  // namespace sparkc
