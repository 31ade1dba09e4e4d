#include "compiler/plan/markdown.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "compiler/plan/diff.h"
#include "compiler/plan/time_bounds.h"

namespace sparkc::plan {
namespace {


std::string Codes(const std::vector<std::string>& ids, const char* separator = ", ") {
  std::vector<std::string> coded;
  for (const std::string& id : ids) coded.push_back(MarkdownCode(id));
  return fmt::format("{}", fmt::join(coded, separator));
}

// "2 h 10 min", or why no bound holds.
std::string Within(const Bound& bound) {
  if (bound.total_ms == kUnbounded) return "no bound: " + bound.unbounded;
  return HumanDuration(bound.total_ms);
}

// Whether a proven bound keeps to a limit: ✅, ❌, or ⚠️ when none holds.
std::string Verdict(const Bound& bound, int64_t limit_ms) {
  if (bound.total_ms == kUnbounded) return "⚠️ unbounded";
  return bound.total_ms <= limit_ms ? "✅" : "❌";
}

std::string StepAction(const Step& step) { return ShowField("do", ActionToJson(step.action)); }

}  // namespace

std::string MarkdownCode(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += "⏎";
    else out += c;
  }
  bool tick = out.find('`') != std::string::npos;
  return tick ? "`` " + out + " ``" : "`" + out + "`";
}

std::string PlanMarkdown(const Plan& plan) {
  std::string out = fmt::format("### sparkc plan: {}\n\n", MarkdownCode(plan.module));
  size_t gates = 0;
  for (const Step& s : plan.steps) gates += s.gate;
  out += fmt::format("{} · {} steps{} · {} gate{} · parallelism {}\n\n", MarkdownCode(plan.digest),
                     plan.steps.size() - gates,
                     plan.phases.empty() ? "" : fmt::format(" in {} phase{}", plan.phases.size(), plan.phases.size() == 1 ? "" : "s"), gates,
                     gates == 1 ? "" : "s", plan.parallelism);

  // Time: the run, the rollback against the RTO, each window.
  out += "#### Time (proven)\n\n| | by estimate | by timeouts | limit | |\n|---|---|---|---|---|\n";
  out += fmt::format("| the run | {} | {} | | |\n", Within(plan.forward.estimate), Within(plan.forward.hard));
  out += fmt::format("| a rollback, from a failure | {} | {} | {} | {} |\n", Within(plan.rollback.estimate),
                     Within(plan.rollback.hard), plan.rto_ms >= 0 ? "RTO " + HumanDuration(plan.rto_ms) : "",
                     plan.rto_ms >= 0 ? Verdict(plan.rollback.estimate, plan.rto_ms) : "");
  for (const Window& w : plan.windows)
    out += fmt::format("| window {} ({} → {}) | {} | {} | {} | {} |\n", MarkdownCode(w.id), MarkdownCode(w.from),
                       MarkdownCode(w.to), Within(w.bound.estimate), Within(w.bound.hard),
                       HumanDuration(w.max_ms), Verdict(w.bound.estimate, w.max_ms));
  if (plan.forward.estimate.total_ms != kUnbounded && !plan.forward.estimate.steps.empty())
    out += fmt::format("\nCritical path by estimate: {}\n", Codes(plan.forward.estimate.steps, " → "));
  out += "\n";

  // Who must say yes, and what cannot be undone.
  std::vector<const Step*> gate_steps;
  for (const Step& s : plan.steps)
    if (s.gate || s.action.kind == Action::Kind::Manual) gate_steps.push_back(&s);
  if (!gate_steps.empty()) {
    out += "#### Approvals\n\n| step | approvers | asks |\n|---|---|---|\n";
    for (const Step* s : gate_steps)
      out += fmt::format("| {} | {} | {} |\n", MarkdownCode(s->id),
                         s->approvers.empty() ? "anyone" : fmt::format("{}", fmt::join(s->approvers, ", ")),
                         MarkdownCode(s->action.instruction));
    out += "\n";
  }
  std::map<std::string, const Step*> by_id;
  for (const Step& s : plan.steps) by_id[s.id] = &s;
  if (!plan.points_of_no_return.empty()) {
    out += "#### Points of no return\n\n| step | approved at | why it cannot be undone |\n|---|---|---|\n";
    for (const PointOfNoReturn& p : plan.points_of_no_return)
      out += fmt::format("| {} | {} | {} |\n", MarkdownCode(p.step), MarkdownCode(p.gate),
                         by_id.contains(p.step) ? by_id[p.step]->undo.reason : "");
    out += "\n";
  }

  // What is proven now, and what runs check.
  std::vector<std::string> proven, proven_pre;
  std::string runtime;
  for (const Invariant& inv : plan.invariants) {
    if (!inv.runtime) proven.push_back(MarkdownCode(inv.id));
    else runtime += fmt::format("| invariant {} | {} | {} |\n", MarkdownCode(inv.id), inv.description,
                                MarkdownCode(inv.expr));
  }
  for (const Invariant& pre : plan.preconditions) {
    if (!pre.runtime) proven_pre.push_back(MarkdownCode(pre.id));
    else runtime += fmt::format("| require {} | {} | {} |\n", MarkdownCode(pre.id), pre.description,
                                MarkdownCode(pre.expr));
  }
  out += "#### Invariants and preconditions\n\n";
  out += fmt::format("Proven when the plan was built: {}.\n\n",
                     proven.empty() && proven_pre.empty()
                         ? "none"
                         : fmt::format("{}", fmt::join(proven, ", ")) + (proven_pre.empty() ? "" : (proven.empty() ? "" : "; ") +
                                                                                 std::string("preconditions ") +
                                                                                 fmt::format("{}", fmt::join(proven_pre, ", "))));
  if (!runtime.empty())
    out += "Checked against the live system (`require` before a run starts, invariants by `sparkc verify`):\n\n"
           "| | what | check |\n|---|---|---|\n" +
           runtime + "\n";

  if (!plan.params.empty()) {
    out += "#### Parameters\n\n| name | value |\n|---|---|\n";
    for (const auto& [name, value] : plan.params) out += fmt::format("| {} | {} |\n", MarkdownCode(name), MarkdownCode(value));
    out += "\n";
  }

  // Every step, folded: a long plan should not bury the summary.
  std::map<std::string, std::string> titles;
  for (const Phase& p : plan.phases) titles[p.id] = p.title;
  out += fmt::format("<details><summary>{} steps in the order of the plan</summary>\n\n", plan.steps.size());
  out += "| phase | step | does | undo | check | estimate |\n|---|---|---|---|---|---|\n";
  for (const Step& s : plan.steps) {
    std::string undo = s.undo.kind == Undo::Kind::None           ? "none"
                       : s.undo.kind == Undo::Kind::Irreversible ? "⛔ irreversible"
                                                                 : MarkdownCode(ShowField("undo", UndoToJson(s.undo)));
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", s.phase.empty() ? "" : titles[s.phase],
                       MarkdownCode(s.id), MarkdownCode(StepAction(s)), undo,
                       s.check.empty() ? "" : MarkdownCode(s.check), HumanDuration(s.estimate_ms));
  }
  out += "\n</details>\n";
  return out;
}

}  // namespace sparkc::plan
