// Internal to runtime/apply: opening the state store for a command, and the
// one way its failures are reported (E0903, exit 4).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/apply/apply.h"
#include "runtime/probe/condition.h"
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
// ... and with this one, a run that used fewer steps at once than its
// plan's bounds were proven for (no step id can start with `!`).
constexpr const char* kUnprovenTimingStep = "!unproven-timing";
// ... and with this one, the jobs an engine runs a run as (JSON; the
// latest counts: runtime/engine/slurm.cpp).
constexpr const char* kEngineRecord = "!engine";

// The steps `command` runs at once: -j, or the plan's parallelism. Fewer
// than the plan's is refused (an error, kExitUsage) unless the operator
// accepts that the time bounds may not hold; `note` then says so, for the
// journal.
std::optional<int> ChooseJobs(const plan::Plan& plan, const char* command, RunOptions& options, std::string& note);
void RecordUnprovenTiming(StateStore& store, int64_t run, const RunOptions& options, const std::string& note);

// What a sealed output of a run is bound to: it opens only in its own row.
std::string OutputSealContext(int64_t run, const std::string& step, const std::string& output);
// The outputs `run` journaled, by "step.name", secret ones opened with the
// state key and redacted from then on. False with a reason naming the
// output that cannot be opened.
bool LoadRunOutputs(const plan::Plan& plan, StateStore& store, int64_t run, OutputTable& out, std::string& error);

}  // namespace sparkc::runtime
