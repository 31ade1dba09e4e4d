// `sparkc verify`: the checks of the steps a run applied, evaluated against
// the live system. Changes nothing and takes no lock.
#include <fmt/format.h>

#include <map>

#include "compiler/source/source.h"
#include "runtime/apply/actions.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/preconditions.h"
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
  OutputTable outputs;  // the checks that use outputs use the run's
  try {
    last = store->LastRun();
    if (last) steps = store->Steps(last->id);
    std::string error;
    if (last && last->digest == plan.digest && !LoadRunOutputs(plan, *store, last->id, outputs, error))
      return ReportStateError(options, "state store: " + error);
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
  // Before any run of the plan, `verify` asks whether the world is ready:
  // the preconditions `apply` would evaluate. After one, they described the
  // world before it, and the steps' checks and the invariants are due.
  if (!last || last->digest != plan.digest) {
    PreconditionCount pre = CheckPreconditions(plan, *options.out);
    if (pre.held + pre.failed == 0) {
      *options.out << fmt::format("no run of this plan ({}) in `{}`; nothing to verify\n", plan.digest,
                                  DisplayLocation(options.state_dir));
      return kExitOk;
    }
    *options.out << fmt::format("{} of {} preconditions hold; no run of this plan yet\n", pre.held,
                                pre.held + pre.failed);
    return pre.failed == 0 ? kExitOk : kExitPreconditionFailed;
  }
  for (const plan::Invariant& pre : plan.preconditions)
    if (pre.runtime)
      *options.out << fmt::format("skip   require {}  (a precondition: evaluated before run {} started)\n",
                                  Printable(pre.id), last->id);
  size_t checked = 0, drifted = 0, unknown = 0;
  // A check whose probe failed (the service gone, the file deleted, no
  // nvidia-smi) does not hold either: drift, whose detail says that the
  // probe failed and why, and which the summary counts apart.
  auto report = [&](const std::string& what, const CheckOutcome& outcome) {
    ++checked;
    if (outcome.passed) {
      *options.out << fmt::format("ok     {}\n", what);
      return;
    }
    ++drifted;
    unknown += outcome.unknown;
    *options.out << fmt::format("DRIFT  {}: {}{}\n", what, outcome.unknown ? "cannot be evaluated: " : "",
                                Printable(outcome.detail));
  };
  for (const plan::Step& step : plan.steps) {
    auto it = steps.find(step.id);
    if (it == steps.end() || it->second.status != StepStatus::Succeeded || step.check.empty()) continue;
    if (!step.verify) {
      *options.out << fmt::format("skip   {}  (verify = false: its check holds only at the moment of the step)\n",
                                  Printable(step.id));
      continue;
    }
    report(Printable(step.id), EvaluateCheck(step.check, step.timeout_ms, &outputs));
  }
  // Runtime invariants describe the system the plan produces: they are due
  // once a run of this plan has finished.
  if (last->status == "succeeded") {
    for (const plan::Invariant& inv : plan.invariants) {
      if (inv.runtime) report("invariant " + Printable(inv.id), EvaluateCheck(inv.expr, kInvariantTimeoutMs));
    }
  }
  *options.out << fmt::format("{} of {} checks hold{} (run {}, {})\n", checked - drifted, checked,
                              unknown == 0 ? "" : fmt::format(", {} could not be evaluated", unknown), last->id,
                              last->status);
  return drifted == 0 ? kExitOk : kExitDrift;
}

}  // namespace sparkc::runtime
