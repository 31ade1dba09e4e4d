// libFuzzer target: the strict YAML reader. It never crashes or loops; every
// refusal says where; in what it accepts, every key is found again by
// LocateYaml, and no mapping holds a key twice. Then the whole loader.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "compiler/plan/yaml_reader.h"
#include "compiler/source/source.h"

using Json = nlohmann::ordered_json;

namespace {

// Each key's path, depth first, at most `budget` of them.
void Paths(const Json& j, std::vector<std::string>& path, std::vector<std::vector<std::string>>& out, size_t budget) {
  if (out.size() >= budget) return;
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      path.push_back(key);
      out.push_back(path);
      Paths(value, path, out, budget);
      path.pop_back();
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      path.push_back(std::to_string(i));
      Paths(j[i], path, out, budget);
      path.pop_back();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  bool is_nul = false;
  if (sparkc::FindInvalidText(text, is_nul) >= 0) return 0;  // LoadPlan refuses it first
  Json tree;
  try {
    tree = sparkc::plan::ReadYaml(text, 1u << 16, 64);
  } catch (const sparkc::plan::ReadError& e) {
    if (e.at.line == 0) std::abort();
    tree = nullptr;
  }
  std::vector<std::string> path;
  std::vector<std::vector<std::string>> keys;
  // A few keys: each LocateYaml parses the whole input again.
  Paths(tree, path, keys, 8);
  for (const auto& key : keys)
    if (sparkc::plan::LocateYaml(text, key).line == 0) std::abort();
  sparkc::plan::Plan plan;
  std::string error;
  sparkc::plan::TextPosition at;
  sparkc::plan::LoadPlan(text, plan, error, &at);
  return 0;
}
