#include "compiler/plan/yaml_reader.h"

#include <yaml.h>

#include <charconv>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// `-?[0-9]+` and `-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?`: the numbers the
// canonical JSON writes.
bool IsInteger(std::string_view s) { return IsDigits(s.substr(!s.empty() && s[0] == '-')); }

bool IsDecimal(std::string_view s) {
  s.remove_prefix(!s.empty() && s[0] == '-');
  size_t dot = s.find('.');
  if (dot == std::string_view::npos || !IsDigits(s.substr(0, dot))) return false;
  std::string_view rest = s.substr(dot + 1);
  size_t e = rest.find_first_of("eE");
  if (!IsDigits(rest.substr(0, e))) return false;
  if (e == std::string_view::npos) return true;
  std::string_view exponent = rest.substr(e + 1);
  exponent.remove_prefix(!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-'));
  return IsDigits(exponent);
}

Json PlainScalar(const std::string& s) {
  if (s.empty() || s == "null" || s == "~") return Json();
  if (s == "true" || s == "false") return Json(s == "true");
  if (IsInteger(s)) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) throw std::out_of_range("integer `" + s + "` is out of range");
    return Json(value);
  }
  if (IsDecimal(s)) return Json(std::stod(s));
  return Json(s);
}

class Reader {
 public:
  // With `target`, also finds where that path is written (Locate).
  Reader(std::string_view text, size_t max_nodes, int max_depth, const std::vector<std::string>* target = nullptr)
      : budget_(max_nodes), max_depth_(max_depth), target_(target) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Reader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  Json Document() {
    Next();  // stream start
    Next();
    if (event_.type == YAML_STREAM_END_EVENT) return Json();
    Next();  // past document start
    Json root = Value(0);
    Next();  // past document end
    if (event_.type != YAML_STREAM_END_EVENT)
      throw ReadError("a plan is one YAML document; a second one starts here", Here());
    return root;
  }

  TextPosition found() const { return found_; }

 private:
  TextPosition Here() const { return {static_cast<uint32_t>(event_.start_mark.line + 1),
                                      static_cast<uint32_t>(event_.start_mark.column + 1)}; }

  void Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = false;
    if (!yaml_parser_parse(&parser_, &event_)) {
      throw ReadError(std::string("malformed YAML: ") + (parser_.problem != nullptr ? parser_.problem : "unreadable"),
                      {static_cast<uint32_t>(parser_.problem_mark.line + 1),
                       static_cast<uint32_t>(parser_.problem_mark.column + 1)});
    }
    has_event_ = true;
  }

  // Locate: the current path (path_) is written at the current event.
  void Visit() {
    if (target_ == nullptr || path_.size() > target_->size() || path_.size() <= found_depth_) return;
    if (!std::equal(path_.begin(), path_.end(), target_->begin())) return;
    found_ = Here();
    found_depth_ = path_.size();
  }

  // The node starting at the current event; leaves the event after it current.
  Json Value(int depth) {
    if (budget_-- == 0 || depth > max_depth_) throw ReadError("the plan is too large or too deeply nested", Here());
    switch (event_.type) {
      case YAML_SCALAR_EVENT: {
        std::string text(reinterpret_cast<const char*>(event_.data.scalar.value), event_.data.scalar.length);
        bool plain = event_.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        Json value;
        try {
          value = plain ? PlainScalar(text) : Json(std::move(text));
        } catch (const std::out_of_range& e) {
          throw ReadError(e.what(), Here());
        }
        Next();
        return value;
      }
      case YAML_SEQUENCE_START_EVENT: {
        Json list = Json::array();
        for (Next(); event_.type != YAML_SEQUENCE_END_EVENT;) {
          path_.push_back(std::to_string(list.size()));
          Visit();
          list.push_back(Value(depth + 1));
          path_.pop_back();
        }
        Next();
        return list;
      }
      case YAML_MAPPING_START_EVENT: {
        Json object = Json::object();
        std::unordered_set<std::string> keys;
        for (Next(); event_.type != YAML_MAPPING_END_EVENT;) {
          if (event_.type != YAML_SCALAR_EVENT) throw ReadError("a key must be a plain name", Here());
          std::string key(reinterpret_cast<const char*>(event_.data.scalar.value), event_.data.scalar.length);
          if (!keys.insert(key).second)
            throw ReadError("the key `" + key + "` appears twice in one mapping; a plan says each thing once",
                            Here());
          path_.push_back(key);
          Visit();
          Next();
          object[key] = Value(depth + 1);
          path_.pop_back();
        }
        Next();
        return object;
      }
      case YAML_ALIAS_EVENT: throw ReadError("aliases (*name) are not allowed in a plan", Here());
      default: throw ReadError("unexpected YAML structure", Here());
    }
  }

  yaml_parser_t parser_;
  yaml_event_t event_{};
  bool has_event_ = false;
  size_t budget_;
  int max_depth_;
  const std::vector<std::string>* target_;
  std::vector<std::string> path_;
  TextPosition found_;
  size_t found_depth_ = 0;
};

}  // namespace

Json ReadYaml(std::string_view text, size_t max_nodes, int max_depth) {
  return Reader(text, max_nodes, max_depth).Document();
}

TextPosition LocateYaml(std::string_view text, const std::vector<std::string>& path) {
  Reader reader(text, SIZE_MAX, INT32_MAX, &path);
  try {
    reader.Document();
  } catch (const ReadError&) {
    // What was found before the error still says where.
  }
  return reader.found();
}

}  // namespace sparkc::plan
