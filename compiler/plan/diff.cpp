#include "compiler/plan/diff.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/plan/markdown.h"
#include "compiler/source/source.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

// The plan's sections of things with ids, by kind, in the order a diff
// lists them. `source` only says where a thing is written, and a step's
// `after` is reported as edges, so neither is a field change.
struct Section {
  const char* kind;
  const char* key;  // in the canonical JSON
};
constexpr Section kSections[] = {{"step", "steps"},           {"fan_out", "fan_outs"},
                                 {"phase", "phases"},         {"invariant", "invariants"},
                                 {"precondition", "requires"}, {"window", "windows"}};

std::map<std::string, Json> ById(const Json& list, bool step) {
  std::map<std::string, Json> out;
  if (!list.is_array()) return out;
  for (Json item : list) {
    std::string id = item["id"];
    item.erase("id");
    item.erase("source");
    if (step) item.erase("after");
    // A window's proven bounds, as the totals a reviewer compares.
    if (item.contains("bound")) {
      for (const char* basis : {"estimate", "hard"}) {
        const Json& bound = item["bound"][basis];
        item[fmt::format("bound.{}", basis)] = bound.contains("total") ? bound["total"] : Json(nullptr);
      }
      item.erase("bound");
    }
    out[id] = std::move(item);
  }
  return out;
}

std::vector<FieldChange> Fields(const Json& before, const Json& after) {
  std::vector<FieldChange> out;
  std::set<std::string> keys;
  for (const auto& [key, value] : before.items()) keys.insert(key);
  for (const auto& [key, value] : after.items()) keys.insert(key);
  for (const std::string& key : keys) {
    std::optional<Json> a, b;
    if (before.contains(key)) a = before[key];
    if (after.contains(key)) b = after[key];
    if (a != b) out.push_back({key, std::move(a), std::move(b)});
  }
  return out;
}

std::set<std::pair<std::string, std::string>> Edges(const Plan& plan) {
  std::set<std::pair<std::string, std::string>> edges;
  for (const Step& step : plan.steps)
    for (const std::string& before : step.after) edges.emplace(before, step.id);
  return edges;
}

// The plan's own fields a reviewer weighs: what it is, what it promises.
Json PlanFields(const Json& plan) {
  Json out = Json::object();
  out["module"] = plan["module"];
  for (const auto& [key, value] : plan["objective"].items()) out["objective." + key] = value;
  const Json& time = plan["time"];
  out["parallelism"] = time["parallelism"];
  for (const char* run : {"forward", "rollback"})
    for (const char* basis : {"estimate", "hard"}) {
      const Json& bound = time[run][basis];
      out[fmt::format("time.{}.{}", run, basis)] = bound.contains("total") ? bound["total"] : Json(nullptr);
    }
  return out;
}

bool IsDuration(const std::string& field) {
  static const std::set<std::string> kSeconds = {"timeout", "estimate", "undo_estimate", "max", "wait",
                                                  "objective.rto", "objective.rpo"};
  return kSeconds.contains(field) || field.starts_with("time.") || field.starts_with("bound.");
}

std::string Command(const Json& action) {
  if (action.is_string()) return action.get<std::string>();
  std::string out;
  if (action.contains("exec")) {
    out = "exec";
    for (const Json& arg : action["exec"]) out += " " + ShellWord(arg.get<std::string>());
  } else if (action.contains("shell")) {
    out = "shell " + ShellWord(action["shell"].get<std::string>());
  } else if (action.contains("http")) {
    out = fmt::format("http {} {}", action["http"][0].get<std::string>(), action["http"][1].get<std::string>());
  } else if (action.contains("manual")) {
    return "manual " + Json(action["manual"]).dump();
  } else if (action.contains("wait")) {
    return "wait " + HumanDuration(static_cast<int64_t>(action["wait"].get<double>() * 1000));
  } else if (action.contains("sequence")) {
    for (const Json& item : action["sequence"]) out += (out.empty() ? "" : "; ") + Command(item);
    return out;
  } else {
    return action.dump();
  }
  for (const char* option : {"env", "headers", "cwd", "stdin", "body", "expect"})
    if (action.contains(option)) out += fmt::format(" {{{}: {}}}", option, action[option].dump());
  return out;
}

const char* OpName(Change::Op op) {
  return op == Change::Op::Added ? "added" : op == Change::Op::Removed ? "removed" : "changed";
}

std::string Show(const std::string& field, const std::optional<Json>& value) {
  return value ? ShowField(field, *value) : "(unset)";
}

