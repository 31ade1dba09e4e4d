// Points of no return: an `irreversible` step runs only after a gate.
#include <fmt/format.h>


#include "compiler/check/check.h"

namespace sparkc {

std::vector<plan::PointOfNoReturn> CheckGates(const CheckedSpec& spec, const dag::Graph& graph,
                                              const std::vector<uint32_t>& order, Diagnostics& diags) {
  std::vector<uint32_t> position(spec.steps.size());
  for (uint32_t k = 0; k < order.size(); ++k) position[order[k]] = k;
  // guard[v]: the gate among v's ancestors that runs last, or -1. One pass
  // in topological order.
  std::vector<int64_t> guard(spec.steps.size(), -1);
  for (uint32_t v : order) {
    for (uint32_t p : graph.Predecessors(v)) {
      int64_t candidate = spec.steps[p].gate ? p : guard[p];
      if (candidate >= 0 && (guard[v] < 0 || position[candidate] > position[guard[v]])) guard[v] = candidate;
    }
  }
  std::vector<plan::PointOfNoReturn> points;
  for (uint32_t v : order) {
    const plan::Step& step = spec.steps[v];
    if (step.undo.kind != plan::Undo::Kind::Irreversible) continue;
    if (guard[v] >= 0) {
      points.push_back({step.id, spec.steps[guard[v]].id});
      continue;
    }
    std::string after;
    for (const std::string& a : step.after) after += (after.empty() ? "" : ", ") + a;
    std::string gate = "approve_" + step.id;
    for (char& c : gate)
      if (c == '.' || c == '[' || c == ']' || c == '-') c = '_';
    diags.Error(DiagnosticKind::E0404, spec.step_spans[v],
                fmt::format("step `{}` is a point of no return, but no gate precedes it", step.id))
        .Note({}, fmt::format("its undo is irreversible: {}", step.undo.reason))
        .Suggest(fmt::format("add `gate {} {{ after = [{}]; approvers = [...]; prompt = \"...\" }}` "
                             "and `after = [{}]` to the step",
                             gate, after, gate));
  }
  return points;
}

}  // namespace sparkc
