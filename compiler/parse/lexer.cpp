#include "compiler/parse/lexer.h"

#include <array>
#include <string>
#include <unordered_map>

#include "SparkParser.h"
#include "compiler/parse/parse.h"

namespace sparkc::parse {
namespace {

using P = sparkgen::SparkParser;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c); }

uint32_t CodePointLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  return lead >= 0xE0 ? 3 : 2;
}

// The grammar's literal tokens ('step', '<=', ...) by text, read from the
// generated parser's vocabulary so the types always match it.
class Literals {
 public:
  Literals() {
    P parser(nullptr);
    const antlr4::dfa::Vocabulary& vocab = parser.getVocabulary();
    for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t) {
      std::string name = vocab.getLiteralName(t);
      if (name.size() < 3) continue;  // no literal: IDENT, STRING, ...
      std::string text = name.substr(1, name.size() - 2);
      by_text_.emplace(text, static_cast<uint32_t>(t));
    }
    for (const auto& [text, type] : by_text_) {
      auto first = static_cast<unsigned char>(text[0]);
      if (IsIdentStart(text[0])) {
        keywords_.emplace(text, type);  // views into by_text_, whose nodes stay put
      } else if (text.size() == 1) {
        single_[first] = type;
      } else {
        double_.push_back({text[0], text[1], type});
        starts_double_[first] = true;
      }
    }
  }

  uint32_t Keyword(std::string_view word) const {
    auto it = keywords_.find(word);
    return it == keywords_.end() ? 0 : it->second;
  }
  uint32_t Single(char c) const {
    auto k = static_cast<unsigned char>(c);
    return k < 128 ? single_[k] : 0;
  }
  uint32_t Double(char a, char b) const {
    for (const Pair& p : double_)
      if (p.a == a && p.b == b) return p.type;
    return 0;
  }
  // Only a prefix of a two-character literal: `!` of `!=`.
  bool StartsDoubleOnly(char c) const {
    auto k = static_cast<unsigned char>(c);
    return k < 128 && starts_double_[k] && single_[k] == 0;
  }
  uint32_t Type(const std::string& text) const { return by_text_.at(text); }

 private:
  struct Pair {
    char a, b;
    uint32_t type;
  };
  std::unordered_map<std::string_view, uint32_t> keywords_;
  std::array<uint32_t, 128> single_{};
  std::array<bool, 128> starts_double_{};
  std::vector<Pair> double_;
  std::unordered_map<std::string, uint32_t> by_text_;
};

const Literals& TheLiterals() {
  static const Literals literals;
  return literals;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text), n_(static_cast<uint32_t>(text.size())) {
    out_.tokens.reserve(n_ / 5 + 1);
  }

  Lexed Run() {
    // A byte order mark some editors write is not part of the text.
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
    while (i_ < n_) Next();
    out_.tokens.push_back({kEofType, n_, n_});
    return std::move(out_);
  }

 private:
  char At(uint32_t k) const { return k < n_ ? s_[k] : '\0'; }

  void Emit(uint32_t type, uint32_t end) {
    out_.tokens.push_back({type, i_, end});
    i_ = end;
  }

  // ANTLR's lexer consumes up to the character that fails, then one more.
  void Fail(uint32_t failed_at) {
    out_.errors.push_back({i_, CodePointLength(static_cast<unsigned char>(s_[i_]))});
    i_ = failed_at < n_ ? failed_at + CodePointLength(static_cast<unsigned char>(s_[failed_at])) : n_;
  }

  void Next() {
    const Literals& lit = TheLiterals();
    char c = s_[i_];
    switch (c) {
      case ' ': case '\t': case '\r': case '\n':
        ++i_;
        return;
      case '"': return String();
      case '/': return Slash();
      default: break;
    }
    if (IsDigit(c)) return Number();
    if (c == 'v' && IsDigit(At(i_ + 1)) && Version()) return;
    if (IsIdentStart(c)) {
      uint32_t k = i_ + 1;
      while (k < n_ && IsIdentPart(s_[k])) ++k;
      uint32_t keyword = lit.Keyword(s_.substr(i_, k - i_));
      return Emit(keyword != 0 ? keyword : uint32_t{P::IDENT}, k);
    }
    if (uint32_t two = lit.Double(c, At(i_ + 1)); two != 0) return Emit(two, i_ + 2);
    if (uint32_t one = lit.Single(c); one != 0) return Emit(one, i_ + 1);
    // ANTLR consumes the `!` of a `!=` that is not there before it fails.
    Fail(lit.StartsDoubleOnly(c) ? i_ + 1 : i_);
  }

  void String() {
    uint32_t k = i_ + 1;
    while (k < n_) {
      char c = s_[k];
      if (c == '"') return Emit(P::STRING, k + 1);
      if (c == '\r' || c == '\n') break;
      k += c == '\\' ? 2 : 1;  // ESC: a backslash and any character
    }
    Fail(std::min(k, n_));
  }

  void Slash() {
    if (At(i_ + 1) == '/') {
      uint32_t k = i_ + 2;
      while (k < n_ && s_[k] != '\r' && s_[k] != '\n') ++k;
      if (At(i_ + 2) == '/') out_.docs.push_back({P::DOC_COMMENT, i_, k});
      i_ = k;
      return;
    }
    if (At(i_ + 1) == '*') {
      size_t close = s_.find("*/", i_ + 2);
      if (close != std::string_view::npos) {
        i_ = static_cast<uint32_t>(close + 2);
        return;
      }
      // Unterminated: the longest token that matched is the `/` alone.
    }
    Emit(TheLiterals().Single('/'), i_ + 1);
  }

  uint32_t Digits(uint32_t k) const {
    while (k < n_ && IsDigit(s_[k])) ++k;
    return k;
  }

  void Number() {
    uint32_t k = Digits(i_ + 1);
    if (At(k) == '.' && IsDigit(At(k + 1))) return Emit(P::FLOAT, Digits(k + 1));
    Emit(P::INT, k);
  }

  // `v12.4`; `v12` alone (or `v12.x`) is a name.
  bool Version() {
    uint32_t k = Digits(i_ + 1);
    if (At(k) != '.' || !IsDigit(At(k + 1))) return false;
    while (At(k) == '.' && IsDigit(At(k + 1))) k = Digits(k + 1);
    Emit(P::VERSION, k);
    return true;
  }

  std::string_view s_;
  uint32_t n_;
  uint32_t i_ = 0;
  Lexed out_;
};

}  // namespace

