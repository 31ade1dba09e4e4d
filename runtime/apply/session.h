// Internal to runtime/apply: one apply or rollback's working state (the
// Session), the interrupt handling it runs under, and opening the state store
// for it. Shared by `apply`/`rollback` (apply.cpp) and `sparkc step`
// (step.cpp), which runs one step with the same code.
#pragma once

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "compiler/plan/step_time.h"
#include "compiler/plan/template.h"
#include "compiler/source/source.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/actions.h"
#include "runtime/apply/report.h"
#include "runtime/apply/reporter.h"
#include "runtime/apply/state_access.h"
#include "runtime/engine/slurm.h"
#include "runtime/apply/preconditions.h"
#include "runtime/apply/schedule.h"
#include "runtime/secret/secret.h"
#include "runtime/exec/strays.h"
#include "runtime/probe/condition.h"
#include "runtime/probe/net.h"
#include "runtime/state/store.h"

namespace sparkc::runtime::detail {

inline std::atomic<bool> g_interrupted{false};

inline constexpr const char* kRollingBack = "apply failed; rolling back the steps that succeeded and the failed ones that acted";

// The first stops new steps; a second abandons the probes in flight.
// For the message a signal prints at once: steps in flight, and whether a
// rollback runs (which a signal does not stop: it would leave steps half
// undone).
inline std::atomic<int> g_running{0};
inline std::atomic<bool> g_rolling_back{false};
// A follower of an engine's run (which runs no step itself) is interrupted.
inline std::atomic<bool> g_following{false};

struct Running {
  Running() { g_running.fetch_add(1); }
  ~Running() { g_running.fetch_sub(1); }
};

// Only async-signal-safe calls: write(2) of fixed text and a number.
inline void Say(const char* text) { (void)!write(STDERR_FILENO, text, strlen(text)); }
inline void SayNumber(int n) {
  char digits[16];
  int k = sizeof digits;
  do digits[--k] = static_cast<char>('0' + n % 10);
  while ((n /= 10) > 0 && k > 0);
  (void)!write(STDERR_FILENO, digits + k, sizeof digits - k);
}

inline void OnSignal(int) {
  bool second = g_interrupted.exchange(true);
  if (g_following.load()) {
    Say("\nsparkc: interrupted\n");
    return;
  }
  int running = g_running.load();
  if (second) {
    AbandonProbes();
    Say(g_rolling_back.load() ? "\nsparkc: abandoning the undo checks in flight; those undos count as failed\n"
                              : "\nsparkc: abandoning the checks in flight; those steps stay `running` and a "
                                "resumed apply checks them again\n");
    return;
  }
  if (g_rolling_back.load()) {
    Say("\nsparkc: the rollback goes on (stopping it would leave steps half undone); Ctrl-C again abandons the "
        "undo checks in flight\n");
    return;
  }
  Say("\nsparkc: stopping: no new step starts; ");
  SayNumber(running);
  Say(running == 1 ? " step still running finishes" : " steps still running finish");
  Say(" (Ctrl-C again to stop waiting for their checks)\n");
}

// SIGINT/SIGTERM stop new steps; in-flight ones run in their own process
// groups, so the terminal's SIGINT does not reach them, and they finish.
// Their checks finish too, unless a second signal abandons them: the step
// then stays `running`, and a resumed run checks it again.
class InterruptScope {
 public:
  InterruptScope() {
    g_interrupted.store(false);
    g_rolling_back.store(false);
    ResetProbeAbandonment();
    struct sigaction action = {};
    action.sa_handler = OnSignal;
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

// Everything one apply or rollback works with.
class Session {
 public:
  Session(const plan::Plan& plan, const RunOptions& options, StateStore& store, int64_t run)
      : plan_(plan), options_(options), store_(store), run_(run), reporter_(*options.out, plan, options.live, options.jobs, options.format,
                                                                      options.source_dir),
        attempts_(plan.steps.size(), 0), acted_(plan.steps.size(), 0),
        failed_before_undo_(plan.steps.size(), 0) {}

  Transition Entry(uint32_t step, StepStatus status, int64_t attempt, std::optional<int> exit_code = {},
                   std::string error = {}, AttemptLog log = {}) const {
    // The journal outlives the run: no secret value may reach it, and
    // PostgreSQL refuses text that is not UTF-8.
    return {plan_.steps[step].id, status, attempt, exit_code, ValidUtf8(Redact(std::move(error))), {}, std::move(log)};
  }
  void Record(uint32_t step, StepStatus status, int64_t attempt, std::optional<int> exit_code = {},
              std::string error = {}, AttemptLog log = {}) {
    store_.Record(run_, Entry(step, status, attempt, exit_code, std::move(error), std::move(log)));
  }

  // --report and --junit, once the run has ended; a report that cannot be
  // written is an error on stderr but does not change what the run did.
  int WriteReports(const char* command, int code) {
    reporter_.Milestone("finished",
                        {{"command", command}, {"run", run_}, {"status", status_}, {"exit_code", code},
                         {"seconds", std::round(reporter_.Elapsed() * 1000) / 1000}},
                        "");
    if (options_.report_json.empty() && options_.report_junit.empty()) return code;
    RunSummary summary{command, run_, status_, code, reporter_.Elapsed()};
    std::vector<StepOutcome> outcomes = reporter_.Outcomes();
    auto write = [&](const std::string& path, auto render) {
      std::string error;
      if (!path.empty() && !WriteFileAtomically(path, render(plan_, summary, outcomes), error))
        *options_.err << fmt::format("sparkc: error: cannot write the report `{}`: {}\n", path, error);
    };
    write(options_.report_json, JsonReport);
    write(options_.report_junit, JUnitReport);
    return code;
  }

  int Forward(std::map<std::string, StepRecord> previous) {
    auto n = static_cast<uint32_t>(plan_.steps.size());
    std::vector<bool> runnable(n, true);
    for (uint32_t i = 0; i < n; ++i) {
      auto it = previous.find(plan_.steps[i].id);
      if (it == previous.end()) continue;
      attempts_[i] = it->second.attempts;
      reporter_.Attempted(i, attempts_[i]);
      if (it->second.status == StepStatus::Succeeded) {
        runnable[i] = false;
        reporter_.Earlier(i);
      }
      if (it->second.status == StepStatus::Running && SettledByCheck(i)) runnable[i] = false;
    }
    size_t skipped = std::count(runnable.begin(), runnable.end(), false);
    if (skipped > 0) reporter_.Line(fmt::format("resuming run {}: {} of {} steps already succeeded", run_, skipped, n));
    // While steps take milliseconds (under `claim_below` on average), a
    // worker that starts one claims more ready ones with it: one commit
    // makes all their `running` durable, and the next free workers start
    // them without a commit of their own. Claimed steps start within a few
    // steps' time, so the journal's `running` stays close to the truth.
    PlannedWalk walk = ForwardWalk(plan_, options_.jobs, runnable);
    walk.options.interrupt = &g_interrupted;
    walk.options.idle = [&] { store_.Flush(); };
    walk.options.begin = [&](std::span<const uint32_t> steps) { Begin(steps); };
    walk.options.release = [&](std::span<const uint32_t> steps) { Release(steps); };
    walk.options.claim_below = options_.claim_below;
    std::vector<NodeOutcome> outcome(n, NodeOutcome::NotRun);
    Journaled([&] {
      outcome = Walk(walk.deps, walk.runnable, walk.options, [&](uint32_t i) {
        Running counted;
        bool ok = Journaled([&] { return RunStep(i); });
        outcome[i] = ok ? NodeOutcome::Succeeded : NodeOutcome::Failed;
        return ok;
      });
      store_.Flush();
      return true;
    });

    std::vector<bool> succeeded(n, false), undo(n, false);
    bool failed = false;
    for (uint32_t i = 0; i < n; ++i) {
      succeeded[i] = !runnable[i] || outcome[i] == NodeOutcome::Succeeded;
      bool failed_here = outcome[i] == NodeOutcome::Failed && !waiting_.contains(i) && !abandoned_.contains(i);
      failed |= failed_here;
      // A failed step whose action ran may have acted (a half-done helm
      // upgrade, a database created before the restore failed): its undo
      // runs too, unless the step says it is only valid after a success.
      undo[i] = succeeded[i] || (failed_here && acted_[i] && plan_.steps[i].undo_after_failure);
      if (undo[i] && !succeeded[i]) UndoAfterFailure(i);
    }
    if (!journal_error_.empty()) return AfterJournalFailure(failed, undo);
    if (!failed && std::all_of(succeeded.begin(), succeeded.end(), [](bool b) { return b; })) {
      Conclude("succeeded");
      reporter_.Line(fmt::format("apply succeeded: {} steps", n));
      return kExitOk;
    }
    if (!awaiting_.empty() && !failed) {
      Conclude("stopped");
      reporter_.Line(fmt::format("stopped: step `{}` waits for an operator; approve it with `{}` to resume",
                                 awaiting_, SparkcCommand(options_, "apply", {"--approve", awaiting_})));
      return kExitAwaitingApproval;
    }
    if (!failed) {
      Conclude("stopped");
      reporter_.Line(fmt::format("interrupted: no new step started; run `{}` again to resume",
                                 SparkcCommand(options_, "apply")));
      return kExitNeedsOperator;
    }
    if (!options_.rollback_on_failure) {
      Conclude("failed");
      reporter_.Line("apply failed; --on-failure stop leaves the run as it is: fix the cause and run "
                     "`" + SparkcCommand(options_, "apply") + "` to resume, or `" + SparkcCommand(options_, "rollback") + "`");
      return kExitNeedsOperator;
    }
    RollingBack(undo, kRollingBack);
    return Backward(undo, kExitRolledBack);
  }

  // A step its last runner left `running` (it died mid-action): its check
  // tells whether the action took effect, and then it succeeded. A step
  // with outputs runs again: only its action gives them.
  bool SettledByCheck(uint32_t i) {
    StopStrays(i);
    const plan::Step& step = plan_.steps[i];
    if (step.check.empty() || !step.outputs.empty() ||
        !EvaluateCheck(step.check, step.timeout_ms, Outputs().get()).passed)
      return false;
    Record(i, StepStatus::Succeeded, attempts_[i]);
    reporter_.Event(Verb::Ok, i, "(was running when the last runner stopped; its check passes)");
    return true;
  }

  // How `sparkc step do` ended: one attempt after another, as the walk runs
  // a step, its start durable before its action.
  enum class Ended { Succeeded, Failed, Awaiting, Abandoned, JournalFailed };
  Ended DoOne(uint32_t i) {
    bool ok = Journaled([&] {
      if (QueueAttempt(i)) store_.Flush();
      bool done = RunStep(i);
      store_.Flush();
      return done;
    });
    if (!journal_error_.empty()) return Ended::JournalFailed;
    if (ok) return Ended::Succeeded;
    if (waiting_.contains(i)) return Ended::Awaiting;
    return abandoned_.contains(i) ? Ended::Abandoned : Ended::Failed;
  }
  // ... and `sparkc step undo`.
  Ended UndoOne(uint32_t i) {
    bool ok = Journaled([&] { return UndoStep(i); });
    if (!journal_error_.empty()) return Ended::JournalFailed;
    return ok ? Ended::Succeeded : Ended::Failed;
  }
  const std::string& JournalError() const { return journal_error_; }

  // For the JSON events; the text says nothing of a start.
  void Started(const char* command, bool resumed) {
    reporter_.Milestone("started",
                        {{"command", command}, {"run", run_}, {"plan", plan_.digest}, {"steps", plan_.steps.size()},
                         {"jobs", options_.jobs}, {"resumed", resumed}},
                        "");
  }

  void RollingBack(const std::vector<bool>& undo, const std::string& text) {
    reporter_.Milestone("rollback_started", {{"steps", std::count(undo.begin(), undo.end(), true)}}, text);
  }

  // The attempts a run journaled: its undos are journaled (and their
  // output kept) under the attempt they undo.
  void Attempted(const std::map<std::string, StepRecord>& steps) {
    for (uint32_t i = 0; i < plan_.steps.size(); ++i)
      if (auto it = steps.find(plan_.steps[i].id); it != steps.end()) {
        attempts_[i] = it->second.attempts;
        reporter_.Attempted(i, attempts_[i]);
      }
  }

  // Step i failed after its action ran; its undo is journaled as such.
  void UndoAfterFailure(uint32_t i) { failed_before_undo_[i] = 1; }

  // CI asking for reports of a plan applied before gets them all succeeded.
  int AlreadyApplied() {
    for (uint32_t i = 0; i < plan_.steps.size(); ++i) reporter_.Earlier(i);
    status_ = "succeeded";
    return kExitOk;
  }

  // Before a rollback: a step a dead runner left `running` was applied only
  // if its check passes; one left `undoing` is undone if its check fails.
  // Without a check nobody can tell, so its undo runs.
  void SettleInterrupted(const std::vector<StepStatus>& status, std::vector<bool>& undo) {
    for (uint32_t i = 0; i < status.size(); ++i) {
      if (!undo[i] || (status[i] != StepStatus::Running && status[i] != StepStatus::Undoing)) continue;
      StopStrays(i);
      const plan::Step& step = plan_.steps[i];
      if (step.check.empty() || EvaluateCheck(step.check, step.timeout_ms, Outputs().get()).passed) continue;
      undo[i] = false;
      Record(i, StepStatus::Undone, attempts_[i]);
      reporter_.Event(Verb::Undone, i, status[i] == StepStatus::Running
                                           ? "(was running when the last runner stopped; its check fails, so it "
                                             "did not take effect)"
                                           : "(was being undone when the last runner stopped; its check no longer "
                                             "holds)");
    }
  }

  // Undoes `undo[i]` steps in reverse dependency order.
  int Backward(const std::vector<bool>& undo, int success_code) {
    auto n = static_cast<uint32_t>(plan_.steps.size());
    PlannedWalk walk = RollbackWalk(plan_, options_.jobs, undo);
    std::vector<NodeOutcome> outcome(n, NodeOutcome::NotRun);
    g_rolling_back.store(true);
    Journaled([&] {
      Walk(walk.deps, walk.runnable, walk.options, [&](uint32_t k) {
        Running counted;
        uint32_t i = RollbackStep(n, k);
        bool ok = Journaled([&] { return UndoStep(i); });
        outcome[i] = ok ? NodeOutcome::Succeeded : NodeOutcome::Failed;
        return ok;
      });
      return true;
    });
    std::vector<std::string> left;
    for (uint32_t i = 0; i < n; ++i)
      if (undo[i] && outcome[i] != NodeOutcome::Succeeded) left.push_back(plan_.steps[i].id);
    if (!journal_error_.empty())
      *options_.err << fmt::format("sparkc: error[E0903]: state store: the journal cannot be written: {}; "
                                   "no further undo started\n", Redact(journal_error_));
    if (left.empty() && Journaled([&] {
          Conclude("rolled_back");
          return true;
        })) {
      reporter_.Line(fmt::format("rollback complete: every step that acted is undone ({} undo{} verified by "
                                 "undo_check, {} without one)",
                                 verified_undos_, verified_undos_ == 1 ? "" : "s", unverified_undos_));
      return success_code;
    }
    if (left.empty()) {
      // Every undo is recorded, but not the run's end: the journal must say
      // so before sparkc may.
      *options_.err << fmt::format("sparkc: error[E0903]: state store: every step is undone, but the journal "
                                   "cannot record the rollback's end: {}\n", Redact(journal_error_));
      return kExitNeedsOperator;
    }
    Journaled([&] {
      Conclude("rollback_failed");
      return true;
    });
    std::string list;
    for (const std::string& id : left) list += (list.empty() ? "" : ", ") + id;
    reporter_.Line(fmt::format("rollback incomplete: still applied: {}", list));
    reporter_.Line(fmt::format("the journal records each step's state; see `{}`", SparkcCommand(options_, "status")));
    return kExitNeedsOperator;
  }

 private:
  // A journal write that fails (the store is locked or unreachable, or
  // PostgreSQL timed out) stops new steps like an interrupt: nothing may
  // act that the journal cannot record first. The first error is kept.
  bool Journaled(const std::function<bool()>& work) {
    try {
      return work();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      if (journal_error_.empty()) journal_error_ = e.what();
      g_interrupted.store(true);
      return false;
    }
  }

  // The walk stopped because the journal could not be written. A failure
  // before that is still rolled back (as far as the journal lets the undos
  // be recorded); otherwise the run stays resumable.
  int AfterJournalFailure(bool failed, const std::vector<bool>& undo) {
    *options_.err << fmt::format("sparkc: error[E0903]: state store: the journal cannot be written: {}\n",
                                 Redact(journal_error_));
    if (failed && options_.rollback_on_failure) {
      journal_error_.clear();
      g_interrupted.store(false);
      RollingBack(undo, kRollingBack);
      return Backward(undo, kExitRolledBack);
    }
    Journaled([&] {
      Conclude("stopped");
      return true;
    });
    reporter_.Line("stopped: no new step started; run `" + SparkcCommand(options_, "apply") + "` again to resume once the state store "
                   "can be written");
    return kExitNeedsOperator;
  }

  static bool ChangesNothing(const plan::Step& step) {
    auto noop = [](const plan::Action& a) { return a.kind == plan::Action::Kind::Noop; };
    bool no_undo = step.undo.kind == plan::Undo::Kind::None ||
                   (step.undo.kind == plan::Undo::Kind::Action && noop(step.undo.action));
    return noop(step.action) && step.check.empty() && no_undo;
  }

  // A no-op begins nothing, so it has no `running` to record (or release).
  static bool RecordsRunning(const plan::Step& step) { return step.action.kind != plan::Action::Kind::Noop; }

  // Queues the start of step i's next attempt; true when it must be
  // committed before the action starts: `running` is durable first, so that
  // a resumed run knows the action may have begun (and with it every success
  // queued before). A no-op begins nothing, but one with a check may take a
  // while, so what is queued goes out first.
  bool QueueAttempt(uint32_t i) {
    const plan::Step& step = plan_.steps[i];
    int64_t number = ++attempts_[i];
    if (RecordsRunning(step)) {
      store_.RecordLater(run_, Entry(i, StepStatus::Running, number));
      return true;
    }
    return !ChangesNothing(step);
  }

  // The first attempts of steps the walk starts, in one commit.
  void Begin(std::span<const uint32_t> steps) {
    bool commit = false;
    for (uint32_t i : steps) commit |= QueueAttempt(i);
    if (commit) store_.Flush();
  }

  // Claimed with another step's start, never started: the run stopped first.
  // The journal says so, and a resumed run starts them as new attempts.
  void Release(std::span<const uint32_t> steps) {
    for (uint32_t i : steps)
      if (RecordsRunning(plan_.steps[i]))
        store_.RecordLater(run_, Entry(i, StepStatus::Pending, attempts_[i], {},
                                       "claimed, not started: the run stopped first"));
    store_.Flush();
  }

  // The walk has begun the first attempt (Begin); retries begin their own.
  bool RunStep(uint32_t i) {
    const plan::Step& step = plan_.steps[i];
    for (int64_t attempt = 1; attempt <= step.retries + 1; ++attempt) {
      if (attempt > 1 && QueueAttempt(i)) store_.Flush();
      int64_t number = attempts_[i];
      reporter_.Event(Verb::Start, i, attempt > 1 ? fmt::format("(attempt {})", attempt) : "");
      ActionContext context{step, &options_.approvals, options_.approver, nullptr, &reporter_, options_.interactive, Tag(i), i};
      std::shared_ptr<const OutputTable> known = Outputs();
      ActionResult result = Perform(step, step.action, *known, context);
      if (result.kind != ActionResult::Kind::NeedsApproval) acted_[i] = 1;
      if (result.kind == ActionResult::Kind::NeedsApproval) {
        Record(i, StepStatus::Awaiting, number, {}, result.message);
        reporter_.Event(Verb::Wait, i, result.message);
        std::lock_guard lock(mutex_);
        if (awaiting_.empty()) awaiting_ = step.id;
        waiting_.insert(i);
        return false;  // stops new steps, like a failure, but rolls nothing back
      }
      std::vector<std::pair<std::string, OutputValue>> values;
      if (result.ok() && !step.outputs.empty()) {
        std::string error;
        if (!result.result || !EvaluateOutputs(step, *result.result, *known, values, error))
          result.Fail(error.empty() ? "its `do` gave no result to take outputs from" : error, 0);
        else known = WithOutputs(step, values);
      }
      if (result.ok() && !step.check.empty()) {
        CheckOutcome check = EvaluateCheck(step.check, step.timeout_ms, known.get());
        if (check.abandoned) {
          reporter_.Event(Verb::Stop, i, "its check was abandoned; a resumed run checks it again");
          std::lock_guard lock(mutex_);
          abandoned_.insert(i);
          return false;  // stays `running`: nobody knows whether it took effect
        }
        if (!check.passed) result.Fail("check failed: " + check.detail, 0);
      }
      if (result.ok()) {
        std::string detail;
        if (result.approval) {
          if (!options_.approvals_journaled) store_.RecordApproval(run_, *result.approval);
          reporter_.Approved(i, result.approval->by, result.approval->source);
          detail = fmt::format("approved by {} ({})", result.approval->by, result.approval->source);
        }
        // A success need not wait for the disk on its own: it goes out
        // with the next commit, which is always before any dependent
        // starts (its `running`, or the flush before a no-op with a check)
        // and at the latest when a worker finds nothing to start (the
        // walk's idle hook) or the run ends. One commit then carries this
        // success and the next step's start. A crash before it leaves the
        // step `running`: a resumed run checks it (or, with no check, runs
        // it again), as for a crash just after the action.
        if (!values.empty()) {
          // Durable before any step that uses them can start, and in the
          // same transaction as the success: a resumed run finds both or
          // neither (and then runs the step again).
          Transition t{step.id, StepStatus::Succeeded, number, {}, {}, {}, std::move(result.log)};
          for (const auto& [name, value] : values) {
            std::string stored = value.encoded, error;
            if (value.secret && !Seal(value.encoded, OutputSealContext(run_, step.id, name), stored, error))
              throw std::runtime_error(error);
            t.outputs.emplace_back(name, std::move(stored));
          }
          store_.Record(run_, t);
          Publish(known);
        } else {
          store_.RecordLater(run_, Entry(i, StepStatus::Succeeded, number, {}, {}, std::move(result.log)));
        }
        reporter_.Event(Verb::Ok, i, detail);
        return true;
      }
      Record(i, StepStatus::Failed, number, result.exit_code, result.message, result.log);
      bool last = attempt == step.retries + 1;
      reporter_.Event(last ? Verb::Fail : Verb::Retry, i, result.message);
      if (!result.output.empty()) reporter_.Output(i, result.output, &result.log);
      if (!last) std::this_thread::sleep_for(std::chrono::milliseconds(plan::RetryBackoffMs(attempt)));
    }
    return false;
  }

  bool UndoStep(uint32_t i) {
    const plan::Step& step = plan_.steps[i];
    int64_t attempt = attempts_[i];
    bool after_failure = failed_before_undo_[i] != 0;
    switch (step.undo.kind) {
      case plan::Undo::Kind::None:
        Record(i, StepStatus::Undone, attempt, {}, after_failure ? "undone after a failed attempt" : "");
        reporter_.Event(Verb::Undone, i, "(undo = none: nothing to invert)");
        return true;
      case plan::Undo::Kind::Irreversible:
        Record(i, StepStatus::Blocked, attempt, {}, "irreversible: " + step.undo.reason);
        reporter_.Event(Verb::Stop, i, "is irreversible; rollback stops before it and the steps it depends on");
        reporter_.Output(i, step.undo.reason);
        return false;
      case plan::Undo::Kind::Action: break;
    }
    Record(i, StepStatus::Undoing, attempt);
    reporter_.Event(Verb::Undo, i);
    ActionContext context{step, &options_.approvals, options_.approver, nullptr, &reporter_, options_.interactive, Tag(i), i};
    std::shared_ptr<const OutputTable> known = Outputs();
    ActionResult result = Perform(step, step.undo.action, *known, context);
    if (result.ok() && !step.undo_check.empty()) {
      // The undo's postcondition: an undo that ran but did not restore what
      // it should (a failback that lost writes) is a failed undo.
      CheckOutcome check = EvaluateCheck(step.undo_check, step.timeout_ms, known.get());
      if (!check.passed) result.Fail("undo_check failed: " + check.detail, 0);
    }
    if (result.ok()) {
      Record(i, StepStatus::Undone, attempt, {}, after_failure ? "undone after a failed attempt" : "", result.log);
      reporter_.Event(Verb::Undone, i, step.undo_check.empty() ? "" : "(undo_check holds)");
      std::lock_guard lock(mutex_);
      ++(step.undo_check.empty() ? unverified_undos_ : verified_undos_);
      return true;
    }
    Record(i, StepStatus::UndoFailed, attempt, result.exit_code, result.message, result.log);
    reporter_.Event(Verb::UndoFail, i, "undo failed: " + result.message);
    if (!result.output.empty()) reporter_.Output(i, result.output, &result.log);
    return false;
  }

  // The action with the outputs it uses filled in now, then performed.
  static ActionResult Perform(const plan::Step& step, const plan::Action& action, const OutputTable& known,
                              const ActionContext& context) {
    if (step.inputs.empty()) return PerformAction(action, context);
    plan::Action resolved = action;
    std::string error;
    if (!ResolveInputs(resolved, known, step.timeout_ms, error)) return ActionResult::Failure(error, 1);
    if (resolved.kind == plan::Action::Kind::Http && !resolved.url.starts_with("http://") &&
        !resolved.url.starts_with("https://"))
      return ActionResult::Failure(fmt::format("`{}` is not an http:// or https:// URL", Redact(resolved.url)), 1);
    return PerformAction(resolved, context);
  }

  std::shared_ptr<const OutputTable> Outputs() {
    std::lock_guard lock(outputs_mutex_);
    return outputs_;
  }

  // The outputs known now and the step's new ones, not yet visible to other
  // steps (Publish, once journaled).
  std::shared_ptr<const OutputTable> WithOutputs(const plan::Step& step,
                                                 const std::vector<std::pair<std::string, OutputValue>>& values) {
    auto next = std::make_shared<OutputTable>(*Outputs());
    for (const auto& [name, value] : values) (*next)[plan::InputName(step.id, name)] = value;
    return next;
  }

  // Copy on write: readers keep the table they took while a step adds to it.
  void Publish(const std::shared_ptr<const OutputTable>& with) {
    std::lock_guard lock(outputs_mutex_);
    auto merged = std::make_shared<OutputTable>(*outputs_);
    for (const auto& [key, value] : *with) merged->insert_or_assign(key, value);
    outputs_ = std::move(merged);
  }

 public:
  // The outputs this run journaled (a resumed run's, a rollback's). False,
  // said on stderr, when a secret one cannot be opened.
  bool LoadOutputs() {
    auto table = std::make_shared<OutputTable>();
    std::string error;
    if (!LoadRunOutputs(plan_, store_, run_, *table, error)) {
      *options_.err << fmt::format("sparkc: error[E0903]: state store: {}\n", error);
      return false;
    }
    std::lock_guard lock(outputs_mutex_);
    outputs_ = std::move(table);
    return true;
  }

 private:
  // Identifies the processes this step starts, across runner restarts.
  std::string Tag(uint32_t i) const { return fmt::format("{}#{}#{}", state_path_, run_, plan_.steps[i].id); }

  void StopStrays(uint32_t i) {
    if (int n = KillStrays(Tag(i)); n > 0)
      reporter_.Line(fmt::format("stopped {} process{} of `{}` left running by the runner that died", n,
                                 n == 1 ? "" : "es", plan_.steps[i].id));
  }

  void Conclude(std::string status) {
    store_.SetRunStatus(run_, status);
    status_ = std::move(status);
  }

  const plan::Plan& plan_;
  const RunOptions& options_;
  StateStore& store_;
  int64_t run_;
  Reporter reporter_;
  // Per step, sized up front: workers update different steps at once,
  // which a map's insertions would race on.
  std::vector<int64_t> attempts_;
  std::vector<char> acted_;  // an attempt's action ran (not vector<bool>: workers write at once)
  std::vector<char> failed_before_undo_;
  std::mutex mutex_;
  std::mutex outputs_mutex_;
  std::shared_ptr<const OutputTable> outputs_ = std::make_shared<const OutputTable>();
  std::string awaiting_;
  std::set<uint32_t> waiting_;  // steps stopped for an approval
  std::set<uint32_t> abandoned_;  // steps whose check a second signal stopped
  std::string journal_error_;   // the first journal write that failed
  int verified_undos_ = 0, unverified_undos_ = 0;  // undos that ran an action
  std::string status_ = "running";
  std::string state_path_ = IsPostgresUrl(options_.state_dir)
                                ? DisplayLocation(options_.state_dir)
                                : std::filesystem::absolute(options_.state_dir).lexically_normal().string();
};

// The lock and the store, or the exit code that explains why not.
struct Opened {
  std::unique_ptr<StoreLock> lock;
  std::unique_ptr<StateStore> store;
  int exit_code = kExitOk;
};

// Whose jobs hold the store's last run, when an engine's do.
inline bool EngineHolds(const RunOptions& options, std::string& holder) {
  std::string error;
  std::unique_ptr<StateStore> store = StateStore::Open(options.state_dir, error);
  try {
    return store && RunHeldByEngine(*store, *CommandLineSlurm(), holder);
  } catch (const std::exception&) {
    return false;
  }
}

inline Opened OpenState(const RunOptions& options) {
  Opened opened;
  std::string holder, error;
  opened.lock = StoreLock::Acquire(options.state_dir, holder, error);
  if (!opened.lock) {
    if (!error.empty()) {
      opened.exit_code = ReportStateError(options, error);
    } else if (std::string engine; holder == kStepClaimants && EngineHolds(options, engine)) {
      opened.exit_code = RefuseHeldByEngine(options, engine);
    } else {
      *options.err << fmt::format("sparkc: error: the state store `{}` is locked by {}\n"
                                  "  help: wait for that run to finish; a lock left by a dead process is released "
                                  "automatically\n", DisplayLocation(options.state_dir), holder);
      opened.exit_code = kExitLocked;
    }
    return opened;
  }
  opened.store = OpenStoreOrReport(options);
  if (!opened.store) opened.exit_code = kExitNeedsOperator;
  return opened;
}

// A plan with secret outputs journals them sealed: without the key nothing
// could be journaled (or opened again), so nothing starts.
inline std::optional<int> RefuseWithoutStateKey(const plan::Plan& plan, const RunOptions& options) {
  for (const plan::Step& step : plan.steps)
    for (const plan::Output& out : step.outputs) {
      if (!out.secret || HaveStateKey()) continue;
      *options.err << fmt::format(
          "sparkc: error: output `{}.{}` is a secret (`{}` reads one), and secret outputs are journaled "
          "encrypted, never in clear\n"
          "  help: set {} to a key of your own (for example `openssl rand -hex 32`), the same for every run "
          "that resumes or rolls back this one\n",
          step.id, out.name, step.id, kStateKeyVariable);
      return kExitUsage;
    }
  return std::nullopt;
}


// Which run an apply of `plan` continues or starts, by the journal's rules:
// the last run when it applied this plan (already_applied) or is unfinished
// (resumed: `previous` holds its steps), else a new one once the
// preconditions hold. `refused`: the exit code, the reason said on err.
struct RunChoice {
  int64_t run = 0;
  bool already_applied = false;
  std::map<std::string, StepRecord> previous;
  std::optional<int> refused;
};
RunChoice ChooseRun(const plan::Plan& plan, const RunOptions& options, StateStore& store);

}  // namespace sparkc::runtime::detail
