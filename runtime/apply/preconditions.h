// The plan's runtime preconditions (`require`), evaluated against the live
// system before a run starts: by `apply` before its first step, and by
// `verify` before any run of the plan.
#pragma once

#include <cstddef>
#include <ostream>

#include "compiler/plan/plan.h"

namespace sparkc::runtime {

struct PreconditionCount {
  size_t held = 0, failed = 0;
};

// Prints `ok     require ID` or `FALSE  require ID: why` for each; the
// proven ones held when the plan was compiled and are not evaluated again.
PreconditionCount CheckPreconditions(const plan::Plan& plan, std::ostream& out);

}  // namespace sparkc::runtime
