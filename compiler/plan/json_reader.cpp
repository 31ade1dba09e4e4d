// The JSON face of ReadYaml's rules (yaml_reader.h), on nlohmann's parser:
// its callback sees every key and depth, and an iterator that remembers how
// far the parser has read gives the position of what it reports.
#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "compiler/plan/yaml_reader.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

// A char iterator that records the furthest byte read: nlohmann's lexer
// reads one byte past nothing, so at a callback it is just past the token.
class Tracking {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  Tracking(const char* p, const char** furthest) : p_(p), furthest_(furthest) {}
  reference operator*() const { return *p_; }
  Tracking& operator++() {
    ++p_;
    *furthest_ = std::max(*furthest_, p_);
    return *this;
  }
  Tracking operator++(int) {
    Tracking before = *this;
    ++*this;
    return before;
  }
  bool operator==(const Tracking& other) const { return p_ == other.p_; }
  bool operator!=(const Tracking& other) const { return p_ != other.p_; }

 private:
  const char* p_;
  const char** furthest_;
};

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition at{1, 1};
  for (size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++at.column;
    }
  }
  return at;
}

// Walks the parse: the path to each node, each mapping's keys so far.
class Walk {
 public:
  Walk(std::string_view text, int max_depth, const std::vector<std::string>* target)
      : text_(text), max_depth_(max_depth), target_(target) {}

  Json Parse() {
    const char* furthest = text_.data();
    furthest_ = &furthest;
    auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) { return Event(depth, event, parsed); };
    try {
      return Json::parse(Tracking(text_.data(), &furthest), Tracking(text_.data() + text_.size(), &furthest),
                         callback);
    } catch (const Json::parse_error& e) {
      std::string message = e.what();
      // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
      if (size_t colon = message.find(": "); colon != std::string::npos) message = message.substr(colon + 2);
      throw ReadError("malformed JSON: " + message, PositionOf(text_, e.byte > 0 ? e.byte - 1 : 0));
    } catch (const Json::exception& e) {
      // Found by the JSON plan fuzzer: a number out of range (`5e5555555`)
      // is an out_of_range, not a parse_error, and has no byte offset.
      std::string message = e.what();
      if (size_t close = message.find("] "); close != std::string::npos) message = message.substr(close + 2);
      throw ReadError("malformed JSON: " + message, Here(1));
    }
  }

  TextPosition found() const { return found_; }

 private:
  struct Frame {
    bool list = false;
    size_t index = 0;
    std::unordered_set<std::string> keys;
  };

  TextPosition Here(size_t back = 0) const {
    size_t offset = static_cast<size_t>(*furthest_ - text_.data());
    return PositionOf(text_, offset > back ? offset - back : 0);
  }

  // A list element begins with its first event.
  void Element(size_t back) {
    if (frames_.empty() || !frames_.back().list) return;
    path_.push_back(std::to_string(frames_.back().index++));
    Visit(back);
    path_.pop_back();
  }

  void Visit(size_t back) {
    if (target_ == nullptr || path_.size() > target_->size() || path_.size() <= found_depth_) return;
    if (!std::equal(path_.begin(), path_.end(), target_->begin())) return;
    found_ = Here(back);
    found_depth_ = path_.size();
  }

  bool Event(int depth, Json::parse_event_t event, Json& parsed) {
    using E = Json::parse_event_t;
    if (depth > max_depth_) throw ReadError("the plan is nested too deeply", Here(1));
    switch (event) {
      case E::object_start:
      case E::array_start:
        Element(1);
        frames_.push_back({event == E::array_start, 0, {}});
        if (frames_.size() > 1 && !frames_[frames_.size() - 2].list) path_.push_back(key_);
        else if (frames_.size() > 1) path_.push_back(std::to_string(frames_[frames_.size() - 2].index - 1));
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        if (!frames_.empty()) path_.pop_back();
        break;
      case E::key: {
        key_ = parsed.get<std::string>();
        if (!frames_.back().keys.insert(key_).second)
          throw ReadError("the key `" + key_ + "` appears twice in one object; a plan says each thing once",
                          Here(key_.size() + 2));
        path_.push_back(key_);
        Visit(key_.size() + 2);
        path_.pop_back();
        break;
      }
      // Past the token: back by its length (exact for what sparkc writes).
      case E::value: Element(parsed.dump().size()); break;
    }
    return true;
  }

  std::string_view text_;
  int max_depth_;
  const std::vector<std::string>* target_;
  const char** furthest_ = nullptr;
  std::vector<Frame> frames_;
  std::vector<std::string> path_;  // to the innermost open container
  std::string key_;
  TextPosition found_;
  size_t found_depth_ = 0;
};

}  // namespace

Json ReadJson(std::string_view text, int max_depth) { return Walk(text, max_depth, nullptr).Parse(); }

TextPosition LocateJson(std::string_view text, const std::vector<std::string>& path) {
  Walk walk(text, INT32_MAX, &path);
  try {
    walk.Parse();
  } catch (const ReadError&) {
  }
  return walk.found();
}

}  // namespace sparkc::plan
