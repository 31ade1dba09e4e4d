// The front end: source text to sparkc's AST. This header is the only way into
// compiler/parse; no ANTLR type appears in it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"

namespace sparkc {

// Limits that keep hostile input from exhausting the stack or memory.
constexpr size_t kMaxSourceBytes = 256u << 20;
constexpr int kMaxNesting = 200;
constexpr int kMaxSyntaxErrorsPerFile = 20;
constexpr size_t kMaxStringBytes = 1u << 20;  // a literal, or a string computed from them
constexpr size_t kMaxSteps = 1'000'000;       // per plan, fan-out instances included

// Parses one file. On syntax errors the diagnostics are recorded and the
// returned module holds no declarations.
Module ParseFile(const SourceManager& sources, FileId file, Diagnostics& diags);

// Every token of a file as an editor colours it, comments included (the
// parser never sees them), in order. Classes a lexer alone can tell.
enum class TokenClass {
  Keyword, Identifier, Field, Unit, Number, String, Version, Operator, Comment, DocComment,
};
struct ClassifiedToken {
  TokenClass cls;
  uint32_t begin;  // byte offsets, [begin, end)
  uint32_t end;
};
// `text` must be valid UTF-8.
std::vector<ClassifiedToken> Highlight(std::string_view text);

// Parses a standalone expression (the text PrintExpr wrote into a plan).
// Returns false with a one-line reason when the text is not an expression.
bool ParseExpression(std::string_view text, Module& module, ExprId& root, std::string& error);

}  // namespace sparkc
