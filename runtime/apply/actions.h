// Performing one action of a plan (do or undo).
#pragma once

#include <atomic>
#include <set>
#include <string>

#include "compiler/plan/plan.h"
#include "runtime/apply/reporter.h"

namespace sparkc::runtime {

struct ActionContext {
  std::string step;
  int64_t timeout_ms = 0;
  const std::set<std::string>* approvals = nullptr;  // --approve IDs
  const std::atomic<bool>* cancel = nullptr;
  Reporter* reporter = nullptr;
};

struct ActionResult {
  enum class Kind { Ok, Failed, NeedsApproval } kind = Kind::Ok;
  std::string message;  // why it failed
  std::string output;   // the tail of captured output, for the log
  int exit_code = 0;

  bool ok() const { return kind == Kind::Ok; }
};

ActionResult PerformAction(const plan::Action& action, const ActionContext& context);

// "exec mkdir -p out": how logs and dry runs name an action.
std::string DescribeAction(const plan::Action& action);

}  // namespace sparkc::runtime
