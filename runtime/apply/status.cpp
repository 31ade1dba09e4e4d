// Read-only views: the last run (status) and the waves of a plan (dry run).
#include <fmt/format.h>

#include <map>

#include "runtime/apply/actions.h"
#include "compiler/source/source.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/state_access.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

int Status(const RunOptions& options) {
  auto store = OpenStoreOrReport(options);
  if (!store) return kExitNeedsOperator;
  try {
    std::optional<RunInfo> last = store->LastRun();
    if (!last) {
      *options.out << fmt::format("no run recorded in `{}`\n", DisplayLocation(options.state_dir));
      return kExitOk;
    }
    plan::Plan plan;
    std::string error;
    if (!ReadStoredPlan(*last, plan, error)) return ReportStateError(options, error);
    *options.out << fmt::format("run {}: {} (started {}, plan {})\n", last->id, last->status,
                                last->started_at, last->digest);
    std::map<std::string, StepRecord> steps = store->Steps(last->id);
    std::map<std::string, std::string> errors;
    for (const Transition& t : store->Journal(last->id)) errors[t.step] = t.error;
    std::map<std::string, Approval> approvals;
    for (Approval& a : store->Approvals(last->id)) {
      if (a.step == kSignatureStep)
        *options.out << fmt::format("  plan signed by key {} ({}, {})\n", a.by, a.source, a.at);
      else approvals[a.step] = std::move(a);
    }
    for (const plan::Step& step : plan.steps) {
      auto it = steps.find(step.id);
      StepRecord record = it == steps.end() ? StepRecord{} : it->second;
      std::string line = fmt::format("  {:<18} {}", StatusName(record.status), step.id);
      if (record.attempts > 1) line += fmt::format("  ({} attempts)", record.attempts);
      if (!errors[step.id].empty()) line += "  " + errors[step.id];
      if (auto a = approvals.find(step.id); a != approvals.end())
        line += fmt::format("  approved by {} ({}, {}){}", a->second.by, a->second.source, a->second.at,
                            a->second.note.empty() ? "" : ": " + a->second.note);
      *options.out << Printable(line) << "\n";
    }
    return kExitOk;
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

int DryRun(const plan::Plan& plan, const RunOptions& options) {
  std::map<std::string, size_t> wave_of;
  std::vector<std::vector<const plan::Step*>> waves;
  for (const plan::Step& step : plan.steps) {  // plan order is topological
    size_t wave = 0;
    for (const std::string& before : step.after) wave = std::max(wave, wave_of[before] + 1);
    wave_of[step.id] = wave;
    if (waves.size() <= wave) waves.resize(wave + 1);
    waves[wave].push_back(&step);
  }
  *options.out << fmt::format("dry run of {} ({} steps in {} waves); nothing is changed\n", plan.module,
                              plan.steps.size(), waves.size());
  for (size_t w = 0; w < waves.size(); ++w) {
    *options.out << fmt::format("wave {}:\n", w + 1);
    for (const plan::Step* step : waves[w]) {
      *options.out << fmt::format("  {}: {}\n", Printable(step->id), Printable(DescribeAction(step->action)));
      if (!step->check.empty()) *options.out << fmt::format("      check: {}\n", Printable(step->check));
    }
  }
  return kExitOk;
}

}  // namespace sparkc::runtime
