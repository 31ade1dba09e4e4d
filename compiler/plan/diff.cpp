#include "compiler/plan/diff.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

// Steps by id in canonical JSON. `source` only says where the step is
// written and `after` is reported as edges, so neither is a field change.
std::map<std::string, Json> StepsById(const Plan& plan) {
  std::map<std::string, Json> steps;
  Json json = ToJson(plan);
  for (Json& step : json["steps"]) {
    std::string id = step["id"];
    step.erase("id");
    step.erase("source");
    step.erase("after");
    steps[id] = std::move(step);
  }
  return steps;
}

std::set<std::pair<std::string, std::string>> Edges(const Plan& plan) {
  std::set<std::pair<std::string, std::string>> edges;
  for (const Step& step : plan.steps)
    for (const std::string& before : step.after) edges.emplace(before, step.id);
  return edges;
}

std::string Show(const Json* value) { return value == nullptr ? "(unset)" : value->dump(); }

}  // namespace

bool Diff(const Plan& old_plan, const Plan& new_plan, std::string& out) {
  std::map<std::string, Json> before = StepsById(old_plan), after = StepsById(new_plan);
  std::set<std::string> ids;
  for (const auto& [id, step] : before) ids.insert(id);
  for (const auto& [id, step] : after) ids.insert(id);
  for (const std::string& id : ids) {
    auto old_it = before.find(id), new_it = after.find(id);
    if (old_it == before.end()) {
      out += fmt::format("+ step {}\n", id);
      continue;
    }
    if (new_it == after.end()) {
      out += fmt::format("- step {}\n", id);
      continue;
    }
    std::set<std::string> keys;
    for (const auto& [key, value] : old_it->second.items()) keys.insert(key);
    for (const auto& [key, value] : new_it->second.items()) keys.insert(key);
    std::string changes;
    for (const std::string& key : keys) {
      const Json* a = old_it->second.contains(key) ? &old_it->second[key] : nullptr;
      const Json* b = new_it->second.contains(key) ? &new_it->second[key] : nullptr;
      if (a != nullptr && b != nullptr && *a == *b) continue;
      changes += fmt::format("    {}: {} -> {}\n", key, Show(a), Show(b));
    }
    if (!changes.empty()) out += fmt::format("~ step {}\n{}", id, changes);
  }
  auto old_edges = Edges(old_plan), new_edges = Edges(new_plan);
  for (const auto& edge : old_edges)
    if (!new_edges.contains(edge)) out += fmt::format("- edge {} -> {}\n", edge.first, edge.second);
  for (const auto& edge : new_edges)
    if (!old_edges.contains(edge)) out += fmt::format("+ edge {} -> {}\n", edge.first, edge.second);
  Json old_meta = ToJson(old_plan, false), new_meta = ToJson(new_plan, false);
  for (const char* key : {"module", "params", "objective", "phases"})
    if (old_meta[key] != new_meta[key])
      out += fmt::format("~ {}: {} -> {}\n", key, old_meta[key].dump(), new_meta[key].dump());
  return !out.empty();
}

}  // namespace sparkc::plan
