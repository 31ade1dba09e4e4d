// Points of no return: an `irreversible` step runs only after a gate.
#include <fmt/format.h>

#include <map>

#include "compiler/check/check.h"

namespace sparkc {

void CheckGates(const CheckedSpec& spec, const std::vector<uint32_t>& order, Diagnostics& diags) {
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < spec.steps.size(); ++i) index[spec.steps[i].id] = i;
  // gated[v]: some ancestor of v is a gate. One pass in topological order.
  std::vector<bool> gated(spec.steps.size(), false);
  for (uint32_t v : order) {
    for (const std::string& before : spec.steps[v].after) {
      uint32_t p = index.at(before);
      if (spec.steps[p].gate || gated[p]) gated[v] = true;
    }
  }
  for (uint32_t v : order) {
    const plan::Step& step = spec.steps[v];
    if (step.undo.kind != plan::Undo::Kind::Irreversible || gated[v]) continue;
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
}

}  // namespace sparkc
