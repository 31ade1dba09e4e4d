#include "runtime/apply/step.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "compiler/diagnostics/diagnostics.h"
#include "runtime/apply/session.h"

namespace sparkc::runtime {

using namespace detail;

namespace {

std::string_view StatusText(std::optional<StepStatus> status) {
  return status ? StatusName(*status) : "never started";
}

// What `sparkc step` works on: the run, its journal, one step of its plan.
struct Target {
  std::unique_ptr<StoreLock> claim;
  std::unique_ptr<StateStore> store;
  RunInfo run;
  uint32_t step = 0;
  std::map<std::string, StepRecord> steps;
  std::optional<int> refused;  // the exit code, the reason said

  std::optional<StepStatus> StatusOf(const std::string& id) const {
    auto it = steps.find(id);
    return it == steps.end() ? std::nullopt : std::optional(it->second.status);
  }
};

int Refuse(const RunOptions& options, int code, const std::string& message, const std::string& help = {}) {
  *options.err << "sparkc: error: " << message << "\n";
  if (!help.empty()) *options.err << "  help: " << help << "\n";
  return code;
}

std::optional<uint32_t> FindStep(const plan::Plan& plan, const std::string& id, const RunOptions& options) {
  std::vector<std::string> ids;
  for (uint32_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].id == id) return i;
    ids.push_back(plan.steps[i].id);
  }
  std::string close = ClosestMatch(id, ids);
  Refuse(options, kExitUsage, fmt::format("the plan has no step `{}`", id),
         close.empty() ? "" : fmt::format("did you mean `{}`?", close));
  return std::nullopt;
}

// The store, the run (which must have been made from this plan) and, with
// `claim`, the step claimed for this process first: what the journal says
// of a claimed step holds until the claim is let go.
Target Open(const plan::Plan& plan, const RunOptions& options, const StepRequest& request, bool claim) {
  Target t;
  std::optional<uint32_t> step = FindStep(plan, request.step, options);
  if (!step) {
    t.refused = kExitUsage;
    return t;
  }
  t.step = *step;
  if (claim) {
    std::string holder, error;
    t.claim = StoreLock::Claim(options.state_dir, request.run, request.step, holder, error);
    if (!t.claim) {
      t.refused = !error.empty() ? ReportStateError(options, error)
                                 : Refuse(options, kExitLocked,
                                          fmt::format("step `{}` of run {} is claimed by {}", request.step,
                                                      request.run, holder),
                                          "a step runs once at a time; a claim left by a dead process is "
                                          "released automatically");
      return t;
    }
  }
  t.store = OpenStoreOrReport(options);
  if (!t.store) {
    t.refused = kExitNeedsOperator;
    return t;
  }
  std::optional<RunInfo> run = t.store->Run(request.run);
  if (!run) {
    t.refused = Refuse(options, kExitUsage, fmt::format("run {} is not in the state store `{}`", request.run,
                                                        DisplayLocation(options.state_dir)),
                       "`sparkc runs` lists the runs; `sparkc step begin` starts one");
    return t;
  }
  if (run->digest != plan.digest) {
    t.refused = Refuse(options, kExitInvalid,
                       fmt::format("run {} applies plan {}, not this one ({})", run->id, run->digest, plan.digest),
                       "run each step with the plan its run was started with");
    return t;
  }
  t.run = std::move(*run);
  t.steps = t.store->Steps(t.run.id);
  return t;
}

// Gates and manual steps pass on approvals the journal holds (`sparkc
// approve`), never on a flag of this command.
RunOptions WithJournaledApprovals(const RunOptions& given, StateStore& store, int64_t run) {
  RunOptions options = given;
  options.approvals.clear();
  for (Approval& a : store.Approvals(run)) options.approvals[a.step] = a;
  options.approvals_journaled = true;
  options.interactive = false;
  options.jobs = 1;
  return options;
}

// The Session one step runs in: the plan's secrets captured, the journal's
// approvals and outputs loaded. Null after saying why (`refused`).
struct StepSession {
  StepSession(const plan::Plan& plan, RunOptions given, Target& t)
      : options(std::move(given)), session(plan, options, *t.store, t.run.id) {}
  RunOptions options;
  Session session;  // holds a reference to `options`

