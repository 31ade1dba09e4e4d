// The plan's runtime preconditions (`require`), evaluated against the live
// system before a run starts: by `apply` before its first step, and by
// `verify` before any run of the plan.
#pragma once

#include <cstddef>
#include <ostream>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/apply/reporter.h"
#include "runtime/probe/condition.h"

namespace sparkc::runtime {

struct PreconditionResult {
  const plan::Invariant* precondition;
  CheckOutcome outcome;
};

struct PreconditionCount {
  size_t held = 0, failed = 0;
};

// The runtime ones, each evaluated now; the proven ones held when the plan
// was compiled and are not evaluated again.
std::vector<PreconditionResult> EvaluatePreconditions(const plan::Plan& plan);
PreconditionCount Count(const std::vector<PreconditionResult>& results);

// `ok     require ID` or `FALSE  require ID: why`, or a "precondition" event.
std::string PreconditionLine(const PreconditionResult& result, OutputFormat format);
// A JSON precondition's fields, for events and documents.
JsonEvent PreconditionJson(const PreconditionResult& result);

// Evaluates them and prints a line each.
PreconditionCount CheckPreconditions(const plan::Plan& plan, std::ostream& out,
                                     OutputFormat format = OutputFormat::Text);

}  // namespace sparkc::runtime
