// The dry run: a plan's schedule on a simulated clock, changing nothing.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "runtime/apply/actions.h"
#include "compiler/source/source.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/schedule.h"
#include "runtime/apply/state_access.h"
#include "compiler/plan/placement.h"
#include "compiler/plan/time_bounds.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

namespace {

JsonEvent BoundJson(const plan::Bound& bound) {
  if (bound.total_ms == plan::kUnbounded) return {{"seconds", nullptr}, {"unbounded", bound.unbounded}};
  return {{"seconds", static_cast<double>(bound.total_ms) / 1000}, {"steps", bound.steps}, {"limits", bound.limits}};
}

// `apply --dry-run --format json`: the same schedule as the text, for programs.
std::string DryRunJson(const plan::Plan& plan, int jobs, const Simulation& clock,
                       const std::vector<uint32_t>& order) {
  JsonEvent doc = {{"type", "dry_run"},
                   {"plan", plan.digest},
                   {"jobs", jobs},
                   {"simulated_seconds", static_cast<double>(clock.total_ms) / 1000},
                   {"bounds", {{"estimate", BoundJson(plan.forward.estimate)}, {"hard", BoundJson(plan.forward.hard)}}}};
  JsonEvent preconditions = JsonEvent::array(), invariants = JsonEvent::array(), steps = JsonEvent::array();
  for (const plan::Invariant& pre : plan.preconditions)
    if (pre.runtime) preconditions.push_back({{"id", pre.id}, {"check", pre.expr}});
  for (uint32_t i : order) {
    const plan::Step& step = plan.steps[i];
    JsonEvent entry = {{"id", step.id},
                       {"start_seconds", static_cast<double>(clock.started_ms[i]) / 1000},
                       {"action", DescribeStepAction(step, step.action)}};
    if (step.gate) entry["approvers"] = step.approvers;
    if (!step.outputs.empty()) {
      JsonEvent outputs = JsonEvent::array();
      for (const plan::Output& out : step.outputs)
        outputs.push_back({{"name", out.name}, {"type", out.type}, {"from", out.expr}, {"secret", out.secret}});
      entry["outputs"] = std::move(outputs);
    }
    if (!step.check.empty()) entry["check"] = DescribeResidual(step.check);
    if (step.undo.kind == plan::Undo::Kind::Action) entry["undo"] = DescribeStepAction(step, step.undo.action);
    else if (step.undo.kind == plan::Undo::Kind::Irreversible) entry["irreversible"] = step.undo.reason;
    // The local engine runs every step here.
    if (!step.slurm.empty()) entry["slurm"] = {{"options", plan::PlacementToJson(step.slurm)}, {"local_engine", "ignored"}};
    steps.push_back(std::move(entry));
  }
  for (const plan::Invariant& inv : plan.invariants)
    if (inv.runtime) invariants.push_back({{"id", inv.id}, {"check", DescribeResidual(inv.expr)}});
  doc["requires"] = std::move(preconditions);
  doc["steps"] = std::move(steps);
  doc["invariants"] = std::move(invariants);
  return JsonLine(doc);
}

}  // namespace

// The real walk on a simulated clock (the dry-run executor): every step
// succeeds at the first attempt and takes its estimate. Steps are listed in
// the order they would start, with when; the proven bounds follow.
int DryRun(const plan::Plan& plan, const RunOptions& requested) {
  RunOptions options = requested;
  std::string unproven;
  if (std::optional<int> refused = ChooseJobs(plan, "apply --dry-run", options, unproven)) return *refused;
  size_t n = plan.steps.size();
  Simulation clock = SimulateRun(plan, options.jobs);
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return clock.started_ms[a] < clock.started_ms[b]; });
  if (options.format == OutputFormat::Json) {
    *options.out << DryRunJson(plan, options.jobs, clock, order);
    return kExitOk;
  }
  *options.out << fmt::format("dry run of {}: {} steps, {} at a time; nothing is changed\n", plan.module, n,
                              options.jobs);
  *options.out << fmt::format("with every step taking its estimate, the run takes {}; proven: it ends within {} "
                              "(estimates, retries included), {} (timeouts)\n",
                              plan::HumanDuration(clock.total_ms), plan::BoundText(plan.forward.estimate),
                              plan::BoundText(plan.forward.hard));
  for (const plan::Invariant& pre : plan.preconditions)
    if (pre.runtime)
      *options.out << fmt::format("  {:<12} require {}: {}\n", "before", Printable(pre.id), Printable(pre.expr));
  for (uint32_t i : order) {
    const plan::Step& step = plan.steps[i];
    std::string at = "+" + plan::HumanDuration(clock.started_ms[i]);
    *options.out << fmt::format("  {:<12} {}: {}\n", at, Printable(step.id),
                                Printable(DescribeStepAction(step, step.action)));
    if (step.gate && !step.approvers.empty())
      *options.out << fmt::format("  {:<12}   approvers: {}\n", "", Printable(fmt::format("{}", fmt::join(step.approvers, ", "))));
    for (const plan::Output& out : step.outputs)
      *options.out << fmt::format("  {:<12}   output {}: {} = {}{}\n", "", out.name, out.type, Printable(out.expr),
                                  out.secret ? " (a secret)" : "");
    if (!step.check.empty())
      *options.out << fmt::format("  {:<12}   check: {}\n", "", Printable(DescribeResidual(step.check)));
    if (step.undo.kind == plan::Undo::Kind::Action)
      *options.out << fmt::format("  {:<12}   undo: {}\n", "", Printable(DescribeStepAction(step, step.undo.action)));
    else if (step.undo.kind == plan::Undo::Kind::Irreversible)
      *options.out << fmt::format("  {:<12}   undo: irreversible ({})\n", "", Printable(step.undo.reason));
    if (!step.slurm.empty())
      *options.out << fmt::format("  {:<12}   slurm: {} (ignored by the local engine; `--engine slurm` places the "
                                  "step's job so)\n",
                                  "", Printable(plan::ShowPlacement(step.slurm)));
  }
  // What `verify` asks once the run is over.
  for (const plan::Invariant& inv : plan.invariants)
    if (inv.runtime)
      *options.out << fmt::format("  {:<12} invariant {}: {}\n", "after", Printable(inv.id),
                                  Printable(DescribeResidual(inv.expr)));
  return kExitOk;
}

}  // namespace sparkc::runtime
