// Internal to compiler/parse: turns the ANTLR parse tree into sparkc's AST.
#pragma once

#include <vector>

#include "SparkParser.h"
#include "antlr4-runtime.h"
#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"

namespace sparkc::parse {

// ANTLR indexes characters by code point; spans are byte offsets.
class OffsetMap {
 public:
  explicit OffsetMap(std::string_view text);
  uint32_t Byte(size_t code_point) const;

 private:
  std::vector<uint32_t> bytes_;  // empty when the text is ASCII (identity)
  uint32_t size_ = 0;
};

class Builder {
 public:
  Builder(FileId file, const OffsetMap& offsets, antlr4::BufferedTokenStream& tokens,
          Module& module, Diagnostics& diags)
      : file_(file), offsets_(offsets), tokens_(tokens), module_(module), diags_(diags) {}

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
  ExprId Primary(sparkgen::SparkParser::PrimaryContext* ctx, Span span);
  ExprId Add(Expr expr);
  std::string DocBefore(antlr4::Token* start);
  std::string Unescape(antlr4::Token* token);
  std::string UnescapeRange(std::string_view raw, uint32_t base);

  FileId file_;
  const OffsetMap& offsets_;
  antlr4::BufferedTokenStream& tokens_;
  Module& module_;
  Diagnostics& diags_;
  int depth_ = 0;
};

}  // namespace sparkc::parse
