// A semantic diff of two plans for reviewers: every kind of change (steps,
// dependency edges, fan-outs, phases, invariants, preconditions, windows,
// the objective, the parameters, the proven time bounds), computed once and
// written as text, JSON or Markdown.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

// One field of something that changed; a value is absent when unset.
struct FieldChange {
  std::string field;
  std::optional<nlohmann::ordered_json> before, after;
};

// Something with an id that was added, removed or changed. `kind`: step,
// fan_out, phase, invariant, precondition, window, param; "plan" for the
// plan's own fields (module, objective, parallelism, time bounds), with
// id "".
struct Change {
  enum class Op { Added, Removed, Changed } op;
  std::string kind;
  std::string id;
  std::vector<FieldChange> fields;  // Changed; Added/Removed: empty
};

struct PlanDiff {
  std::vector<Change> changes;  // by kind (in the order above), then id
  std::vector<std::pair<std::string, std::string>> edges_added, edges_removed;  // (before, after), sorted
  bool empty() const { return changes.empty() && edges_added.empty() && edges_removed.empty(); }
};

PlanDiff ComputeDiff(const Plan& old_plan, const Plan& new_plan);

// `+ step x`, `~ step x` with `    field: before -> after`, `+ edge a -> b`.
std::string DiffText(const PlanDiff& diff);
// {"v":1,"type":"diff","changes":[...],"edges":{"added":[...],"removed":[...]}}
std::string DiffJson(const PlanDiff& diff);
// A pull-request comment: a summary line, then a table per kind.
std::string DiffMarkdown(const PlanDiff& diff, const Plan& old_plan, const Plan& new_plan);

// How a reviewer reads one value of a plan field: an action as its command
// line (`exec helm upgrade nova ./chart`), a duration in its unit, a string
// as is, anything else as compact JSON.
std::string ShowField(const std::string& field, const nlohmann::ordered_json& value);

}  // namespace sparkc::plan
