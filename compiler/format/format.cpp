#include "compiler/format/format.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "compiler/parse/lexer.h"

namespace sparkc::format {
namespace {

enum class Kind { Token, LineComment, BlockComment };

// A token or a comment, with the layout the author gave the space before it.
struct Item {
  Kind kind;
  std::string_view text;
  int newlines;  // line breaks since the previous item
  int spaces;    // blanks just before it, after the last line break
};

// Tokens come from the lexer; the comments it skips are found again in the
// gaps between them, so nothing the author wrote is dropped.
std::vector<Item> Items(std::string_view text) {
  parse::Lexed lexed = parse::Lex(text);
  std::vector<Item> items;
  size_t pos = 0;
  int newlines = 0, spaces = 0;
  auto add = [&](Kind kind, size_t begin, size_t end) {
    items.push_back({kind, text.substr(begin, end - begin), newlines, spaces});
    newlines = spaces = 0;
    pos = end;
  };
  auto gap = [&](size_t end) {
    while (pos < end) {
      char c = text[pos];
      if (c == '\n') {
        ++newlines;
        spaces = 0;
        ++pos;
      } else if (c == ' ' || c == '\t') {
        ++spaces;
        ++pos;
      } else if (text.compare(pos, 2, "//") == 0) {
        add(Kind::LineComment, pos, std::min(text.find('\n', pos), end));
      } else if (text.compare(pos, 2, "/*") == 0) {
        add(Kind::BlockComment, pos, std::min(text.find("*/", pos + 2) + 2, end));
      } else {
        ++pos;  // '\r': lines end in '\n' alone
      }
    }
  };
  for (const parse::Lexeme& t : lexed.tokens) {
    if (t.type == parse::kEofType) break;
    gap(t.begin);
    add(Kind::Token, t.begin, t.end);
  }
  gap(text.size());
  return items;
}

bool In(std::string_view word, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), word) != set.end();
}
bool IsWord(std::string_view t) {
  return !t.empty() && (std::isalpha(static_cast<unsigned char>(t[0])) || t[0] == '_');
}
bool IsOperatorWord(std::string_view t) {
  return In(t, {"and", "or", "not", "in", "contains", "if", "then", "else", "for"});
}
bool IsDeclWord(std::string_view t) {
  return In(t, {"module", "import", "phase", "objective", "step", "gate", "template", "enum", "record", "const", "fn",
                "hardware", "environment", "service", "secret", "invariant", "require", "window", "param"});
}
bool IsOpener(std::string_view t) { return t == "(" || t == "[" || t == "{"; }
bool IsCloser(std::string_view t) { return t == ")" || t == "]" || t == "}"; }

// A `-` after one of these is the sign of what follows it.
bool BeforeOperand(std::string_view t) {
  return t.empty() || IsOperatorWord(t) ||
         In(t, {"(", "[", "{", ",", ";", ":", "=", "->", "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!="});
}

// Canonical blanks between two tokens on one line: 0 or 1.
int Space(std::string_view prev, std::string_view next, bool prev_is_sign) {
  if (prev_is_sign) return 0;
  if (In(next, {")", "]", ",", ";", ".", ":", "%"})) return 0;
  if (prev == "(" || prev == "[" || prev == ".") return 0;
  if (prev == "{") return next == "}" ? 0 : 1;
  // A call, an index or a type's argument: `f(x)`, `a[0]`, `list[string]`, `step s[x in xs]`.
  if (next == "(" || next == "[") return (IsWord(prev) && !IsOperatorWord(prev)) || IsCloser(prev) ? 0 : 1;
  return 1;
}

// Where specs line columns up, and so where extra blanks are kept: before
// `=` (fields, constants, secrets), a title string (phases), a block, and
// after a comma (tables of records).
bool Aligns(std::string_view prev, std::string_view next) {
  return next == "=" || next == "{" || next[0] == '"' || prev == ",";
}

struct Open {
  char bracket;
  int indent;      // what its lines indent from (Base)
  int align = -1;  // column of what follows it on that line; -1: nothing did
  bool fields;     // a block of `name = value` lines (not an enum, record or invariant body)
};

// The last line at a bracket depth that began a statement (not a
// continuation): its indentation, and how far formatting moved it.
struct Anchor {
  int indent;
  int delta;
};

class Formatter {
 public:
  explicit Formatter(std::vector<Item> items) : items_(std::move(items)) {}

  std::string Run() {
    for (size_t begin = 0; begin < items_.size();) {
      size_t end = begin + 1;
      while (end < items_.size() && items_[end].newlines == 0) ++end;
      Line(begin, end);
      begin = end;
    }
    FlushComments(open_.empty() ? 0 : open_.back().indent + 2);
    return std::move(out_);
  }

 private:
  bool IsToken(size_t i) const { return i < items_.size() && items_[i].kind == Kind::Token; }

  // Items [begin, end) share a line.
  void Line(size_t begin, size_t end) {
    bool blank = items_[begin].newlines >= 2;
    size_t first = begin;
    while (first < end && !IsToken(first)) ++first;
    if (first == end) {  // only comments: indented like the line after them
      pending_.push_back({begin, end, blank});
      return;
    }
    std::string_view lead = items_[first].text;
    int written = items_[begin].spaces;
    bool continues = false;
    int indent = Indent(first, end, written, continues);
    line_depth_ = open_.size();
    if (!continues && !IsCloser(lead)) {
      anchors_.resize(line_depth_ + 1);
      anchors_[line_depth_] = {indent, indent - written};
    }
    FlushComments(IsCloser(lead) && !open_.empty() ? open_.back().indent + 2 : indent);
    if (blank && !IsCloser(lead)) StartBlank();
    NewLine(indent);
    Emit(begin, end);
  }

