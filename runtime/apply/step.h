// `sparkc step`: one step of a run, run by whatever schedules it (a Slurm
// job, an Argo task, a person). The journal, not the scheduler, makes each
// step happen once: a step is claimed before it runs (StoreLock::Claim), and
// what the journal already says decides what running it again does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "compiler/plan/plan.h"
#include "runtime/apply/apply.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

enum class StepVerb {
  Begin,   // the run an engine submits: the last one resumed, or a new one (prints its number)
  Do,      // the step's next attempt, unless it already succeeded
  Undo,    // its undo, unless it never acted or is undone
  Check,   // evaluates its check (exit 5 when false); changes nothing
  Finish,  // concludes the run: succeeded, or rolled back after a failure
};

// How `finish` rolls a failed run back (runtime/engine/slurm.h has the Slurm
// one); empty: in this process, as `sparkc rollback` does.
using RollbackRunner = std::function<int(const plan::Plan&, const RunOptions&, int64_t run)>;

struct StepRequest {
  StepVerb verb = StepVerb::Do;
  std::string step;  // Do, Undo, Check
  int64_t run = 0;   // all but Begin
  RollbackRunner rollback;  // Finish
};

// What a rollback undoes: a step that acted and is not undone (one whose
// undo failed, was blocked or was cut short is still applied; one a dead
// runner left running may have acted; a failed one acted if its undo is
// valid after a failure).
bool NeedsUndo(std::optional<StepStatus> status, const plan::Step& step);

// Exit codes: 0 done (or nothing to do, said so), 1 the plan is not the
// run's, 2 no such run or step, 3 (finish) rolled back after a failure,
// 4 the step failed or its undo did, 5 (check) the check does not hold,
// 6 a gate or manual step waits for `sparkc approve`, 7 another process has
// claimed the step (or an apply holds the store), 8 a step it comes after
// has not succeeded (do) or one after it is still applied (undo).
int RunStepCommand(const plan::Plan& plan, const RunOptions& options, const StepRequest& request);

}  // namespace sparkc::runtime
