#include "runtime/apply/state_access.h"

#include "compiler/plan/signature.h"
#include "compiler/plan/template.h"
#include "runtime/secret/secret.h"

#include <fmt/format.h>

namespace sparkc::runtime {

int ReportStateError(const RunOptions& options, std::string_view message) {
  *options.err << fmt::format("sparkc: error[E0903]: {}\n", message);
  return kExitNeedsOperator;
}

std::unique_ptr<StateStore> OpenStoreOrReport(const RunOptions& options) {
  std::string error;
  auto store = StateStore::Open(options.state_dir, error);
  if (!store) ReportStateError(options, error);
  return store;
}

bool ReadStoredPlan(const RunInfo& run, plan::Plan& plan, std::string& error) {
  std::string reason;
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(run.plan_json, nullptr, false);
  if (json.is_discarded()) reason = "it is not JSON";
  else if (!plan::FromJson(json, plan, reason)) {}
  else if (std::string actual = plan::ComputeDigest(plan); actual != run.digest || plan.digest != run.digest)
    reason = fmt::format("it hashes to {}, but the run was started for {}", actual, run.digest);
  else if (!plan::TimeBoundsHold(plan, reason)) {}
  if (reason.empty()) return true;
  error = fmt::format("run {} holds a plan that is not the one it ran: {}; the state store was changed by "
                      "something other than sparkc\n  help: restore the state store from a backup",
                      run.id, reason);
  return false;
}

void RecordSignature(StateStore& store, int64_t run, const RunOptions& options) {
  if (options.signature_text.empty()) return;
  std::string error;
  std::string key = plan::KeyFingerprint(options.require_signature, error);
  for (const Approval& a : store.Approvals(run))
    if (a.step == kSignatureStep && a.by == key && a.note == options.signature_text) return;
  store.RecordApproval(run, {kSignatureStep, key, options.signature_text,
                             "--require-signature " + options.require_signature, NowTimestamp()});
}

bool CheckRecordedSignature(StateStore& store, const RunInfo& run, const RunOptions& options, std::string& error) {
  std::string key = plan::KeyFingerprint(options.require_signature, error);
  if (key.empty()) return false;
  for (const Approval& a : store.Approvals(run.id)) {
    std::string ignored;
    if (a.step == kSignatureStep && plan::VerifyDigest(run.digest, a.note, options.require_signature, ignored))
      return true;
  }
  error = fmt::format("run {} was not applied from a plan signed with `{}` ({}): no signature in its journal "
                      "verifies against its plan {}\n  help: roll it back without --require-signature only if "
                      "you trust whoever could write the state store",
                      run.id, options.require_signature, key, run.digest);
  return false;
}


std::optional<int> ChooseJobs(const plan::Plan& plan, const char* command, RunOptions& options, std::string& note) {
  if (options.jobs == 0) options.jobs = static_cast<int>(plan.parallelism);
  if (options.jobs >= plan.parallelism) return std::nullopt;
  note = fmt::format("`sparkc {}` ran with -j {}, below the plan's parallelism of {}: the time bounds it states "
                     "(windows, RTO) were not proven for this run", command, options.jobs, plan.parallelism);
  if (options.accept_unproven_timing) {
    *options.err << fmt::format("sparkc: warning: {}\n", note);
    return std::nullopt;
  }
  *options.err << fmt::format("sparkc: error: -j {} is below the plan's parallelism of {}: the plan's time bounds "
                              "(windows, RTO) hold only for {} steps at once or more\n"
                              "  help: run with -j {} (the default), or pass --accept-unproven-timing to run anyway; "
                              "the journal records it\n", options.jobs, plan.parallelism, plan.parallelism,
                              plan.parallelism);
  return kExitUsage;
}

void RecordUnprovenTiming(StateStore& store, int64_t run, const RunOptions& options, const std::string& note) {
  if (note.empty()) return;
  std::string by = options.approver.empty() ? "operator" : options.approver;
  store.RecordApproval(run, {kUnprovenTimingStep, by, note, "--accept-unproven-timing", NowTimestamp()});
}

std::string OutputSealContext(int64_t run, const std::string& step, const std::string& output) {
  return fmt::format("{}#{}#{}", run, step, output);
}

bool LoadRunOutputs(const plan::Plan& plan, StateStore& store, int64_t run, OutputTable& out, std::string& error) {
  std::map<std::string, std::string> stored = store.Outputs(run);
  for (const plan::Step& step : plan.steps)
    for (const plan::Output& output : step.outputs) {
      auto it = stored.find(plan::InputName(step.id, output.name));
      if (it == stored.end()) continue;
      OutputValue value{output.type, it->second, output.secret};
      std::string why;
      if (output.secret && (!Unseal(it->second, OutputSealContext(run, step.id, output.name), value.encoded, why) ||
                            !RememberSecretValue(value.encoded, why) || !RememberSecretValue(OutputText(value), why))) {
        error = fmt::format("the secret output `{}.{}` of run {}: {}", step.id, output.name, run, why);
        return false;
      }
      out[it->first] = std::move(value);
    }
  return true;
}

}  // namespace sparkc::runtime