// A value in a Markdown table cell.
std::string Cell(const std::string& field, const std::optional<Json>& value) {
  return value ? MarkdownCode(ShowField(field, *value)) : "*unset*";
}

}  // namespace

std::string ShowField(const std::string& field, const Json& value) {
  if ((field == "do" || field == "undo") && (value.is_object() || value.is_string())) return Command(value);
  if (IsDuration(field) && value.is_number())
    return fmt::format("{} ({} s)", HumanDuration(static_cast<int64_t>(value.get<double>() * 1000)), value.dump());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

PlanDiff ComputeDiff(const Plan& old_plan, const Plan& new_plan) {
  PlanDiff diff;
  Json before = ToJson(old_plan, false), after = ToJson(new_plan, false);
  for (const Section& section : kSections) {
    bool step = std::string_view(section.kind) == "step";
    std::map<std::string, Json> a = ById(before[section.key], step), b = ById(after[section.key], step);
    std::set<std::string> ids;
    for (const auto& [id, item] : a) ids.insert(id);
    for (const auto& [id, item] : b) ids.insert(id);
    for (const std::string& id : ids) {
      auto x = a.find(id), y = b.find(id);
      // A step added or removed is shown with what it does.
      auto action = [&](const Json& item) -> std::vector<FieldChange> {
        if (!step || !item.contains("do")) return {};
        bool added = x == a.end();
        return {{"do", added ? std::nullopt : std::optional(item["do"]), added ? std::optional(item["do"]) : std::nullopt}};
      };
      if (x == a.end()) diff.changes.push_back({Change::Op::Added, section.kind, id, action(y->second)});
      else if (y == b.end()) diff.changes.push_back({Change::Op::Removed, section.kind, id, action(x->second)});
      else if (std::vector<FieldChange> fields = Fields(x->second, y->second); !fields.empty())
        diff.changes.push_back({Change::Op::Changed, section.kind, id, std::move(fields)});
    }
  }
  // Parameters: each one, as its value.
  std::map<std::string, std::string> pa(old_plan.params.begin(), old_plan.params.end()),
      pb(new_plan.params.begin(), new_plan.params.end());
  std::set<std::string> names;
  for (const auto& [name, value] : pa) names.insert(name);
  for (const auto& [name, value] : pb) names.insert(name);
  for (const std::string& name : names) {
    auto x = pa.find(name), y = pb.find(name);
    if (x == pa.end()) diff.changes.push_back({Change::Op::Added, "param", name, {{"value", std::nullopt, Json(y->second)}}});
    else if (y == pb.end()) diff.changes.push_back({Change::Op::Removed, "param", name, {{"value", Json(x->second), std::nullopt}}});
    else if (x->second != y->second)
      diff.changes.push_back({Change::Op::Changed, "param", name, {{"value", Json(x->second), Json(y->second)}}});
  }
  if (std::vector<FieldChange> fields = Fields(PlanFields(before), PlanFields(after)); !fields.empty())
    diff.changes.push_back({Change::Op::Changed, "plan", "", std::move(fields)});
  auto old_edges = Edges(old_plan), new_edges = Edges(new_plan);
  for (const auto& edge : old_edges)
    if (!new_edges.contains(edge)) diff.edges_removed.push_back(edge);
  for (const auto& edge : new_edges)
    if (!old_edges.contains(edge)) diff.edges_added.push_back(edge);
  return diff;
}

std::string DiffText(const PlanDiff& diff) {
  std::string out;
  for (const Change& c : diff.changes) {
    char op = c.op == Change::Op::Added ? '+' : c.op == Change::Op::Removed ? '-' : '~';
    std::string what = c.kind == "plan" ? "plan" : fmt::format("{} {}", c.kind, c.id);
    if (c.kind == "param" && c.op != Change::Op::Changed) {
      const FieldChange& f = c.fields.front();
      out += fmt::format("{} param {} = {}\n", op, c.id, Show("value", f.after ? f.after : f.before));
      continue;
    }
    out += fmt::format("{} {}\n", op, what);
    if (c.op != Change::Op::Changed) continue;  // an added step's action is in the plan
    for (const FieldChange& f : c.fields)
      out += fmt::format("    {}: {} -> {}\n", f.field, Show(f.field, f.before), Show(f.field, f.after));
  }
  for (const auto& [from, to] : diff.edges_removed) out += fmt::format("- edge {} -> {}\n", from, to);
  for (const auto& [from, to] : diff.edges_added) out += fmt::format("+ edge {} -> {}\n", from, to);
  return out;
}

std::string DiffJson(const PlanDiff& diff) {
  Json changes = Json::array();
  for (const Change& c : diff.changes) {
    Json fields = Json::array();
    for (const FieldChange& f : c.fields)
      fields.push_back({{"field", f.field},
                        {"before", f.before ? *f.before : Json(nullptr)},
                        {"after", f.after ? *f.after : Json(nullptr)}});
    Json entry = {{"op", OpName(c.op)}, {"kind", c.kind}, {"id", c.id}};
    if (!fields.empty()) entry["fields"] = std::move(fields);
    changes.push_back(std::move(entry));
  }
  auto edges = [](const std::vector<std::pair<std::string, std::string>>& list) {
    Json out = Json::array();
    for (const auto& [from, to] : list) out.push_back({{"from", from}, {"to", to}});
    return out;
  };
  Json doc = {{"v", 1},
              {"type", "diff"},
              {"equal", diff.empty()},
              {"changes", std::move(changes)},
              {"edges", {{"added", edges(diff.edges_added)}, {"removed", edges(diff.edges_removed)}}}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string DiffMarkdown(const PlanDiff& diff, const Plan& old_plan, const Plan& new_plan) {
  std::string out = fmt::format("### sparkc plan diff: `{}`\n\n", new_plan.module);
  out += fmt::format("`{}` → `{}`\n\n", old_plan.digest.substr(0, 19), new_plan.digest.substr(0, 19));
  if (diff.empty()) return out + "The plans are equal.\n";
  // In the order the sections come, each kind's additions, removals, changes.
  std::vector<std::pair<std::string, std::map<Change::Op, size_t>>> counts;
  for (const Change& c : diff.changes) {
    if (counts.empty() || counts.back().first != c.kind) counts.push_back({c.kind, {}});
    ++counts.back().second[c.op];
  }
  std::string summary;
  for (const auto& [kind, ops] : counts)
    for (const auto& [op, n] : ops)
      summary += fmt::format("{}{} {}{} {}", summary.empty() ? "" : ", ", n, kind == "fan_out" ? "fan-out" : kind,
                             n == 1 || kind == "plan" ? "" : "s", OpName(op));
  if (!diff.edges_added.empty() || !diff.edges_removed.empty())
    summary += fmt::format("{}{} edges added, {} removed", summary.empty() ? "" : ", ", diff.edges_added.size(),
                           diff.edges_removed.size());
  out += "**" + summary + "**\n\n";
  std::string kind;
  for (const Change& c : diff.changes) {
    if (c.kind != kind) {
      kind = c.kind;
      static const std::map<std::string, std::string> kTitles = {
          {"step", "Steps"},         {"fan_out", "Fan-outs"}, {"phase", "Phases"},    {"invariant", "Invariants"},
          {"precondition", "Preconditions"}, {"window", "Windows"}, {"param", "Parameters"}, {"plan", "Plan"}};
      out += fmt::format("\n#### {}\n\n| | {} | field | before | after |\n|---|---|---|---|---|\n", kTitles.at(kind),
                         kind == "plan" ? "" : "id");
    }
    std::string op = c.op == Change::Op::Added ? "➕" : c.op == Change::Op::Removed ? "➖" : "✏️";
    if (c.fields.empty()) {
      out += fmt::format("| {} | `{}` | | | |\n", op, c.id);
      continue;
    }
    if (c.op != Change::Op::Changed && c.kind != "param") {
      const FieldChange& f = c.fields.front();
      out += fmt::format("| {} | `{}` | `{}` | {} | {} |\n", op, c.id, f.field, f.before ? Cell(f.field, f.before) : "",
                         f.after ? Cell(f.field, f.after) : "");
      continue;
    }
    for (const FieldChange& f : c.fields)
      out += fmt::format("| {} | {} | `{}` | {} | {} |\n", op, c.id.empty() ? "" : "`" + c.id + "`", f.field,
                         Cell(f.field, f.before), Cell(f.field, f.after));
  }
  if (!diff.edges_added.empty() || !diff.edges_removed.empty()) {
    out += "\n#### Dependencies\n\n| | runs after | step |\n|---|---|---|\n";
    for (const auto& [from, to] : diff.edges_removed) out += fmt::format("| ➖ | `{}` | `{}` |\n", from, to);
    for (const auto& [from, to] : diff.edges_added) out += fmt::format("| ➕ | `{}` | `{}` |\n", from, to);
  }
  return out;
}

}  // namespace sparkc::plan