Lexed Lex(std::string_view text) { return Scanner(text).Run(); }

}  // namespace sparkc::parse

namespace sparkc {
namespace {

// The comments in a stretch between two tokens (only blanks and comments
// lie there).
void GapComments(std::string_view text, uint32_t at, uint32_t end, std::vector<ClassifiedToken>& out) {
  while (at + 1 < end) {
    if (text[at] == '/' && text[at + 1] == '/') {
      uint32_t k = at;
      while (k < end && text[k] != '\n' && text[k] != '\r') ++k;
      bool doc = at + 2 < end && text[at + 2] == '/';
      out.push_back({doc ? TokenClass::DocComment : TokenClass::Comment, at, k});
      at = k;
    } else if (text[at] == '/' && text[at + 1] == '*') {
      size_t close = text.find("*/", at + 2);
      uint32_t k = close == std::string_view::npos || close + 2 > end ? end : static_cast<uint32_t>(close + 2);
      out.push_back({TokenClass::Comment, at, k});
      at = k;
    } else {
      ++at;
    }
  }
}

}  // namespace

std::vector<ClassifiedToken> Highlight(std::string_view text) {
  using parse::P;
  parse::Lexed lexed = parse::Lex(text);
  const parse::Literals& lit = parse::TheLiterals();
  uint32_t assign = lit.Type("="), colon = lit.Type(":");
  std::vector<ClassifiedToken> out;
  out.reserve(lexed.tokens.size() + lexed.docs.size());
  uint32_t last_end = 0;
  for (size_t i = 0; i < lexed.tokens.size(); ++i) {
    const parse::Lexeme& t = lexed.tokens[i];
    GapComments(text, last_end, t.begin, out);
    if (t.type == parse::kEofType) break;
    last_end = t.end;
    TokenClass cls = TokenClass::Operator;
    uint32_t previous = i > 0 ? lexed.tokens[i - 1].type : 0;
    uint32_t next = lexed.tokens[i + 1].type;
    if (t.type == P::IDENT) {
      // `4 GiB`, but not `cpu = 4` followed by the next field's (or
      // record member's) name.
      if (next == assign) cls = TokenClass::Field;
      else if ((previous == P::INT || previous == P::FLOAT) && next != colon) cls = TokenClass::Unit;
      else cls = TokenClass::Identifier;
    } else if (t.type == P::INT || t.type == P::FLOAT) {
      cls = TokenClass::Number;
    } else if (t.type == P::STRING) {
      cls = TokenClass::String;
    } else if (t.type == P::VERSION) {
      cls = TokenClass::Version;
    } else if (lit.Keyword(text.substr(t.begin, t.end - t.begin)) == t.type) {
      cls = next == assign ? TokenClass::Field : TokenClass::Keyword;
    }
    out.push_back({cls, t.begin, t.end});
  }
  return out;
}

}  // namespace sparkc

namespace sparkc::parse {

const Punctuation& Punct() {
  static const Punctuation punct = [] {
    const Literals& lit = TheLiterals();
    return Punctuation{lit.Type("("), lit.Type(")"), lit.Type("["), lit.Type("]"),
                       lit.Type("{"), lit.Type("}"), lit.Type("-"), lit.Type("%"),
                       lit.Type("not"), lit.Type("true"), lit.Type("false"), lit.Type("none")};
  }();
  return punct;
}

}  // namespace sparkc::parse
