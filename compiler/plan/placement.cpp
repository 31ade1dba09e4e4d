#include "compiler/plan/placement.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sparkc::plan {

const std::vector<PlacementField>& PlacementFields() {
  static const std::vector<PlacementField> fields = {
      {"partition", "partition", PlacementType::Text},   {"gres", "gres", PlacementType::Text},
      {"nodelist", "nodelist", PlacementType::Text},     {"constraint", "constraint", PlacementType::Text},
      {"account", "account", PlacementType::Text},       {"qos", "qos", PlacementType::Text},
      {"cpus", "cpus-per-task", PlacementType::Count},   {"mem", "mem", PlacementType::Size},
  };
  return fields;
}

std::string PlacementProblem(std::string_view name, std::string_view value) {
  if (value.empty()) return fmt::format("`{}` is empty", name);
  if (value.size() > 512) return fmt::format("`{}` is longer than 512 characters", name);
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return fmt::format("`{}` holds {}; Slurm's names and lists are printable ASCII without blanks", name,
                         u == ' ' ? "a blank" : u < 0x20 || u == 0x7f ? "a control character" : "a non-ASCII byte");
    if (std::string_view("\"'`\\$;<>{}#").find(c) != std::string_view::npos)
      return fmt::format("`{}` holds `{}`, which no Slurm name, list or constraint has", name, c);
  }
  if (value.front() == '-') return fmt::format("`{}` starts with `-`, as an option would", name);
  return {};
}

std::string* TextField(Placement& p, std::string_view name) {
  if (name == "partition") return &p.partition;
  if (name == "gres") return &p.gres;
  if (name == "nodelist") return &p.nodelist;
  if (name == "constraint") return &p.constraint;
  if (name == "account") return &p.account;
  if (name == "qos") return &p.qos;
  return nullptr;
}

int64_t* NumberField(Placement& p, std::string_view name) {
  if (name == "cpus") return &p.cpus;
  if (name == "mem") return &p.mem_bytes;
  return nullptr;
}

namespace {

int64_t MiB(int64_t bytes) { return (bytes + (int64_t{1} << 20) - 1) >> 20; }

template <typename F>
void EachSet(const Placement& given, F&& f) {
  Placement p = given;  // the accessors hand out mutable fields
  for (const PlacementField& field : PlacementFields()) {
    if (std::string* text = TextField(p, field.name); text && !text->empty()) f(field, *text, int64_t{0});
    if (int64_t* n = NumberField(p, field.name); n && *n > 0) f(field, std::string(), *n);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> SetPlacement(const Placement& p) {
  std::vector<std::pair<std::string, std::string>> out;
  EachSet(p, [&](const PlacementField& f, const std::string& text, int64_t n) {
    out.emplace_back(f.name, f.type == PlacementType::Text ? text : std::to_string(n));
  });
  return out;
}

nlohmann::ordered_json PlacementToJson(const Placement& p) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  EachSet(p, [&](const PlacementField& f, const std::string& text, int64_t n) {
    if (f.type == PlacementType::Text) j[std::string(f.name)] = text;
    else j[std::string(f.name)] = n;
  });
  return j;
}

std::string ShowPlacement(const Placement& p) {
  std::string out;
  EachSet(p, [&](const PlacementField& f, const std::string& text, int64_t n) {
    std::string value = f.type == PlacementType::Text ? text
                        : f.type == PlacementType::Size ? (n % (int64_t{1} << 30) == 0 ? fmt::format("{}GiB", n >> 30)
                                                                                        : fmt::format("{}MiB", MiB(n)))
                                                        : std::to_string(n);
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", f.name, value);
  });
  return out;
}

std::vector<std::string> SbatchOptions(const Placement& p) {
  std::vector<std::string> out;
  EachSet(p, [&](const PlacementField& f, const std::string& text, int64_t n) {
    std::string value = f.type == PlacementType::Text ? text
                        : f.type == PlacementType::Size ? fmt::format("{}M", MiB(n))
                                                        : std::to_string(n);
    out.push_back(fmt::format("--{}={}", f.option, value));
  });
  return out;
}

}  // namespace sparkc::plan
