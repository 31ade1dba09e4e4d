// What the compiler proves about time: the critical paths, each window's
// longest path against its `max`, and the rollback against the RTO.
#include <fmt/format.h>

#include <llvm/ADT/StringMap.h>

#include "compiler/check/check.h"
#include "compiler/dag/paths.h"

namespace sparkc {
namespace {

plan::CriticalPath Named(const CheckedSpec& spec, const dag::Path& path) {
  plan::CriticalPath out{path.total, {}};
  for (uint32_t v : path.nodes) out.steps.push_back(spec.steps[v].id);
  return out;
}

// One note per step of the path: its estimate and the running total.
void PathNotes(Diagnostic& d, const CheckedSpec& spec, const dag::Path& path, bool undo) {
  int64_t running = 0;
  for (uint32_t v : path.nodes) {
    int64_t ms = undo ? spec.steps[v].undo_estimate_ms : spec.steps[v].estimate_ms;
    running += ms;
    d.Note(spec.step_spans[v], fmt::format("`{}`: {} {}, {} so far", spec.steps[v].id,
                                           undo ? "undo_estimate" : "estimate", plan::HumanDuration(ms),
                                           plan::HumanDuration(running)));
  }
}

std::string Chain(const CheckedSpec& spec, const dag::Path& path) {
  std::string out;
  for (uint32_t v : path.nodes) out += (out.empty() ? "" : " -> ") + spec.steps[v].id;
  return out;
}

}  // namespace

void CheckTiming(const CheckedSpec& spec, const dag::Graph& graph, const std::vector<uint32_t>& order,
                 Diagnostics& diags, plan::Plan& plan) {
  size_t n = spec.steps.size();
  std::vector<int64_t> forward(n), backward(n);
  for (size_t i = 0; i < n; ++i) {
    forward[i] = spec.steps[i].estimate_ms;
    // Only undos that run take time: `none` and irreversible steps add nothing.
    backward[i] = spec.steps[i].undo.kind == plan::Undo::Kind::Action ? spec.steps[i].undo_estimate_ms : 0;
  }
  dag::Path critical = dag::LongestPath(graph, order, forward);
  dag::Path rollback = dag::LongestPath(graph, order, backward, true);
  plan.critical_path = Named(spec, critical);
  plan.rollback_path = Named(spec, rollback);
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (spec.steps[*it].undo.kind == plan::Undo::Kind::Action) plan.rollback_order.push_back(spec.steps[*it].id);

  if (spec.rto_ms >= 0 && rollback.total > spec.rto_ms) {
    Diagnostic& d = diags.Error(DiagnosticKind::E0304, spec.rto_span,
                                fmt::format("rolling back takes {} on its critical path, more than the RTO of {}",
                                            plan::HumanDuration(rollback.total), plan::HumanDuration(spec.rto_ms)));
    PathNotes(d, spec, rollback, true);
    d.Suggest(fmt::format("shorten the undos on {}, let them run in parallel, or raise the RTO",
                          Chain(spec, rollback)));
  }

  llvm::StringMap<uint32_t> index;
  if (!spec.windows.empty())
    for (uint32_t i = 0; i < n; ++i) index[spec.steps[i].id] = i;
  for (size_t w = 0; w < spec.windows.size(); ++w) {
    plan::Window window = spec.windows[w];
    auto from = index.find(window.from), to = index.find(window.to);
    if (from == index.end() || to == index.end()) {
      diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                  fmt::format("window `{}` names a fan-out or gate that is not a single step", window.id));
      continue;
    }
    dag::Path path = dag::LongestPathBetween(graph, order, forward, from->second, to->second);
    if (path.nodes.empty()) {
      diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                  fmt::format("window `{}`: `{}` does not run after `{}`", window.id, window.to, window.from))
          .Suggest("a window spans a path of the DAG: `to` must depend on `from`, directly or further down");
      continue;
    }
    window.longest = Named(spec, path);
    if (path.total > window.max_ms) {
      Diagnostic& d = diags.Error(DiagnosticKind::E0303, spec.window_spans[w],
                                  fmt::format("window `{}` allows {}, but its longest path takes {}", window.id,
                                              plan::HumanDuration(window.max_ms), plan::HumanDuration(path.total)));
      PathNotes(d, spec, path, false);
      d.Suggest("shorten the steps on this path, run them in parallel, or widen the window");
    }
    plan.windows.push_back(std::move(window));
  }
  std::sort(plan.windows.begin(), plan.windows.end(),
            [](const plan::Window& a, const plan::Window& b) { return a.id < b.id; });
}

}  // namespace sparkc
