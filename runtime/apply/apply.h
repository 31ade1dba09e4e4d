// The runtime's entry points: apply a plan, roll back the last run, show it.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include "compiler/plan/plan.h"
#include "runtime/apply/approvals.h"
#include "runtime/apply/reporter.h"

namespace sparkc::runtime {

// The exit codes of the brief; every command returns one of these.
enum ExitCode : int {
  kExitOk = 0,
  kExitInvalid = 1,        // the spec or plan is invalid
  kExitUsage = 2,
  kExitRolledBack = 3,     // apply failed and was rolled back
  kExitNeedsOperator = 4,  // apply or rollback failed and needs an operator
  kExitDrift = 5,
  kExitAwaitingApproval = 6,
  kExitLocked = 7,
  kExitPreconditionFailed = 8,  // a `require` is false: apply started nothing
};

struct RunOptions {
  std::string state_dir = ".sparkc";
  int jobs = 0;                  // -j; 0: the plan's parallelism
  // -j below the plan's parallelism runs anyway: its time bounds may not
  // hold, and the journal says so.
  bool accept_unproven_timing = false;
  bool rollback_on_failure = true;
  bool new_run = false;          // do not resume an unfinished run of another plan
  Approvals approvals;           // --approve and --approvals, by step
  bool approvals_journaled = false;  // `approvals` were read from the journal (`sparkc step`)
  std::string approver;          // who answers prompts at a terminal
  bool live = false;             // the live progress view (a terminal)
  bool interactive = false;      // ask at the terminal for gates and manual steps
  std::string report_json;       // --report
  std::string report_junit;      // --junit
  std::string to_step;           // rollback --to
  std::string plan_file_sha256;  // apply of a plan file: plan::Sha256 of its bytes
  // --require-signature: the public key the plan must be signed with, and
  // (apply) the signature that was checked, which the journal keeps.
  std::string require_signature;
  std::string signature_text;
  // Steps averaging less are begun several to a commit (SPARKC_CLAIM_BELOW_MS).
  std::chrono::milliseconds claim_below{10};
  OutputFormat format = OutputFormat::Text;  // --format: text, JSON events (docs/events.md), GitHub annotations
  std::string source_dir;        // where the steps' sources are, relative to here (annotations)
  std::string plan_path;         // the plan or spec as given, for the commands hints print
  std::ostream* out = nullptr;   // progress
  std::ostream* err = nullptr;   // errors
};

int Apply(const plan::Plan& plan, const RunOptions& options);
// The command an operator runs next, as a shell reads it: `sparkc apply
// PLAN --approve go --state DIR` (the plan for apply, --state when not the
// default), each word quoted where it needs to be.
std::string SparkcCommand(const RunOptions& options, std::string_view verb, std::vector<std::string> extra = {});
// The fast way to find a plan file applied: the digest of the plan file
// `options.plan_file_sha256` names, when this state store read it before
// (a second apply need not parse megabytes of plan again) ...
std::optional<std::string> KnownPlanDigest(const RunOptions& options);
// ... and, when the last run already applied that digest, the message and
// exit code Apply would give. nullopt: call Apply.
std::optional<int> ReportAlreadyApplied(const std::string& digest, const RunOptions& options);
class SlurmClient;
// `engine`: the scheduler whose jobs may hold the last run (runtime/engine/
// slurm.h); null: Slurm's commands.
int Rollback(const RunOptions& options, SlurmClient* engine = nullptr);
// Which run (0: the last), and for `logs` which step and attempt (0: all).
struct HistoryQuery {
  int64_t run = 0;
  bool failed_only = false;  // status --failed
  std::string step;
  int64_t attempt = 0;
};
// A run step by step, opening with its outcome, its counts and what needs
// attention (failures with the end of their output).
int Status(const RunOptions& options, const HistoryQuery& query);
// Every run in the store, newest first.
int Runs(const RunOptions& options);
// What each attempt of a step printed, as the journal keeps it.
int Logs(const RunOptions& options, const HistoryQuery& query);
// One self-contained HTML page: the DAG, the proven schedule, and the last
// run of `plan` in options.state_dir if there is one (runtime/apply/html_report.cpp).
int Report(const plan::Plan& plan, const RunOptions& options, const std::string& output);
// Evaluates the checks of the steps the last run of `plan` applied; exit 5
// when any no longer holds.
int Verify(const plan::Plan& plan, const RunOptions& options);
// Prints the steps in the order and at the times they would start if each
// took its estimate (the real walk on a simulated clock), and the proven
// bounds; changes nothing.
int DryRun(const plan::Plan& plan, const RunOptions& options);

}  // namespace sparkc::runtime
