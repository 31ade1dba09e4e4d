#include "runtime/apply/approvals.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>

#include "runtime/state/store.h"

namespace sparkc::runtime {
namespace {

bool NeedsApproval(const plan::Step& step) {
  if (step.gate) return true;
  if (step.action.kind == plan::Action::Kind::Manual) return true;
  return std::any_of(step.action.sequence.begin(), step.action.sequence.end(),
                     [](const plan::Action& a) { return a.kind == plan::Action::Kind::Manual; });
}

std::string Where(const std::string& path, const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  return fmt::format("{}:{}:{}", path, mark.line + 1, mark.column + 1);
}

std::string Text(const YAML::Node& item, const char* key) {
  YAML::Node value = item[key];
  return value && value.IsScalar() ? value.Scalar() : std::string();
}

}  // namespace

bool LoadApprovals(const std::string& path, const plan::Plan& plan, Approvals& out, std::string& error) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    error = fmt::format("{}: cannot read the approvals file", path);
    return false;
  } catch (const YAML::ParserException& e) {
    error = fmt::format("{}:{}:{}: not valid YAML: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg);
    return false;
  }
  YAML::Node list = root.IsMap() ? root["approvals"] : YAML::Node();
  if (!list || !list.IsSequence()) {
    error = fmt::format("{}: expected a map with an `approvals` list of {{step, by}} entries", path);
    return false;
  }
  std::map<std::string, const plan::Step*> steps;
  for (const plan::Step& step : plan.steps) steps[step.id] = &step;
  for (const YAML::Node& item : list) {
    if (!item.IsMap()) {
      error = fmt::format("{}: expected an entry {{step: ID, by: NAME}}", Where(path, item));
      return false;
    }
    Approval approval{Text(item, "step"), Text(item, "by"), Text(item, "note"), Where(path, item),
                      Text(item, "at")};
    if (approval.step.empty() || approval.by.empty()) {
      error = fmt::format("{}: an approval needs both `step` and `by`", Where(path, item));
      return false;
    }
    auto it = steps.find(approval.step);
    if (it == steps.end()) {
      error = fmt::format("{}: the plan has no step `{}`", Where(path, item["step"]), approval.step);
      return false;
    }
    if (!NeedsApproval(*it->second)) {
      error = fmt::format("{}: `{}` is neither a gate nor a manual step; it needs no approval",
                          Where(path, item["step"]), approval.step);
      return false;
    }
    if (approval.at.empty()) approval.at = NowTimestamp();
    out[approval.step] = std::move(approval);
  }
  return true;
}

std::string DefaultApprover() {
  for (const char* name : {"SPARKC_APPROVER", "USER"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  return "unknown";
}

std::string RefuseApprover(const std::string& by, const std::vector<std::string>& approvers) {
  if (approvers.empty() || std::find(approvers.begin(), approvers.end(), by) != approvers.end()) return {};
  std::string names;
  for (const std::string& a : approvers) names += (names.empty() ? "" : ", ") + a;
  return fmt::format("`{}` is not among its approvers ({})", by, names);
}

}  // namespace sparkc::runtime
