// The YAML face of the plan: the same tree as ToJson, one fact per line, with
// durations annotated in human form for reviewers.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "compiler/plan/plan.h"
#include "compiler/plan/yaml_reader.h"
#include "compiler/source/source.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

const std::set<std::string> kDurationKeys = {"timeout", "estimate", "undo_estimate",
                                             "rto", "rpo", "wait", "max", "total", "path", "drain"};

// A string is written plain only when no YAML resolver, 1.1 (PyYAML,
// libyaml, Go's yaml.v2) or 1.2 (js-yaml, ruamel, yaml-cpp), can read it as
// anything else; otherwise it is double-quoted. Plain strings start with a
// letter, `_` or `/` and go on with `[A-Za-z0-9_./:@+=-]`, never ending in
// `:`: that leaves out every number, timestamp, sexagesimal, `.inf`, `.nan`,
// `~`, `<<` and `=` of either version, since all of them start with a digit,
// a sign, a dot or a symbol. What remains are the words: YAML 1.1's
// booleans (y, yes, on, ... in the three casings it knows) and null in
// every casing, which are compared without case.
bool NeedsQuotes(std::string_view s) {
  auto first = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '/'; };
  auto rest = [&](char c) {
    return first(c) || c == '.' || std::isdigit(static_cast<unsigned char>(c)) ||
           std::string_view(":@+=-").find(c) != std::string_view::npos;
  };
  bool plain = !s.empty() && first(s[0]) && s.back() != ':' && std::all_of(s.begin() + 1, s.end(), rest);
  if (!plain) return true;
  if (s.size() > 5) return false;
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string_view> kWords = {"true", "false", "yes", "no", "on", "off",
                                                    "y", "n", "null"};
  return kWords.contains(lower);
}

// The next UTF-8 sequence of `s` at `i` (valid: plans are checked text).
uint32_t DecodeAt(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  uint32_t c = byte(i);
  int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
  if (extra > 0) c &= 0x3F >> extra;
  for (int k = 1; k <= extra && i + k < s.size(); ++k) c = c << 6 | (byte(i + k) & 0x3F);
  i += extra + 1;
  return c;
}

// A YAML double-quoted scalar. Besides `"` and `\`, every character YAML
// does not allow as is (C0 and C1 controls, DEL) or reads as a line break
// (NEL, LS, PS) and the byte order mark are escaped.
void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    size_t begin = i;
    uint32_t c = DecodeAt(s, i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case 0x85: out += "\\N"; break;
      case 0x2028: out += "\\L"; break;
      case 0x2029: out += "\\P"; break;
      default:
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) out += fmt::format("\\x{:02x}", c);
        else if (c == 0xFEFF || c == 0xFFFE || c == 0xFFFF) out += fmt::format("\\u{:04x}", c);
        else out.append(s.substr(begin, i - begin));
    }
  }
  out += '"';
}

void AppendString(std::string& out, const std::string& s) {
  if (NeedsQuotes(s)) AppendQuoted(out, s);
  else out += s;
}

void AppendScalar(std::string& out, const Json& j) {
  if (j.is_string()) {
    AppendString(out, j.get_ref<const std::string&>());
  } else if (j.is_null()) {
    out += "null";
  } else {
    out += j.dump();  // numbers and booleans exactly as the canonical JSON has them
  }
}

// Lists of names and argv read best on one line.
bool FlowValue(const std::string& key, const Json& value) {
  return key == "after" || key == "exec" || key == "http" || key == "approvers" || key == "instances" ||
         (value.is_array() && !value.empty() && value.front().is_string() && (key == "steps" || key == "order"));
}

// The plan's YAML, written directly: yaml-cpp's emitter re-checked every
// scalar with its own regular expressions and took a third of `plan`'s time
// at 100k steps. Block style with two-space indents, one fact per line.
class YamlWriter {
 public:
  std::string out;
  // The plan's conventions: durations annotated, name lists on one line.
  // Off for other documents (sparkc export), where those keys mean other things.
  bool plan_style = true;

  // `j` as the value after `key:` or `- `, the cursor right after them.
  void Value(const Json& j, int indent, bool flow) {
    if (flow || j.empty() || !j.is_structured()) {
      out += ' ';
      Inline(j);
      out += '\n';
    } else if (j.is_object()) {
      out += '\n';
      Map(j, indent);
    } else {
      out += '\n';
      Seq(j, indent);
    }
  }

  void Map(const Json& j, int indent, bool first_on_line = false) {
    for (const auto& [key, value] : j.items()) {
      if (!first_on_line) out.append(indent, ' ');
      first_on_line = false;
      AppendString(out, key);
      out += ':';
      bool flow = plan_style && FlowValue(key, value);
      if (plan_style && kDurationKeys.contains(key) && value.is_number()) {
        out += ' ';
        AppendScalar(out, value);
        out += "  # ";
        out += HumanDuration(value.is_number_integer() ? value.get<int64_t>() * 1000
                                                       : static_cast<int64_t>(value.get<double>() * 1000));
        out += '\n';
      } else {
        Value(value, indent + 2, flow);
      }
    }
  }

