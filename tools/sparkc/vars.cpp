#include "tools/sparkc/vars.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

extern char** environ;

namespace sparkc {

bool CollectParams(const std::vector<std::string>& vars, const std::string& var_file, ParamValues& out,
                   std::string& error) {
  constexpr std::string_view kPrefix = "SPARKC_VAR_";
  for (char** env = environ; env != nullptr && *env != nullptr; ++env) {
    std::string_view entry = *env;
    size_t eq = entry.find('=');
    if (!entry.starts_with(kPrefix) || eq == std::string_view::npos || eq == kPrefix.size()) continue;
    std::string name(entry.substr(kPrefix.size(), eq - kPrefix.size()));
    out[name] = {std::string(entry.substr(eq + 1)), std::string(entry.substr(0, eq))};
  }
  if (!var_file.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(var_file);
    } catch (const YAML::Exception& e) {
      error = fmt::format("{}:{}:{}: not YAML: {}", var_file, e.mark.line + 1, e.mark.column + 1, e.msg);
      return false;
    }
    if (!root.IsMap() && !root.IsNull()) {
      error = fmt::format("{}: a var file is a map of parameter names to values (`window: 30min`)", var_file);
      return false;
    }
    for (const auto& item : root) {
      int line = item.first.Mark().line + 1;
      if (!item.first.IsScalar() || !item.second.IsScalar()) {
        error = fmt::format("{}:{}: each entry is `name: value`, one value per parameter", var_file, line);
        return false;
      }
      out[item.first.Scalar()] = {item.second.Scalar(), fmt::format("{}:{}", var_file, line)};
    }
  }
  for (const std::string& var : vars) {
    size_t eq = var.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = fmt::format("--var {}: expected NAME=VALUE", var);
      return false;
    }
    out[var.substr(0, eq)] = {var.substr(eq + 1), "--var " + var};
  }
  return true;
}

}  // namespace sparkc
