#include "tests/support/lexer_diff.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "SparkLexer.h"
#include "compiler/parse/lexer.h"
#include "compiler/source/source.h"

namespace sparkc::testing {
namespace {

struct Tokens {
  std::vector<parse::Lexeme> tokens, docs;
  std::vector<uint32_t> errors;
};

class ErrorOffsets : public antlr4::BaseErrorListener {
 public:
  explicit ErrorOffsets(std::vector<size_t>& out) : out_(out) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token*, size_t, size_t, const std::string&,
                   std::exception_ptr) override {
    out_.push_back(static_cast<antlr4::Lexer*>(recognizer)->tokenStartCharIndex);
  }

 private:
  std::vector<size_t>& out_;
};

// ANTLR counts code points; the hand-written lexer counts bytes.
std::vector<uint32_t> CodePointStarts(std::string_view text) {
  std::vector<uint32_t> starts;
  for (uint32_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  starts.push_back(static_cast<uint32_t>(text.size()));
  return starts;
}

Tokens Generated(std::string_view text) {
  // ANTLR's input stream drops a leading byte order mark before counting.
  uint32_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::vector<uint32_t> byte = CodePointStarts(text.substr(bom));
  auto at = [&](size_t code_point) { return bom + byte[std::min(code_point, byte.size() - 1)]; };
  antlr4::ANTLRInputStream input{std::string(text)};
  sparkgen::SparkLexer lexer(&input);
  std::vector<size_t> errors;
  ErrorOffsets listener(errors);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  Tokens out;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    if (t->getType() == antlr4::Token::EOF) {
      out.tokens.push_back({parse::kEofType, at(t->getStartIndex()), at(t->getStartIndex())});
      break;
    }
    parse::Lexeme lexeme{static_cast<uint32_t>(t->getType()), at(t->getStartIndex()), at(t->getStopIndex() + 1)};
    (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL ? out.tokens : out.docs).push_back(lexeme);
  }
  for (size_t e : errors) out.errors.push_back(at(e));
  return out;
}

std::string Describe(const parse::Lexeme* t) {
  if (t == nullptr) return "nothing";
  return fmt::format("type {} at bytes {}..{}", t->type == parse::kEofType ? int64_t{-1} : int64_t{t->type},
                     t->begin, t->end);
}

std::string CompareLists(const char* what, const std::vector<parse::Lexeme>& want,
                         const std::vector<parse::Lexeme>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const parse::Lexeme* w = i < want.size() ? &want[i] : nullptr;
    const parse::Lexeme* g = i < got.size() ? &got[i] : nullptr;
    if (w && g && w->type == g->type && w->begin == g->begin && w->end == g->end) continue;
    return fmt::format("{} {}: ANTLR has {}, the hand-written lexer {}", what, i, Describe(w), Describe(g));
  }
  return "";
}

}  // namespace

std::string CompareLexers(std::string_view text) {
  bool is_nul = false;
  if (FindInvalidText(text, is_nul) >= 0) return "";
  Tokens want = Generated(text);
  parse::Lexed got = parse::Lex(text);
  std::string diff = CompareLists("token", want.tokens, got.tokens);
  if (diff.empty()) diff = CompareLists("doc comment", want.docs, got.docs);
  if (!diff.empty()) return diff;
  std::vector<uint32_t> got_errors;
  for (const parse::LexError& e : got.errors) got_errors.push_back(e.offset);
  if (want.errors != got_errors)
    return fmt::format("lexer errors: ANTLR at bytes [{}], the hand-written lexer at [{}]",
                       fmt::join(want.errors, ", "), fmt::join(got_errors, ", "));
  return "";
}

}  // namespace sparkc::testing
