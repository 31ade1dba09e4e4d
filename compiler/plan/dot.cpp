// `sparkc graph`: the plan as Graphviz DOT. Phases are clusters, gates are
// diamonds, points of no return red octagons, and the critical path (or the
// rollback's, with --rollback) is drawn bold and red.
#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/plan/plan.h"

namespace sparkc::plan {
namespace {

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string Node(const Step& step, bool rollback, bool critical) {
  int64_t ms = rollback ? step.undo_estimate_ms : step.estimate_ms;
  std::string label = Quote(step.id);
  // `\n` is DOT's line break inside a label, added after quoting.
  if (ms > 0) label.insert(label.size() - 1, "\\n" + HumanDuration(ms));
  std::vector<std::string> attrs;
  attrs.push_back("label=" + label);
  if (step.gate) attrs.push_back("shape=diamond, style=filled, fillcolor=\"#fff3b0\"");
  if (step.undo.kind == Undo::Kind::Irreversible)
    attrs.push_back("shape=octagon, color=\"#c0392b\", fontcolor=\"#c0392b\"");
  if (rollback && step.undo.kind != Undo::Kind::Action && !step.gate) attrs.push_back("style=dashed");
  if (critical) attrs.push_back("penwidth=2.5");
  std::string joined;
  for (const std::string& a : attrs) joined += (joined.empty() ? "" : ", ") + a;
  return fmt::format("{} [{}];", Quote(step.id), joined);
}

}  // namespace

std::string EmitDot(const Plan& plan, bool rollback) {
  const Bound& path = rollback ? plan.rollback.estimate : plan.forward.estimate;
  std::set<std::string> on_path(path.steps.begin(), path.steps.end());
  std::set<std::pair<std::string, std::string>> critical_edges;
  for (size_t k = 1; k < path.steps.size(); ++k) critical_edges.emplace(path.steps[k - 1], path.steps[k]);

  std::string out = fmt::format("digraph {} {{\n", Quote(plan.module + (rollback ? " (rollback)" : "")));
  out += "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [color=\"#555555\"];\n";
  std::map<std::string, std::vector<const Step*>> by_phase;
  for (const Step& step : plan.steps) by_phase[step.phase].push_back(&step);
  for (const Phase& phase : plan.phases) {
    auto it = by_phase.find(phase.id);
    if (it == by_phase.end()) continue;
    out += fmt::format("  subgraph {} {{\n    label={};\n    style=rounded;\n    color=\"#999999\";\n",
                       Quote("cluster_" + phase.id), Quote(phase.title.empty() ? phase.id : phase.title));
    for (const Step* step : it->second) out += "    " + Node(*step, rollback, on_path.contains(step->id)) + "\n";
    out += "  }\n";
  }
  for (const Step* step : by_phase[""]) out += "  " + Node(*step, rollback, on_path.contains(step->id)) + "\n";
  for (const Step& step : plan.steps) {
    for (const std::string& before : step.after) {
      // Rollback runs the inverted graph: undo `step` before `before`.
      std::string from = rollback ? step.id : before, to = rollback ? before : step.id;
      bool critical = critical_edges.contains({from, to});
      out += fmt::format("  {} -> {}{};\n", Quote(from), Quote(to),
                         critical ? " [color=\"#c0392b\", penwidth=2.5]" : "");
    }
  }
  out += "}\n";
  return out;
}

}  // namespace sparkc::plan
