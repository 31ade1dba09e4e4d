// Performing one action of a plan (do or undo).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "compiler/plan/plan.h"
#include "runtime/apply/approvals.h"
#include "runtime/apply/reporter.h"
#include "runtime/probe/condition.h"

namespace sparkc::runtime {

struct ActionContext {
  const plan::Step& step;               // its id, and for a gate its approvers
  const Approvals* approvals = nullptr;  // given before the run
  std::string approver;                 // who answers a prompt at a terminal
  const std::atomic<bool>* cancel = nullptr;
  Reporter* reporter = nullptr;
  bool interactive = false;              // a terminal, not CI: ask the operator
  std::string tag;                       // SPARKC_STEP for the processes it starts
  uint32_t index = 0;                    // the step's index in the plan, for the reporter
};

struct ActionResult {
  enum class Kind { Ok, Failed, NeedsApproval } kind = Kind::Ok;
  std::string message;  // why it failed
  std::string output;   // the tail of captured output, for the log
  int exit_code = 0;
  std::optional<Approval> approval;  // who let a manual step or gate pass
  // What a successful exec, shell or http.request gave, for the step's outputs.
  std::optional<ActionOutput> result;
  // What it printed (a request: the response's body), for the journal.
  AttemptLog log;

  bool ok() const { return kind == Kind::Ok; }
  // An action that ran but whose result is refused (its check, its
  // outputs): a failure that keeps what it printed.
  void Fail(std::string why, int code) {
    kind = Kind::Failed;
    message = std::move(why);
    exit_code = code;
  }
  static ActionResult Failure(std::string message, int exit_code) {
    ActionResult r;
    r.kind = Kind::Failed;
    r.message = std::move(message);
    r.exit_code = exit_code;
    return r;
  }
};

ActionResult PerformAction(const plan::Action& action, const ActionContext& context);

// Streams as the journal keeps them: each one's tail of at most kLogCap
// bytes, redacted, valid UTF-8.
AttemptLog CapturedLog(std::string_view out, std::string_view err, bool truncated);

// "exec mkdir -p out": how logs and dry runs name an action.
std::string DescribeAction(const plan::Action& action);
// The same for an action of `step`: a value it takes from an output shows as
// `<output find_leader.leader>`.
std::string DescribeStepAction(const plan::Step& step, const plan::Action& action);
// A residual expression (a check) with its outputs written that way.
std::string DescribeResidual(const std::string& expr);

// Every secret reference the plan's actions, undos, checks, runtime
// invariants and preconditions name, for CaptureEnvironmentSecrets.
std::vector<std::string> SecretRefs(const plan::Plan& plan);

}  // namespace sparkc::runtime
