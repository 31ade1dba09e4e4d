// Internal to compiler/parse: turns the ANTLR parse tree into sparkc's AST.
#pragma once

#include <vector>

#include "SparkParser.h"
#include "antlr4-runtime.h"
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"

namespace sparkc::parse {

class TokenBuffer;

// A token's bytes (the lexer's offsets are bytes already).
inline Span SpanOfToken(FileId file, antlr4::Token* token) {
  return {file, static_cast<uint32_t>(token->getStartIndex()),
          static_cast<uint32_t>(token->getStopIndex() + 1)};
}

class Builder {
 public:
  Builder(FileId file, const TokenBuffer& tokens, Module& module, Diagnostics& diags)
      : file_(file), tokens_(tokens), module_(module), diags_(diags) {}

  void File(sparkgen::SparkParser::FileContext* ctx);
  void Declaration(sparkgen::SparkParser::DeclContext* ctx);
  ExprId Expression(sparkgen::SparkParser::ExprContext* ctx);

  Span SpanOf(antlr4::ParserRuleContext* ctx) const;
  Span SpanOf(antlr4::Token* token) const;

 private:
  void Step(sparkgen::SparkParser::StepDeclContext* ctx, Decl& decl);
  std::vector<Param> Params(sparkgen::SparkParser::ParamsContext* ctx);
  TypeRef TypeOf(sparkgen::SparkParser::TypeRefContext* ctx);
  ExprId StringLiteral(antlr4::Token* token);
  Block BlockOf(sparkgen::SparkParser::BlockContext* ctx);
  std::vector<Field> Fields(sparkgen::SparkParser::BlockContext* ctx);
  ExprId Primary(sparkgen::SparkParser::ExprContext* ctx, Span span);
  ExprId Add(Expr expr);
  std::string DocBefore(antlr4::Token* start);
  std::string Unescape(antlr4::Token* token);
  std::string UnescapeRange(std::string_view raw, uint32_t base);

  FileId file_;
  const TokenBuffer& tokens_;
  Module& module_;
  Diagnostics& diags_;
  int depth_ = 0;
};

}  // namespace sparkc::parse
