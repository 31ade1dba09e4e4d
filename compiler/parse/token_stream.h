// Internal to compiler/parse: the lexer's tokens as ANTLR's parser reads
// them. One contiguous array holds every token (ANTLR's CommonTokenStream
// allocates one object per token); a token is a small view into it. Offsets
// are bytes, so spans need no code-point translation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "antlr4-runtime.h"
#include "compiler/parse/lexer.h"

namespace sparkc::parse {

class TokenBuffer;

class SparkToken final : public antlr4::Token {
 public:
  SparkToken(const TokenBuffer* owner, uint32_t index) : owner_(owner), index_(index) {}

  std::string getText() const override;
  size_t getType() const override;
  size_t getLine() const override;
  size_t getCharPositionInLine() const override;
  size_t getChannel() const override { return DEFAULT_CHANNEL; }
  size_t getTokenIndex() const override { return index_; }
  size_t getStartIndex() const override;
  // Inclusive, as ANTLR has it.
  size_t getStopIndex() const override;
  antlr4::TokenSource* getTokenSource() const override;
  antlr4::CharStream* getInputStream() const override { return nullptr; }
  std::string toString() const override { return getText(); }

  uint32_t begin() const;
  uint32_t end() const;

 private:
  const TokenBuffer* owner_;
  uint32_t index_;
};

// Both the stream the parser reads and the source its error recovery asks
// for a token factory. Holds only the parser's channel; `///` comments are
// kept beside it for the AST builder.
class TokenBuffer final : public antlr4::TokenStream, public antlr4::TokenSource {
 public:
  TokenBuffer(std::string_view text, Lexed lexed);
  TokenBuffer(const TokenBuffer&) = delete;
  TokenBuffer& operator=(const TokenBuffer&) = delete;

  const std::vector<Lexeme>& lexemes() const { return lexed_.tokens; }
  const std::vector<LexError>& errors() const { return lexed_.errors; }
  std::string_view text() const { return text_; }
  // The `///` comments between the token before `index` and it.
  std::vector<std::string_view> DocsBefore(size_t index) const;
  // 1-based line of a byte offset.
  size_t LineOf(uint32_t offset) const;

  // antlr4::TokenStream
  antlr4::Token* LT(ssize_t k) override;
  antlr4::Token* get(size_t index) const override;
  antlr4::TokenSource* getTokenSource() const override;
  std::string getText(const antlr4::misc::Interval& interval) override;
  std::string getText() override;
  std::string getText(antlr4::RuleContext* ctx) override;
  std::string getText(antlr4::Token* start, antlr4::Token* stop) override;
  void consume() override;
  size_t LA(ssize_t i) override;
  ssize_t mark() override { return 0; }
  void release(ssize_t) override {}
  size_t index() override { return position_; }
  void seek(size_t index) override;
  size_t size() override { return tokens_.size(); }
  std::string getSourceName() const override { return "<spark>"; }

  // antlr4::TokenSource (the parser never pulls from it: the buffer is full)
  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return 0; }
  size_t getCharPositionInLine() override { return 0; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "<spark>"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override;

 private:
  std::string_view text_;
  Lexed lexed_;
  std::vector<SparkToken> tokens_;
  size_t position_ = 0;
  mutable std::vector<uint32_t> line_starts_;  // built on the first LineOf
};

}  // namespace sparkc::parse