  // `written`: the line's indentation in the input. A continuation line (one
  // that does not start a declaration, a field or a list element) goes one
  // level deeper than the line its statement began on, or as deep as the
  // author aligned it, moved with that line.
  int Indent(size_t first, size_t end, int written, bool& continues) const {
    std::string_view lead = items_[first].text;
    if (IsCloser(lead)) return open_.empty() ? 0 : open_.back().indent;
    int inside = open_.empty() ? 0 : open_.back().indent + 2;
    if (open_.empty()) {
      continues = !IsDeclWord(lead);
    } else {
      const Open& o = open_.back();
      if (o.align >= 0) return o.align;
      if (o.bracket == '{')
        continues = o.fields && !((IsWord(lead) || lead[0] == '"') && first + 1 < end && items_[first + 1].text == "=");
      else
        continues = prev_token_ != "," && !IsOpener(prev_token_);
    }
    if (!continues) return inside;
    Anchor a = open_.size() < anchors_.size() ? anchors_[open_.size()] : Anchor{inside, 0};
    return std::max(a.indent + 2, written + a.delta);
  }

  // Blank lines separate; none opens a file or a bracket's first line.
  void StartBlank() {
    if (!out_.empty() && !after_opener_) out_ += '\n';
  }

  void NewLine(int indent) {
    if (!out_.empty()) out_ += '\n';
    out_.append(indent, ' ');
    column_ = line_indent_ = indent;
  }

  void FlushComments(int indent) {
    for (const Pending& p : pending_) {
      if (p.blank) StartBlank();
      NewLine(indent);
      Emit(p.begin, p.end);
      after_opener_ = false;
    }
    pending_.clear();
  }

  void Emit(size_t begin, size_t end) {
    size_t awaiting = SIZE_MAX;  // the bracket opened last on this line, while nothing followed it
    for (size_t i = begin; i < end; ++i) {
      const Item& item = items_[i];
      if (i > begin) Put(Gap(i));
      if (item.kind != Kind::Token) {
        Write(Trimmed(item.text));
        continue;
      }
      if (awaiting < open_.size()) open_[awaiting].align = column_;
      awaiting = SIZE_MAX;
      std::string_view t = item.text;
      Write(t);
      if (IsOpener(t)) {
        bool fields = t == "{" && (!open_.empty() || !In(decl_, {"enum", "record", "invariant", "require"}));
        open_.push_back({t[0], Base(t[0]), -1, fields});
        anchors_.resize(std::min(anchors_.size(), open_.size()));
        awaiting = open_.size() - 1;
      } else if (IsCloser(t)) {
        if (!open_.empty()) open_.pop_back();
      } else if (open_.empty() && IsDeclWord(t)) {
        decl_ = t;
      }
      prev_is_sign_ = t == "-" && BeforeOperand(prev_token_);
      prev_token_ = t;
    }
    after_opener_ = IsOpener(prev_token_);
  }

  // What a bracket opened now indents its lines from: the line it is on, but
  // for a block (a declaration's or a call's options) the line its statement
  // began on, as it is once the brackets this line closed are gone.
  int Base(char bracket) const {
    size_t depth = open_.size();
    bool statement = depth < line_depth_ || (bracket == '{' && depth == line_depth_);
    return statement && depth < anchors_.size() ? anchors_[depth].indent : line_indent_;
  }

  // The blanks before item i, which follows another on its line.
  int Gap(size_t i) const {
    const Item& item = items_[i];
    const Item& before = items_[i - 1];
    if (item.kind != Kind::Token || before.kind != Kind::Token) return std::max(1, item.spaces);
    int canonical = Space(before.text, item.text, prev_is_sign_);
    return canonical == 1 && item.spaces > 1 && Aligns(before.text, item.text) ? item.spaces : canonical;
  }

  void Put(int blanks) {
    out_.append(blanks, ' ');
    column_ += blanks;
  }

  void Write(std::string_view text) {
    out_ += text;
    size_t nl = text.rfind('\n');
    column_ = nl == std::string_view::npos ? column_ + static_cast<int>(text.size())
                                           : static_cast<int>(text.size() - nl - 1);
  }

  static std::string_view Trimmed(std::string_view comment) {
    while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\t' || comment.back() == '\r'))
      comment.remove_suffix(1);
    return comment;
  }

  struct Pending {
    size_t begin, end;
    bool blank;
  };

  std::vector<Item> items_;
  std::string out_;
  std::vector<Open> open_;
  std::vector<Anchor> anchors_;  // by depth
  size_t line_depth_ = 0;        // brackets open where the current line began
  std::vector<Pending> pending_;
  int column_ = 0;
  int line_indent_ = 0;
  std::string_view decl_;  // the keyword of the top-level declaration being written
  std::string_view prev_token_;
  bool prev_is_sign_ = false;
  bool after_opener_ = false;
};

}  // namespace

std::string Format(std::string_view text) {
  // A byte-order mark is the file's, not layout: it stays in front.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  bool bom = text.starts_with(kBom);
  if (bom) text.remove_prefix(kBom.size());
  std::string out = Formatter(Items(text)).Run();
  if (!out.empty()) out += '\n';
  return bom ? std::string(kBom) + out : out;
}

bool SameButLayout(std::string_view a, std::string_view b) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t i = 0, j = 0;
  while (true) {
    while (i < a.size() && blank(a[i])) ++i;
    while (j < b.size() && blank(b[j])) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i++] != b[j++]) return false;
  }
}

}  // namespace sparkc::format
