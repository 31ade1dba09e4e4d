// Internal to runtime/apply: opening the state store for a command, and the
// one way its failures are reported (E0903, exit 4).
#pragma once

#include <memory>
#include <string_view>

#include "runtime/apply/apply.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

// Prints `sparkc: error[E0903]: MESSAGE` and returns kExitNeedsOperator.
int ReportStateError(const RunOptions& options, std::string_view message);

// The store at options.state_dir, or null after reporting why not.
std::unique_ptr<StateStore> OpenStoreOrReport(const RunOptions& options);

}  // namespace sparkc::runtime
