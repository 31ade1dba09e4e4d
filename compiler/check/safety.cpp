// Points of no return: an `irreversible` step runs only after a gate.
#include <fmt/format.h>

#include "compiler/check/check.h"

namespace sparkc {
namespace {

// The nearest gate that comes after step `v`, or -1.
int64_t LaterGate(const CheckedSpec& spec, const dag::Graph& graph, uint32_t v) {
  std::vector<char> seen(spec.steps.size(), 0);
  std::vector<uint32_t> queue = {v};
  for (size_t k = 0; k < queue.size(); ++k)
    for (uint32_t s : graph.Successors(queue[k])) {
      if (seen[s]) continue;
      if (spec.steps[s].gate) return s;
      seen[s] = 1;
      queue.push_back(s);
    }
  return -1;
}

}  // namespace

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
    Diagnostic& d = diags.Error(DiagnosticKind::E0404, spec.step_spans[v],
                                fmt::format("step `{}` is a point of no return, but no gate precedes it", step.id));
    d.Note({}, fmt::format("its undo is irreversible: {}", step.undo.reason));
    // A gate the spec has, in the wrong place: the first one after the
    // step, else the first anywhere.
    int64_t later = LaterGate(spec, graph, v), any = -1;
    for (uint32_t k : order)
      if (spec.steps[k].gate && any < 0) any = k;
    if (later >= 0) {
      const std::string& g = spec.steps[later].id;
      d.Note(spec.step_spans[later], fmt::format("gate `{}` exists, but it runs after `{}`, when nothing can be "
                                                 "undone any more",
                                                 g, step.id))
          .Suggest(fmt::format("move it before: make `{}` run after {} instead, and give `{}` `after = [{}]`", g,
                               after.empty() ? "nothing" : "[" + after + "]", step.id, g));
    } else if (any >= 0) {
      const std::string& g = spec.steps[any].id;
      d.Note(spec.step_spans[any], fmt::format("gate `{}` exists, but nothing orders `{}` after it", g, step.id))
          .Suggest(fmt::format("add it to the step: after = [{}{}{}]", after, after.empty() ? "" : ", ", g));
    } else {
      d.Suggest(fmt::format("add `gate {} {{ after = [{}]; approvers = [...]; prompt = \"...\" }}` "
                            "and `after = [{}]` to the step",
                            gate, after, gate));
    }
  }
  return points;
}

}  // namespace sparkc
