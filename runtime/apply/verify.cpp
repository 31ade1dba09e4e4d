// `sparkc verify`: the checks of the steps a run applied, evaluated against
// the live system. Changes nothing and takes no lock.
#include <fmt/format.h>

#include <map>

#include "compiler/source/source.h"
#include "runtime/apply/actions.h"
#include "runtime/apply/apply.h"
#include "runtime/secret/secret.h"
#include "runtime/apply/state_access.h"
#include "runtime/probe/condition.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

constexpr int64_t kInvariantTimeoutMs = 60'000;

int Verify(const plan::Plan& plan, const RunOptions& options) {
  CaptureEnvironmentSecrets(SecretRefs(plan));
  auto store = OpenStoreOrReport(options);
  if (!store) return kExitNeedsOperator;
  std::optional<RunInfo> last;
  std::map<std::string, StepRecord> steps;
  try {
    last = store->LastRun();
    if (last) steps = store->Steps(last->id);
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
  if (!last || last->digest != plan.digest) {
    *options.out << fmt::format("no run of this plan ({}) in `{}`; nothing to verify\n", plan.digest,
                                DisplayLocation(options.state_dir));
    return kExitOk;
  }
  size_t checked = 0, drifted = 0;
  for (const plan::Step& step : plan.steps) {
    auto it = steps.find(step.id);
    if (it == steps.end() || it->second.status != StepStatus::Succeeded || step.check.empty()) continue;
    if (!step.verify) {
      *options.out << fmt::format("skip   {}  (verify = false: its check holds only at the moment of the step)\n",
                                  Printable(step.id));
      continue;
    }
    ++checked;
    CheckOutcome outcome = EvaluateCheck(step.check, step.timeout_ms);
    if (outcome.passed) {
      *options.out << fmt::format("ok     {}\n", Printable(step.id));
    } else {
      ++drifted;
      *options.out << fmt::format("DRIFT  {}: {}\n", Printable(step.id), Printable(outcome.detail));
    }
  }
  // Runtime invariants describe the system the plan produces: they are due
  // once a run of this plan has finished.
  if (last->status == "succeeded") {
    for (const plan::Invariant& inv : plan.invariants) {
      if (!inv.runtime) continue;
      ++checked;
      CheckOutcome outcome = EvaluateCheck(inv.expr, kInvariantTimeoutMs);
      if (outcome.passed) {
        *options.out << fmt::format("ok     invariant {}\n", Printable(inv.id));
      } else {
        ++drifted;
        *options.out << fmt::format("DRIFT  invariant {}: {}\n", Printable(inv.id), Printable(outcome.detail));
      }
    }
  }
  *options.out << fmt::format("{} of {} checks hold (run {}, {})\n", checked - drifted, checked, last->id,
                              last->status);
  return drifted == 0 ? kExitOk : kExitDrift;
}

}  // namespace sparkc::runtime
