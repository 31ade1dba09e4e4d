// What the compiler proves about time, for the schedule the runtime runs
// (the plan's parallelism, fan-out concurrency, retries and backoff): the
// forward run, each window against its `max`, and the rollback against the
// RTO, each by estimate and by timeout. plan::TimeModel computes them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <llvm/ADT/StringMap.h>

#include <map>

#include "compiler/check/check.h"
#include "compiler/dag/paths.h"
#include "compiler/plan/time_bounds.h"

namespace sparkc {
namespace {

using plan::Basis;

// One note per step of the chain, with its worst-case time and the running
// total; then what the chain does not account for.
void BoundNotes(Diagnostic& d, const CheckedSpec& spec, const llvm::StringMap<uint32_t>& index,
                const plan::Bound& bound, bool undo) {
  int64_t running = 0;
  for (const std::string& id : bound.steps) {
    uint32_t i = index.lookup(id);
    const plan::Step& step = spec.steps[i];
    plan::StepTime time = undo ? plan::UndoTime(step, Basis::Estimate) : plan::ForwardTime(step, Basis::Estimate);
    running += time.ms;
    std::string what = undo ? fmt::format("undo_estimate {}", plan::HumanDuration(time.ms))
                            : fmt::format("estimate {}", plan::HumanDuration(step.estimate_ms));
    if (!undo && step.retries > 0)
      what += fmt::format(" x {} attempts + backoff = {}", step.retries + 1, plan::HumanDuration(time.ms));
    d.Note(spec.step_spans[i], fmt::format("`{}`: {}, {} so far", id, what, plan::HumanDuration(running)));
  }
  if (bound.drain_ms > 0)
    d.Note({}, fmt::format("a step in flight when another fails finishes first: up to {}",
                           plan::HumanDuration(bound.drain_ms)));
  int64_t waits = bound.total_ms - bound.path_ms - bound.drain_ms;
  if (!bound.limits.empty() && waits > 0)
    d.Note({}, fmt::format("waiting for {} adds up to {}", fmt::join(bound.limits, " and "),
                           plan::HumanDuration(waits)));
}

// "can take 24 min"; a bound past int64 is no bound.
bool Exceeds(const plan::Bound& bound, int64_t max_ms) {
  return bound.total_ms == plan::kUnbounded || bound.total_ms > max_ms;
}
std::string CanTake(const plan::Bound& bound) {
  return (bound.total_ms == plan::kUnbounded ? "has " : "can take ") + plan::BoundText(bound);
}

std::string Chain(const plan::Bound& bound) { return fmt::format("{}", fmt::join(bound.steps, " -> ")); }

}  // namespace

void CheckTiming(const CheckedSpec& spec, const dag::Graph& graph, const std::vector<uint32_t>& order,
                 Diagnostics& diags, plan::Plan& plan) {
  size_t n = spec.steps.size();
  plan.parallelism = spec.parallelism;
  plan::TimeModel model(spec.steps, spec.fanouts, order, spec.parallelism);
  plan.forward = model.Forward();
  plan.rollback = model.Rollback();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (spec.steps[*it].undo.kind == plan::Undo::Kind::Action) plan.rollback_order.push_back(spec.steps[*it].id);

  llvm::StringMap<uint32_t> index;
  for (uint32_t i = 0; i < n; ++i) index[spec.steps[i].id] = i;
  const plan::Bound& rollback = plan.rollback.estimate;
  if (spec.rto_ms >= 0 && Exceeds(rollback, spec.rto_ms)) {
    Diagnostic& d = diags.Error(DiagnosticKind::E0304, spec.rto_span,
                                fmt::format("rolling back {}, more than the RTO of {}", CanTake(rollback),
                                            plan::HumanDuration(spec.rto_ms)));
    BoundNotes(d, spec, index, rollback, true);
    d.Suggest(fmt::format("shorten the undos on {}, let more of them run at once (objective.parallelism, "
                          "fan-out concurrency), or raise the RTO", Chain(rollback)));
  }

  for (size_t w = 0; w < spec.windows.size(); ++w) {
    plan::Window window = spec.windows[w];
    auto from = index.find(window.from), to = index.find(window.to);
    if (from == index.end() || to == index.end()) {
      diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                  fmt::format("window `{}` names a fan-out or gate that is not a single step", window.id));
      continue;
    }
    std::vector<int64_t> unit(n, 1);
    if (dag::LongestPathBetween(graph, order, unit, from->second, to->second).nodes.empty()) {
      diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                  fmt::format("window `{}`: `{}` does not run after `{}`", window.id, window.to, window.from))
          .Suggest("a window spans a path of the DAG: `to` must depend on `from`, directly or further down");
      continue;
    }
    window.bound = model.Window(from->second, to->second);
    const plan::Bound& bound = window.bound.estimate;
    if (Exceeds(bound, window.max_ms)) {
      Diagnostic& d = diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                                  fmt::format("window `{}` allows {}, but it {}", window.id,
                                              plan::HumanDuration(window.max_ms), CanTake(bound)));
      BoundNotes(d, spec, index, bound, false);
      d.Suggest("shorten the steps on this path, let more steps run at once (objective.parallelism, "
                "fan-out concurrency), or widen the window");
    }
    plan.windows.push_back(std::move(window));
  }
  std::sort(plan.windows.begin(), plan.windows.end(),
            [](const plan::Window& a, const plan::Window& b) { return a.id < b.id; });
}

}  // namespace sparkc
