// Internal to compiler/parse: the tokenizer. It implements the lexer rules of
// grammar/Spark.g4 by hand (ANTLR's generated lexer spent a third of a parse
// and kept a UTF-32 copy of the file plus a heap object per token); token
// types are the generated parser's, so ANTLR's parser reads these tokens
// unchanged. tests/unit/lexer_test.cpp and the `lexer` fuzz target hold it
// to the generated lexer token for token.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sparkc::parse {

// The type of the last token (ANTLR's EOF does not fit in 32 bits).
constexpr uint32_t kEofType = UINT32_MAX;

// Byte offsets into the file; `end` is one past the last byte.
struct Lexeme {
  uint32_t type;
  uint32_t begin;
  uint32_t end;
};

// A character no token starts with, or a string literal left open. Lexing
// resumes where ANTLR's lexer would: past the character that failed.
struct LexError {
  uint32_t offset;
  uint32_t length;  // the bytes of the offending character
};

struct Lexed {
  std::vector<Lexeme> tokens;  // the parser's tokens, then one EOF
  std::vector<Lexeme> docs;    // `///` comments, in order
  std::vector<LexError> errors;
};

// `text` must be valid UTF-8 (ParseFile checks it first).
Lexed Lex(std::string_view text);

// The token types the nesting prescan and the error messages look at.
struct Punctuation {
  uint32_t lparen, rparen, lbracket, rbracket, lbrace, rbrace, minus, percent;
  uint32_t kw_not, kw_true, kw_false, kw_none;
};
const Punctuation& Punct();

}  // namespace sparkc::parse
