#include "compiler/parse/token_stream.h"

#include <algorithm>

namespace sparkc::parse {

std::string SparkToken::getText() const {
  if (getType() == EOF) return "<EOF>";
  return std::string(owner_->text().substr(begin(), end() - begin()));
}
size_t SparkToken::getType() const {
  uint32_t type = owner_->lexemes()[index_].type;
  return type == kEofType ? EOF : type;
}
uint32_t SparkToken::begin() const { return owner_->lexemes()[index_].begin; }
uint32_t SparkToken::end() const { return owner_->lexemes()[index_].end; }
size_t SparkToken::getStartIndex() const { return begin(); }
size_t SparkToken::getStopIndex() const { return static_cast<size_t>(end()) - 1; }
size_t SparkToken::getLine() const { return owner_->LineOf(begin()); }

size_t SparkToken::getCharPositionInLine() const {
  std::string_view before = owner_->text().substr(0, begin());
  size_t newline = before.rfind('\n');
  return newline == std::string_view::npos ? begin() : begin() - newline - 1;
}

antlr4::TokenSource* SparkToken::getTokenSource() const {
  return const_cast<TokenBuffer*>(owner_);  // ANTLR's interface is not const-correct
}

TokenBuffer::TokenBuffer(std::string_view text, Lexed lexed) : text_(text), lexed_(std::move(lexed)) {
  tokens_.reserve(lexed_.tokens.size());
  for (uint32_t i = 0; i < lexed_.tokens.size(); ++i) tokens_.emplace_back(this, i);
}

std::vector<std::string_view> TokenBuffer::DocsBefore(size_t index) const {
  uint32_t to = lexed_.tokens[index].begin;
  uint32_t from = index == 0 ? 0 : lexed_.tokens[index - 1].end;
  auto first = std::lower_bound(lexed_.docs.begin(), lexed_.docs.end(), from,
                                [](const Lexeme& doc, uint32_t at) { return doc.begin < at; });
  std::vector<std::string_view> out;
  for (auto it = first; it != lexed_.docs.end() && it->end <= to; ++it)
    out.push_back(text_.substr(it->begin, it->end - it->begin));
  return out;
}

size_t TokenBuffer::LineOf(uint32_t offset) const {
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    for (uint32_t i = 0; i < text_.size(); ++i)
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
  return static_cast<size_t>(std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
                             line_starts_.begin());
}

antlr4::Token* TokenBuffer::LT(ssize_t k) {
  if (k == 0) return nullptr;
  if (k < 0) {
    if (static_cast<size_t>(-k) > position_) return nullptr;
    return &tokens_[position_ + k];
  }
  return &tokens_[std::min(position_ + static_cast<size_t>(k) - 1, tokens_.size() - 1)];
}

size_t TokenBuffer::LA(ssize_t i) {
  antlr4::Token* t = LT(i);
  return t == nullptr ? antlr4::Token::INVALID_TYPE : t->getType();
}

antlr4::Token* TokenBuffer::get(size_t index) const {
  if (index >= tokens_.size())
    throw antlr4::IndexOutOfBoundsException("token index " + std::to_string(index) + " out of range");
  return const_cast<SparkToken*>(&tokens_[index]);
}

antlr4::TokenSource* TokenBuffer::getTokenSource() const { return const_cast<TokenBuffer*>(this); }

void TokenBuffer::consume() {
  if (lexed_.tokens[position_].type == kEofType)
    throw antlr4::IllegalStateException("cannot consume EOF");
  ++position_;
}

void TokenBuffer::seek(size_t index) { position_ = std::min(index, tokens_.size() - 1); }

std::string TokenBuffer::getText(const antlr4::misc::Interval& interval) {
  if (interval.a < 0 || interval.b < 0) return "";
  size_t last = std::min(static_cast<size_t>(interval.b), tokens_.size() - 1);
  std::string out;
  for (size_t i = static_cast<size_t>(interval.a); i <= last; ++i) {
    if (lexed_.tokens[i].type == kEofType) break;
    out += tokens_[i].getText();
  }
  return out;
}

std::string TokenBuffer::getText() {
  return getText(antlr4::misc::Interval(ssize_t{0}, static_cast<ssize_t>(tokens_.size()) - 1));
}

std::string TokenBuffer::getText(antlr4::RuleContext* ctx) { return getText(ctx->getSourceInterval()); }

std::string TokenBuffer::getText(antlr4::Token* start, antlr4::Token* stop) {
  if (start == nullptr || stop == nullptr) return "";
  return getText(antlr4::misc::Interval(start->getTokenIndex(), stop->getTokenIndex()));
}

std::unique_ptr<antlr4::Token> TokenBuffer::nextToken() {
  return std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF);
}

antlr4::TokenFactory<antlr4::CommonToken>* TokenBuffer::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

}  // namespace sparkc::parse