  static std::unique_ptr<StepSession> Open(const plan::Plan& plan, const RunOptions& given, Target& t, int& refused) {
    CaptureEnvironmentSecrets(SecretRefs(plan));
    if (std::optional<int> no_key = RefuseWithoutStateKey(plan, given)) {
      refused = *no_key;
      return nullptr;
    }
    auto run = std::make_unique<StepSession>(plan, WithJournaledApprovals(given, *t.store, t.run.id), t);
    if (!run->session.LoadOutputs()) {
      refused = kExitNeedsOperator;
      return nullptr;
    }
    run->session.Attempted(t.steps);
    return run;
  }
};

// What keeps an engine's jobs (Slurm starts every job that is ready) within
// the plan's limits: a step that runs holds one of its fan-out's
// `concurrency` slots, then one of the plan's `parallelism` slots, each
// claimed as a step is (a dead holder's slot goes with it). Always in that
// order, so that no two waiters hold what the other waits for. Returns the
// exit code when it cannot wait (nothing was started).
std::optional<int> TakeSlots(const plan::Plan& plan, const plan::Step& step, const RunOptions& options, int64_t run,
                             std::vector<std::unique_ptr<StoreLock>>& held) {
  struct Pool {
    std::string name;
    int64_t size;
    std::string why;
  };
  std::vector<Pool> pools;
  for (const plan::FanOut& f : plan.fanouts)
    if (f.id == step.group && f.concurrency > 0)
      pools.push_back({"!fan-out " + f.id, f.concurrency,
                       fmt::format("fan-out `{}` runs {} at a time (its concurrency)", f.id, f.concurrency)});
  if (plan.parallelism > 0)
    pools.push_back({"!parallelism", plan.parallelism,
                     fmt::format("the plan runs {} step{} at a time (objective.parallelism)", plan.parallelism,
                                 plan.parallelism == 1 ? "" : "s")});
  for (const Pool& pool : pools) {
    auto pause = std::chrono::milliseconds(100);
    for (bool said = false;; said = true) {
      std::unique_ptr<StoreLock> slot;
      for (int64_t k = 0; k < pool.size && !slot; ++k) {
        std::string holder, error;
        slot = StoreLock::Claim(options.state_dir, run, fmt::format("{} {}", pool.name, k), holder, error);
        if (!error.empty()) return ReportStateError(options, error);
      }
      if (slot) {
        held.push_back(std::move(slot));
        break;
      }
      if (g_interrupted.load())
        return Refuse(options, kExitNeedsOperator,
                      fmt::format("interrupted while step `{}` waited for a slot; nothing was started", step.id));
      if (!said) *options.err << fmt::format("step `{}` waits: {}\n", step.id, pool.why);
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
  return std::nullopt;
}

int Ended(Session& session, Session::Ended ended, const RunOptions& options) {
  switch (ended) {
    case Session::Ended::Succeeded: return kExitOk;
    case Session::Ended::Awaiting: return kExitAwaitingApproval;
    case Session::Ended::JournalFailed:
      return ReportStateError(options, fmt::format("state store: the journal cannot be written: {}",
                                                   Redact(session.JournalError())));
    case Session::Ended::Failed:
    case Session::Ended::Abandoned: return kExitNeedsOperator;
  }
  return kExitNeedsOperator;
}

int Do(const plan::Plan& plan, const RunOptions& given, const StepRequest& request) {
  Target t = Open(plan, given, request, true);
  if (t.refused) return *t.refused;
  const plan::Step& step = plan.steps[t.step];
  std::optional<StepStatus> status = t.StatusOf(step.id);
  if (status == StepStatus::Succeeded) {
    *given.out << fmt::format("step `{}` of run {} already succeeded (attempt {}); nothing to do\n", step.id,
                              t.run.id, t.steps[step.id].attempts);
    return kExitOk;
  }
  bool undoing = status && (*status == StepStatus::Undoing || *status == StepStatus::Undone ||
                            *status == StepStatus::UndoFailed || *status == StepStatus::Blocked);
  if (undoing || t.run.status == "rolled_back" || t.run.status == "rollback_failed")
    return Refuse(given, kExitNeedsOperator,
                  fmt::format("step `{}` of run {} is {} and the run {}: it is not run again", step.id, t.run.id,
                              StatusText(status), t.run.status == "running" ? "is being rolled back" : "is " + t.run.status),
                  "start a new run of the plan");
  std::vector<std::string> waiting;
  for (const std::string& before : step.after)
    if (std::optional<StepStatus> s = t.StatusOf(before); s != StepStatus::Succeeded)
      waiting.push_back(fmt::format("`{}` ({})", before, StatusText(s)));
  if (!waiting.empty())
    return Refuse(given, kExitPreconditionFailed,
                  fmt::format("step `{}` comes after {}, which {} not succeeded in run {}; nothing was started",
                              step.id, fmt::join(waiting, ", "), waiting.size() == 1 ? "has" : "have", t.run.id),
                  "run the steps it comes after first (an engine orders them by the plan's `after`)");
  int refused = kExitOk;
  std::unique_ptr<StepSession> run = StepSession::Open(plan, given, t, refused);
  if (!run) return refused;
  InterruptScope interrupts;
  if (status == StepStatus::Running && run->session.SettledByCheck(t.step)) return kExitOk;
  std::vector<std::unique_ptr<StoreLock>> slots;
  if (std::optional<int> refused_slot = TakeSlots(plan, step, given, t.run.id, slots)) return *refused_slot;
  return Ended(run->session, run->session.DoOne(t.step), run->options);
}

int Undo(const plan::Plan& plan, const RunOptions& given, const StepRequest& request) {
  Target t = Open(plan, given, request, true);
  if (t.refused) return *t.refused;
  const plan::Step& step = plan.steps[t.step];
  std::optional<StepStatus> status = t.StatusOf(step.id);
  if (!NeedsUndo(status, step)) {
    *given.out << fmt::format("step `{}` of run {} is {}; nothing to undo\n", step.id, t.run.id, StatusText(status));
    return kExitOk;
  }
  // Undos run in reverse dependency order: what comes after this step is
  // undone (or never acted) first.
  std::vector<std::string> applied;
  for (const plan::Step& other : plan.steps)
    if (std::binary_search(other.after.begin(), other.after.end(), step.id) && NeedsUndo(t.StatusOf(other.id), other))
      applied.push_back(fmt::format("`{}` ({})", other.id, StatusText(t.StatusOf(other.id))));
  if (!applied.empty())
    return Refuse(given, kExitPreconditionFailed,
                  fmt::format("{} {} after `{}` and {} still applied in run {}; nothing was undone",
                              fmt::join(applied, ", "), applied.size() == 1 ? "comes" : "come", step.id,
                              applied.size() == 1 ? "is" : "are", t.run.id),
                  "undo those first (`sparkc rollback` undoes a whole run in order)");
  int refused = kExitOk;
  std::unique_ptr<StepSession> run = StepSession::Open(plan, given, t, refused);
  if (!run) return refused;
  Session& session = run->session;
  if (status == StepStatus::Failed) session.UndoAfterFailure(t.step);
  InterruptScope interrupts;
  auto n = static_cast<uint32_t>(plan.steps.size());
  std::vector<StepStatus> statuses(n, StepStatus::Pending);
  std::vector<bool> undo(n, false);
  statuses[t.step] = *status;
  undo[t.step] = true;
  session.SettleInterrupted(statuses, undo);
  if (!undo[t.step]) return kExitOk;
  std::vector<std::unique_ptr<StoreLock>> slots;
  if (std::optional<int> refused_slot = TakeSlots(plan, step, given, t.run.id, slots)) return *refused_slot;
  return Ended(session, session.UndoOne(t.step), run->options);
}

int Check(const plan::Plan& plan, const RunOptions& options, const StepRequest& request) {
  Target t = Open(plan, options, request, false);
  if (t.refused) return *t.refused;
  const plan::Step& step = plan.steps[t.step];
  std::optional<StepStatus> status = t.StatusOf(step.id);
  if (step.check.empty()) {
    // Without a check, the journal is all there is to go by.
    *options.out << fmt::format("step `{}` has no check; run {} journals it {}\n", step.id, t.run.id,
                                StatusText(status));
    return status == StepStatus::Succeeded ? kExitOk : kExitDrift;
  }
  CaptureEnvironmentSecrets(SecretRefs(plan));
  OutputTable outputs;
  std::string error;
  if (!LoadRunOutputs(plan, *t.store, t.run.id, outputs, error))
    return ReportStateError(options, fmt::format("state store: {}", error));
  CheckOutcome check = EvaluateCheck(step.check, step.timeout_ms, &outputs);
  if (check.passed) {
    *options.out << fmt::format("check of `{}` holds (run {} journals it {})\n", step.id, t.run.id, StatusText(status));
    return kExitOk;
  }
  *options.out << fmt::format("check of `{}` does not hold: {} (run {} journals it {})\n", step.id,
                              Redact(check.detail), t.run.id, StatusText(status));
  return kExitDrift;
}

int Begin(const plan::Plan& plan, const RunOptions& options) {
  CaptureEnvironmentSecrets(SecretRefs(plan));
  if (std::optional<int> refused = RefuseWithoutStateKey(plan, options)) return *refused;
  Opened state = OpenState(options);
  if (state.exit_code != kExitOk) return state.exit_code;
  // Preconditions and notes go to stderr: stdout is the run's number alone.
  RunOptions quiet = options;
  quiet.out = options.err;
  RunChoice choice = ChooseRun(plan, quiet, *state.store);
  if (choice.refused) return *choice.refused;
  if (choice.already_applied)
    *options.err << fmt::format("run {} already applied this plan; its steps have nothing to do\n", choice.run);
  else if (!choice.previous.empty())
    *options.err << fmt::format("resuming run {}\n", choice.run);
  *options.out << choice.run << "\n";
  return kExitOk;
}

int Finish(const plan::Plan& plan, const RunOptions& options, const StepRequest& request) {
  {
    Opened state = OpenState(options);
    if (state.exit_code != kExitOk) return state.exit_code;
    std::optional<RunInfo> last = state.store->LastRunSummary();
    if (!last || last->id != request.run)
      return Refuse(options, kExitUsage, fmt::format("run {} is not the last run of the state store", request.run));
    if (last->digest != plan.digest)
      return Refuse(options, kExitInvalid,
                    fmt::format("run {} applies plan {}, not this one ({})", last->id, last->digest, plan.digest));
    if (last->status == "succeeded" || last->status == "rolled_back") {
      *options.out << fmt::format("run {} is {}; nothing to do\n", last->id, last->status);
      return last->status == "succeeded" ? kExitOk : kExitRolledBack;
    }
    std::map<std::string, StepRecord> steps = state.store->Steps(last->id);
    size_t succeeded = 0, failed = 0, awaiting = 0, applied = 0;
    for (const plan::Step& step : plan.steps) {
      auto it = steps.find(step.id);
      if (it == steps.end()) continue;
      succeeded += it->second.status == StepStatus::Succeeded;
      failed += it->second.status == StepStatus::Failed || it->second.status == StepStatus::Undone ||
                it->second.status == StepStatus::UndoFailed || it->second.status == StepStatus::Undoing ||
                it->second.status == StepStatus::Blocked;
      awaiting += it->second.status == StepStatus::Awaiting;
      applied += NeedsUndo(it->second.status, step);
    }
    if (succeeded == plan.steps.size()) {
      state.store->SetRunStatus(last->id, "succeeded");
      *options.out << fmt::format("run {} succeeded: {} steps\n", last->id, succeeded);
      return kExitOk;
    }
    if (failed == 0) {
      state.store->SetRunStatus(last->id, "stopped");
      *options.out << fmt::format("run {} stopped: {} of {} steps succeeded{}\n", last->id, succeeded,
                                  plan.steps.size(), awaiting > 0 ? "; a step waits for `sparkc approve`" : "");
      return awaiting > 0 ? kExitAwaitingApproval : kExitNeedsOperator;
    }
    if (applied == 0) {
      // Nothing acted that is not undone: the rollback has nothing left.
      state.store->SetRunStatus(last->id, "rolled_back");
      *options.out << fmt::format("run {} failed and was rolled back: every step that acted is undone\n", last->id);
      return kExitRolledBack;
    }
  }  // the lock goes: the rollback takes it again
  if (request.rollback) return request.rollback(plan, options, request.run);
  *options.out << fmt::format("run {}: a step failed; rolling back\n", request.run);
  int code = Rollback(options);
  return code == kExitOk ? kExitRolledBack : code;
}

}  // namespace

bool NeedsUndo(std::optional<StepStatus> status, const plan::Step& step) {
  if (!status) return false;
  switch (*status) {
    case StepStatus::Succeeded:
    case StepStatus::UndoFailed:
    case StepStatus::Undoing:
    case StepStatus::Blocked:
    case StepStatus::Running: return true;
    case StepStatus::Failed: return step.undo_after_failure;
    default: return false;
  }
}

int RunStepCommand(const plan::Plan& plan, const RunOptions& options, const StepRequest& request) {
  try {
    switch (request.verb) {
      case StepVerb::Begin: return Begin(plan, options);
      case StepVerb::Do: return Do(plan, options, request);
      case StepVerb::Undo: return Undo(plan, options, request);
      case StepVerb::Check: return Check(plan, options, request);
      case StepVerb::Finish: return Finish(plan, options, request);
    }
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
  return kExitUsage;
}

}  // namespace sparkc::runtime
