#include "runtime/apply/apply.h"
#include "compiler/source/source.h"
#include "runtime/secret/secret.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "compiler/plan/step_time.h"
#include "runtime/apply/actions.h"
#include "runtime/apply/report.h"
#include "runtime/apply/reporter.h"
#include "runtime/apply/state_access.h"
#include "runtime/apply/preconditions.h"
#include "runtime/apply/schedule.h"
#include "compiler/plan/template.h"
#include "runtime/exec/strays.h"
#include "runtime/probe/condition.h"
#include "runtime/probe/net.h"
#include "runtime/state/store.h"

#include "runtime/apply/session.h"
#include "runtime/apply/step.h"

namespace sparkc::runtime {

using namespace detail;

std::string SparkcCommand(const RunOptions& options, std::string_view verb, std::vector<std::string> extra) {
  std::string out = "sparkc " + std::string(verb);
  if (verb == "apply" && !options.plan_path.empty()) out += " " + ShellWord(options.plan_path);
  for (const std::string& word : extra) out += " " + ShellWord(word);
  if (options.state_dir != RunOptions{}.state_dir) out += " --state " + ShellWord(DisplayLocation(options.state_dir));
  return out;
}

namespace {

std::string AlreadyAppliedMessage(int64_t run) {
  return fmt::format("run {} already applied this plan; nothing to do", run);
}

// The fast path's answer: the message, and for programs the end of the
// stream too.
std::string AlreadyApplied(const RunOptions& options, int64_t run) {
  return RunEvent(options.format, "already_applied", {{"run", run}}, AlreadyAppliedMessage(run)) +
         RunEvent(options.format, "finished",
                  {{"command", "apply"}, {"run", run}, {"status", "succeeded"}, {"exit_code", kExitOk}}, "");
}

// `run` 0: none is recorded.
std::string NothingToRollBack(const RunOptions& options, int64_t run) {
  std::string text = run == 0 ? "no run recorded; nothing to roll back"
                              : fmt::format("run {}: nothing to roll back", run);
  return RunEvent(options.format, "finished",
                  {{"command", "rollback"}, {"run", run == 0 ? JsonEvent(nullptr) : JsonEvent(run)},
                   {"status", "nothing_to_do"}, {"exit_code", kExitOk}},
                  text);
}

}  // namespace

std::optional<std::string> KnownPlanDigest(const RunOptions& options) {
  if (options.plan_file_sha256.empty()) return std::nullopt;
  if (!IsPostgresUrl(options.state_dir) && !std::filesystem::exists(std::filesystem::path(options.state_dir) / "state.db"))
    return std::nullopt;
  std::string error;
  std::unique_ptr<StateStore> store = StateStore::Open(options.state_dir, error);
  if (!store) return std::nullopt;  // the full path reports it
  try {
    return store->PlanFileDigest(options.plan_file_sha256);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int> ReportAlreadyApplied(const std::string& digest, const RunOptions& options) {
  if (options.new_run) return std::nullopt;
  Opened state = OpenState(options);
  if (state.exit_code != kExitOk) return state.exit_code;
  try {
    std::optional<RunInfo> last = state.store->LastRunSummary();
    if (!last || last->digest != digest || last->status != "succeeded") return std::nullopt;
    *options.out << AlreadyApplied(options, last->id);
    return kExitOk;
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

namespace detail {

RunChoice ChooseRun(const plan::Plan& plan, const RunOptions& options, StateStore& store) {
  RunChoice choice;
  std::optional<RunInfo> last = store.LastRun();
  bool unfinished = last && (last->status == "running" || last->status == "stopped" || last->status == "failed");
  if (last && last->digest == plan.digest && last->status == "succeeded" && !options.new_run) {
    choice.run = last->id;
    choice.already_applied = true;
    return choice;
  }
  if (last && last->status == "rollback_failed" && !options.new_run) {
    *options.err << fmt::format("sparkc: error: the rollback of run {} did not finish; see `sparkc status`\n"
                                "  help: finish it with `sparkc rollback`, or start over with --new-run\n", last->id);
    choice.refused = kExitNeedsOperator;
    return choice;
  }
  if (unfinished && last->digest != plan.digest && !options.new_run) {
    *options.err << fmt::format("sparkc: error: run {} of another plan ({}) is unfinished\n"
                                "  help: resume it with its own plan, roll it back with `sparkc rollback`, "
                                "or pass --new-run to start this plan anyway\n", last->id, last->digest);
    choice.refused = kExitNeedsOperator;
    return choice;
  }
  if (unfinished && last->digest == plan.digest && !options.new_run) {
    choice.run = last->id;
    choice.previous = store.Steps(choice.run);
    store.SetRunStatus(choice.run, "running");
    return choice;
  }
  // A new run starts only in a world its preconditions hold in; a resumed
  // one has acted already, and its steps' checks decide.
  PreconditionCount pre = CheckPreconditions(plan, *options.out, options.format);
  if (pre.failed > 0) {
    *options.out << RunEvent(options.format, "finished",
                             {{"command", "apply"}, {"run", nullptr}, {"status", "preconditions_failed"},
                              {"exit_code", kExitPreconditionFailed}},
                             "");
    *options.err << fmt::format("sparkc: error: {} of {} preconditions do not hold; no step was started\n"
                                "  help: make them hold and run `sparkc apply` again; `sparkc verify` "
                                "evaluates them without starting anything\n",
                                pre.failed, pre.failed + pre.held);
    choice.refused = kExitPreconditionFailed;
    return choice;
  }
  choice.run = store.CreateRun(plan.digest, plan::ToJson(plan).dump());
  return choice;
}

}  // namespace detail

int Apply(const plan::Plan& plan, const RunOptions& requested) {
  RunOptions options = requested;
  std::string unproven;
  if (std::optional<int> refused = ChooseJobs(plan, "apply", options, unproven)) return *refused;
  CaptureEnvironmentSecrets(SecretRefs(plan));
  if (std::optional<int> refused = RefuseWithoutStateKey(plan, options)) return *refused;
  Opened state = OpenState(options);
  if (state.exit_code != kExitOk) return state.exit_code;
  InterruptScope interrupts;
  try {
    if (!options.plan_file_sha256.empty()) state.store->RememberPlanFile(options.plan_file_sha256, plan.digest);
    if (std::string holder; RunHeldByEngine(*state.store, *CommandLineSlurm(), holder))
      return RefuseHeldByEngine(options, holder);
    RunChoice choice = ChooseRun(plan, options, *state.store);
    if (choice.refused) return *choice.refused;
    if (choice.already_applied) {
      *options.out << RunEvent(options.format, "already_applied", {{"run", choice.run}},
                               AlreadyAppliedMessage(choice.run));
      Session session(plan, options, *state.store, choice.run);
      return session.WriteReports("apply", session.AlreadyApplied());
    }
    int64_t run = choice.run;
    std::map<std::string, StepRecord> previous = std::move(choice.previous);
    RecordSignature(*state.store, run, options);
    RecordUnprovenTiming(*state.store, run, options, unproven);
    Session session(plan, options, *state.store, run);
    if (!session.LoadOutputs()) return kExitNeedsOperator;
    session.Started("apply", !previous.empty());
    return session.WriteReports("apply", session.Forward(std::move(previous)));
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

int Rollback(const RunOptions& requested, SlurmClient* engine) {
  RunOptions options = requested;
  Opened state = OpenState(options);
  if (state.exit_code != kExitOk) return state.exit_code;
  try {
    std::optional<RunInfo> last = state.store->LastRun();
    if (!last) {
      *options.out << NothingToRollBack(options, 0);
      return kExitOk;
    }
    // An engine's jobs roll it back themselves (or still run it).
    std::unique_ptr<SlurmClient> commands = engine ? nullptr : CommandLineSlurm();
    if (std::string holder; RunHeldByEngine(*state.store, engine ? *engine : *commands, holder))
      return RefuseHeldByEngine(options, holder);
    plan::Plan plan;
    std::string error;
    if (!ReadStoredPlan(*last, plan, error)) return ReportStateError(options, error);
    if (!options.require_signature.empty() && !CheckRecordedSignature(*state.store, *last, options, error)) {
      *options.err << fmt::format("sparkc: error[E0904]: {}\n", error);
      return kExitInvalid;
    }
    std::string unproven;
    if (std::optional<int> refused = ChooseJobs(plan, "rollback", options, unproven)) return *refused;
    CaptureEnvironmentSecrets(SecretRefs(plan));
    if (std::optional<int> refused = RefuseWithoutStateKey(plan, options)) return *refused;
    std::map<std::string, StepRecord> steps = state.store->Steps(last->id);
    auto n = static_cast<uint32_t>(plan.steps.size());
    std::vector<bool> undo(n, false);
    // --to STEP keeps STEP and what it does not lead to; undoes what came after it.
    std::vector<bool> after_target(n, options.to_step.empty());
    if (!options.to_step.empty()) {
      auto deps = Dependencies(plan);
      uint32_t target = n;
      for (uint32_t i = 0; i < n; ++i)
        if (plan.steps[i].id == options.to_step) target = i;
      if (target == n) {
        *options.err << fmt::format("sparkc: error: run {} has no step `{}`\n", last->id, options.to_step);
        return kExitUsage;
      }
      std::vector<bool> reach(n, false);
      reach[target] = true;
      for (uint32_t i = 0; i < n; ++i)  // plan order is topological
        for (uint32_t d : deps[i]) reach[i] = reach[i] || reach[d];
      for (uint32_t i = 0; i < n; ++i) after_target[i] = reach[i] && i != target;
    }
    std::vector<StepStatus> status(n, StepStatus::Pending);
    for (uint32_t i = 0; i < n; ++i) {
      auto it = steps.find(plan.steps[i].id);
      if (it == steps.end()) continue;
      status[i] = it->second.status;
      // One a dead runner left running or undoing is settled by its check
      // (SettleInterrupted) before the walk.
      undo[i] = after_target[i] && NeedsUndo(status[i], plan.steps[i]);
    }
    Session session(plan, options, *state.store, last->id);
    if (!session.LoadOutputs()) return kExitNeedsOperator;
    session.Attempted(steps);
    for (uint32_t i = 0; i < n; ++i)
      if (undo[i] && status[i] == StepStatus::Failed) session.UndoAfterFailure(i);
    session.SettleInterrupted(status, undo);
    size_t count = std::count(undo.begin(), undo.end(), true);
    if (count == 0) {
      *options.out << NothingToRollBack(options, last->id);
      return kExitOk;
    }
    RecordUnprovenTiming(*state.store, last->id, options, unproven);
    session.Started("rollback", false);
    session.RollingBack(undo, fmt::format("rolling back {} steps of run {}", count, last->id));
    return session.WriteReports("rollback", session.Backward(undo, kExitOk));
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

}  // namespace sparkc::runtime