  // `first_on_line`: the first item goes on its parent's `- ` line.
  void Seq(const Json& j, int indent, bool first_on_line = false) {
    for (const Json& item : j) {
      if (!first_on_line) out.append(indent, ' ');
      first_on_line = false;
      out += '-';
      if (item.is_structured() && !item.empty()) {
        out += ' ';
        if (item.is_object()) Map(item, indent + 2, true);
        else Seq(item, indent + 2, true);
      } else {
        Value(item, indent + 2, false);
      }
    }
  }

 private:
  void Inline(const Json& j) {
    if (j.is_object()) {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.items()) {
        if (!first) out += ", ";
        first = false;
        AppendString(out, key);
        out += ": ";
        Inline(value);
      }
      out += '}';
    } else if (j.is_array()) {
      out += '[';
      bool first = true;
      for (const Json& item : j) {
        if (!first) out += ", ";
        first = false;
        Inline(item);
      }
      out += ']';
    } else {
      AppendScalar(out, j);
    }
  }
};

constexpr size_t kMaxNodes = 1u << 24;
constexpr int kMaxDepth = 64;

}  // namespace

std::string EmitYaml(const Plan& plan) {
  YamlWriter writer;
  writer.out = "# Generated by sparkc " + plan.compiler + ". Do not edit: `sparkc apply` checks the digest.\n\n";
  writer.Map(ToJson(plan), 0);
  return std::move(writer.out);
}

std::string EmitYamlDocument(const nlohmann::ordered_json& document) {
  YamlWriter writer;
  writer.plan_style = false;
  writer.Map(document, 0);
  return std::move(writer.out);
}

// The JSON path an error of FromJson names first (`plan.steps[3].do.exec`),
// as keys and indexes below the root.
std::vector<std::string> PathOfError(std::string_view message) {
  std::vector<std::string> path;
  size_t open = message.find('`');
  size_t close = open == std::string_view::npos ? open : message.find('`', open + 1);
  if (close == std::string_view::npos) return path;
  std::string_view text = message.substr(open + 1, close - open - 1);
  if (!text.starts_with("plan")) return path;
  text.remove_prefix(4);
  while (!text.empty()) {
    size_t skip = text[0] == '.' || text[0] == '[' ? 1 : 0;
    size_t end = text.find_first_of(".[]", skip);
    path.emplace_back(text.substr(skip, end - skip));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + (text[end] == ']' ? 1 : 0));
  }
  return path;
}

LoadStatus LoadPlan(const std::string& text, Plan& plan, std::string& error, TextPosition* at) {
  // Found by the plan fuzzer: invalid UTF-8 in a string made the digest's
  // JSON serialisation throw past every handler.
  bool is_nul = false;
  if (int64_t bad = FindInvalidText(text, is_nul); bad >= 0) {
    error = fmt::format("{} at byte {}; a plan is UTF-8 text", is_nul ? "a NUL byte" : "invalid UTF-8", bad);
    return LoadStatus::Invalid;
  }
  Json json;
  size_t start = text.find_first_not_of(" \t\r\n");
  bool is_json = start != std::string::npos && text[start] == '{';
  try {
    json = is_json ? ReadJson(text, kMaxDepth) : ReadYaml(text, kMaxNodes, kMaxDepth);
  } catch (const ReadError& e) {
    error = e.what();
    if (at != nullptr) *at = e.at;
    return LoadStatus::Invalid;
  }
  if (!FromJson(json, plan, error)) {
    if (at != nullptr) {
      std::vector<std::string> path = PathOfError(error);
      if (!path.empty()) *at = is_json ? LocateJson(text, path) : LocateYaml(text, path);
    }
    return LoadStatus::Invalid;
  }
  std::string actual;
  try {
    actual = ComputeDigest(plan);
  } catch (const std::exception& e) {  // a string YAML decoded into something JSON cannot hold
    error = e.what();
    return LoadStatus::Invalid;
  }
  if (actual != plan.digest) {
    error = "the plan's digest is " + plan.digest + " but its content hashes to " + actual;
    return LoadStatus::DigestMismatch;
  }
  if (!TimeBoundsHold(plan, error)) {
    if (at != nullptr) {
      std::vector<std::string> path = PathOfError(error);
      if (!path.empty()) *at = is_json ? LocateJson(text, path) : LocateYaml(text, path);
    }
    return LoadStatus::Invalid;
  }
  return LoadStatus::Ok;
}

}  // namespace sparkc::plan
