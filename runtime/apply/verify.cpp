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

namespace {

// One line of the answer: a check, invariant or precondition evaluated now,
// or one skipped with the reason.
struct Verdict {
  std::string kind;  // "step", "invariant", "precondition"
  std::string id;
  std::string state;  // "ok", "drift", "skip" (a precondition: "ok" or "false")
  CheckOutcome outcome;
  std::string why;  // skip: why it is not evaluated
};

std::string TextLine(const Verdict& v) {
  std::string what = v.kind == "step" ? Printable(v.id) : v.kind == "invariant" ? "invariant " + Printable(v.id)
                                                                              : "require " + Printable(v.id);
  if (v.state == "ok") return fmt::format("ok     {}\n", what);
  if (v.state == "skip") return fmt::format("skip   {}  ({})\n", what, v.why);
  return fmt::format("DRIFT  {}: {}{}\n", what, v.outcome.unknown ? "cannot be evaluated: " : "",
                     Printable(v.outcome.detail));
}

JsonEvent VerdictJson(const Verdict& v) {
  JsonEvent out = {{"kind", v.kind}, {"id", v.id}, {"state", v.state}};
  if (v.state == "skip") out["why"] = v.why;
  if (v.state == "drift" || v.state == "false") {
    out["evaluated"] = !v.outcome.unknown;
    out["detail"] = v.outcome.detail;
  }
  return out;
}

}  // namespace

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
  bool json = options.format == OutputFormat::Json;
  JsonEvent doc = {{"type", "verify"}, {"plan", plan.digest}};
  // Before any run of the plan, `verify` asks whether the world is ready:
  // the preconditions `apply` would evaluate. After one, they described the
  // world before it, and the steps' checks and the invariants are due.
  if (!last || last->digest != plan.digest) {
    std::vector<PreconditionResult> results = EvaluatePreconditions(plan);
    PreconditionCount pre = Count(results);
    if (results.empty()) {
      // Nothing was applied, so nothing can be verified: saying "ok" here
      // would tell CI that a system no run touched is as planned.
      *options.err << fmt::format("sparkc: error: no run of this plan ({}) in `{}`: nothing was applied, so "
                                  "nothing is verified\n"
                                  "  help: apply it first, or name the store that ran it with --state\n",
                                  plan.digest, DisplayLocation(options.state_dir));
      if (json) *options.out << JsonLine({{"type", "verify"}, {"plan", plan.digest}, {"run", nullptr},
                                          {"exit_code", kExitDrift}});
      return kExitDrift;
    }
    int code = pre.failed == 0 ? kExitOk : kExitPreconditionFailed;
    if (json) {
      JsonEvent list = JsonEvent::array();
      for (const PreconditionResult& r : results) list.push_back(PreconditionJson(r));
      doc["run"] = nullptr;
      doc["preconditions"] = std::move(list);
      doc["holds"] = pre.held;
      doc["total"] = pre.held + pre.failed;
      doc["exit_code"] = code;
      *options.out << JsonLine(doc);
      return code;
    }
    for (const PreconditionResult& r : results) *options.out << PreconditionLine(r, OutputFormat::Text);
    *options.out << fmt::format("{} of {} preconditions hold; no run of this plan yet\n", pre.held,
                                pre.held + pre.failed);
    return code;
  }
  std::vector<Verdict> verdicts;
  for (const plan::Invariant& pre : plan.preconditions)
    if (pre.runtime)
      verdicts.push_back({"precondition", pre.id, "skip", {},
                          fmt::format("a precondition: evaluated before run {} started", last->id)});
  // A check whose probe failed (the service gone, the file deleted, no
  // nvidia-smi) does not hold either: drift, whose detail says that the
  // probe failed and why, and which the summary counts apart.
  auto evaluate = [&](const char* kind, const std::string& id, const std::string& expr, int64_t timeout_ms,
                      const OutputTable* known) {
    CheckOutcome outcome = EvaluateCheck(expr, timeout_ms, known);
    verdicts.push_back({kind, id, outcome.passed ? "ok" : "drift", outcome, ""});
  };
  for (const plan::Step& step : plan.steps) {
    auto it = steps.find(step.id);
    if (it == steps.end() || it->second.status != StepStatus::Succeeded || step.check.empty()) continue;
    if (!step.verify)
      verdicts.push_back({"step", step.id, "skip", {}, "verify = false: its check holds only at the moment of the step"});
    else
      evaluate("step", step.id, step.check, step.timeout_ms, &outputs);
  }
  // Runtime invariants describe the system the plan produces: they are due
  // once a run of this plan has finished.
  if (last->status == "succeeded")
    for (const plan::Invariant& inv : plan.invariants)
      if (inv.runtime) evaluate("invariant", inv.id, inv.expr, kInvariantTimeoutMs, nullptr);
  size_t checked = 0, drifted = 0, unknown = 0;
  for (const Verdict& v : verdicts) {
    if (v.state == "skip") continue;
    ++checked;
    drifted += v.state == "drift";
    unknown += v.state == "drift" && v.outcome.unknown;
  }
  int code = drifted == 0 ? kExitOk : kExitDrift;
  if (json) {
    JsonEvent list = JsonEvent::array();
    for (const Verdict& v : verdicts) list.push_back(VerdictJson(v));
    doc["run"] = {{"id", last->id}, {"status", last->status}};
    doc["checks"] = std::move(list);
    doc["holds"] = checked - drifted;
    doc["total"] = checked;
    doc["not_evaluated"] = unknown;
    doc["exit_code"] = code;
    *options.out << JsonLine(doc);
    return code;
  }
  for (const Verdict& v : verdicts) *options.out << TextLine(v);
  *options.out << fmt::format("{} of {} checks hold{} (run {}, {})\n", checked - drifted, checked,
                              unknown == 0 ? "" : fmt::format(", {} could not be evaluated", unknown), last->id,
                              last->status);
  return code;
}

}  // namespace sparkc::runtime
