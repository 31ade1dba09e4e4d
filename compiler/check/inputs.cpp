// Outputs used by later steps: each use must come after its producer, and a
// secret's taint follows the values derived from it.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "compiler/check/check.h"
#include "compiler/parse/residual.h"
#include "compiler/plan/template.h"

namespace sparkc {
namespace {

bool ReadsSecret(const plan::Action& action) {
  if (!action.secret_env.empty() || !action.stdin_secret.empty()) return true;
  return std::any_of(action.sequence.begin(), action.sequence.end(), ReadsSecret);
}

// Whether `from` comes before `to` along `after` edges.
bool Precedes(const dag::Graph& graph, uint32_t from, uint32_t to, std::vector<uint32_t>& seen_mark, uint32_t mark) {
  std::vector<uint32_t> stack = {to};
  while (!stack.empty()) {
    uint32_t v = stack.back();
    stack.pop_back();
    for (uint32_t p : graph.Predecessors(v)) {
      if (p == from) return true;
      if (seen_mark[p] == mark) continue;
      seen_mark[p] = mark;
      stack.push_back(p);
    }
  }
  return false;
}

}  // namespace

void CheckInputs(CheckedSpec& spec, const dag::Graph& graph, const std::vector<uint32_t>& order, Diagnostics& diags) {
  std::unordered_map<std::string, uint32_t> index;
  bool any = false;
  for (const plan::Step& step : spec.steps) any |= !step.inputs.empty() || !step.outputs.empty();
  if (!any) return;
  for (uint32_t i = 0; i < spec.steps.size(); ++i) index.emplace(spec.steps[i].id, i);
  std::vector<uint32_t> seen(spec.steps.size(), 0);
  uint32_t mark = 0;
  auto output_of = [&](uint32_t p, const std::string& name) -> plan::Output* {
    for (plan::Output& out : spec.steps[p].outputs)
      if (out.name == name) return &out;
    return nullptr;
  };
  for (uint32_t i : order) {
    plan::Step& step = spec.steps[i];
    if (step.inputs.empty() && step.outputs.empty()) continue;
    std::vector<std::string> in_do = ActionInputs(step.action);
    bool secret = ReadsSecret(step.action);
    for (const std::string& input : step.inputs) {
      std::string producer, name;
      plan::SplitInputName(input, producer, name);
      auto it = index.find(producer);
      if (it == index.end()) continue;  // the checker reported it
      uint32_t p = it->second;
      bool used_in_do = std::find(in_do.begin(), in_do.end(), input) != in_do.end();
      if (p == i && used_in_do) {
        diags.Error(DiagnosticKind::E0306, spec.step_spans[i],
                    fmt::format("step `{}` uses its own output `{}.outputs.{}` in `do`, which is what makes it",
                                step.id, producer, name))
            .Note({}, "a step's own outputs may appear in its check, undo and undo_check");
        continue;
      }
      if (p != i && !Precedes(graph, p, i, seen, ++mark)) {
        diags.Error(DiagnosticKind::E0306, spec.step_spans[i],
                    fmt::format("step `{}` uses `{}.outputs.{}`, but it does not run after `{}`", step.id, producer,
                                name, producer))
            .Note(spec.step_spans[p], fmt::format("no chain of `after` leads from `{}` to `{}`: the scheduler may "
                                                  "start `{}` first, before the value exists",
                                                  producer, step.id, step.id))
            .Suggest(fmt::format("add it: after = [{}]", producer));
        continue;
      }
      if (used_in_do && p != i)
        if (const plan::Output* out = output_of(p, name)) secret |= out->secret;
    }
    // What a process did with a secret may be in its output.
    for (plan::Output& out : step.outputs) out.secret = secret;
    std::vector<std::string> in_argv = ActionInputs(step.action, true);
    std::vector<std::string> undo_argv = ActionInputs(step.undo.action, true);
    in_argv.insert(in_argv.end(), undo_argv.begin(), undo_argv.end());
    for (const std::string& input : in_argv) {
      std::string producer, name;
      plan::SplitInputName(input, producer, name);
      auto it = index.find(producer);
      const plan::Output* out = it == index.end() ? nullptr : output_of(it->second, name);
      if (out == nullptr || !out->secret) continue;
      diags.Error(DiagnosticKind::E0403, spec.step_spans[i],
                  fmt::format("step `{}` passes `{}.outputs.{}` as an argument, and that output is a secret", step.id,
                              producer, name))
          .Note({}, fmt::format("`{}` read a secret, so what it printed may hold it; the argument vector of a "
                                "process is visible to every user through /proc",
                                producer))
          .Suggest(fmt::format("pass it in the environment: exec(...) {{ env = {{ VALUE = {}.outputs.{} }} }}", producer,
                               name));
    }
  }
}

}  // namespace sparkc
