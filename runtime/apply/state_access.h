// Internal to runtime/apply: opening the state store for a command, and the
// one way its failures are reported (E0903, exit 4).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "runtime/apply/apply.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

// Prints `sparkc: error[E0903]: MESSAGE` and returns kExitNeedsOperator.
int ReportStateError(const RunOptions& options, std::string_view message);

// The store at options.state_dir, or null after reporting why not.
std::unique_ptr<StateStore> OpenStoreOrReport(const RunOptions& options);

// The plan a run stored, read strictly and checked against the run's
// digest: whoever can write the store must not choose what a rollback runs.
// False with a reason.
bool ReadStoredPlan(const RunInfo& run, plan::Plan& plan, std::string& error);

// The journal's record of the signature an apply with --require-signature
// checked: the key's fingerprint, the signature, the key file.
void RecordSignature(StateStore& store, int64_t run, const RunOptions& options);
// Whether `run` was applied from a plan signed by options.require_signature
// (its stored signature verifies against the run's digest). False with a
// reason.
bool CheckRecordedSignature(StateStore& store, const RunInfo& run, const RunOptions& options, std::string& error);

// Approvals with this step name are a run's signature records.
constexpr const char* kSignatureStep = "";

}  // namespace sparkc::runtime
