// sparkc's own syntax tree. The parser (compiler/parse) builds it from the
// ANTLR parse tree; every later phase reads only this. Expressions live in one
// vector per module and refer to each other by ExprId.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/source/source.h"

namespace sparkc {

using ExprId = uint32_t;
constexpr ExprId kNoExpr = UINT32_MAX;

enum class ExprKind {
  Int,           // int_value
  Float,         // text holds the literal as written (exact decimal)
  Quantity,      // text = number as written, unit = unit name
  Percent,       // int_value
  String,        // text = unescaped value
  Version,       // text = "12.4" (without the leading v)
  Bool,          // int_value 0 or 1
  None,
  Irreversible,  // text = the reason
  Name,          // text = identifier
  List,          // children = items
  Map,           // fields
  Member,        // children[0] = object, text = member name
  Call,          // children[0] = callee, children[1..] = args; fields = options block
  Index,         // children[0] = object, children[1] = index
  Unary,         // text = operator, children[0] = operand
  Binary,        // text = operator, children[0], children[1]
  Interpolation, // children = parts; literal parts are String
  If,            // children = condition, then, else
  Aggregate,     // children = callee, element, source[, condition]; text = loop variable
  ListComp,      // children = element, source[, condition]; text = loop variable
  Star,          // the `*` of `fanout[*]`
};

struct Field {
  std::string name;
  Span name_span;
  ExprId value = kNoExpr;
};

struct Expr {
  Expr(ExprKind k, Span s) : kind(k), span(s) {}
  ExprKind kind;
  Span span;
  std::string text;
  std::string unit;
  int64_t int_value = 0;
  std::vector<ExprId> children;
  std::vector<std::string> arg_names;  // Call: one per argument, "" when positional
  std::vector<Field> fields;
  bool has_options = false;             // Call: a `{ ... }` block followed the call
};

struct Block {
  Span span;  // from `{` to `}`
  std::vector<Field> fields;
};

// `int`, `list[Volume]`, `std.prelude.Service`.
struct TypeRef {
  std::string name;  // empty: not written
  Span span;
  std::vector<TypeRef> args;
};

// A parameter of a `fn` or `template`, or a member of a `record`.
struct Param {
  std::string name;
  Span span;
  TypeRef type;
  ExprId default_value = kNoExpr;
};

enum class DeclKind {
  Module, Import, Phase, Objective, Step, Gate, Template, Enum, Record, Const, Fn,
  Hardware, Environment, Service, Secret, Invariant, Require, Window, Param,
};

// The keyword that introduces a declaration: "step", "hardware", ...
const char* DeclKeyword(DeclKind kind);

struct Decl {
  DeclKind kind;
  Span span;       // the whole declaration
  Span name_span;  // the declared name, or the import target
  std::string name;   // module/phase/step name; import: dotted name or path
  std::string title;  // phase title, invariant description
  std::string alias;  // import ... as alias
  bool import_is_path = false;
  std::string doc;    // `///` lines before the declaration
  Block block;
  bool has_block = false;
  // const, secret, invariant and fn: the value; step: the template call.
  ExprId value = kNoExpr;
  TypeRef type;                  // const annotation, fn result
  std::vector<Param> params;     // fn and template parameters, record members
  std::vector<std::string> members;  // enum members
  std::vector<Span> member_spans;
  // Fan-out: `step name[var in source]`.
  std::string fan_var;
  Span fan_var_span;
  ExprId fan_source = kNoExpr;
};

struct Module {
  FileId file = kNoFile;
  std::vector<Decl> decls;
  std::vector<Expr> exprs;

  const Expr& expr(ExprId id) const { return exprs[id]; }
  ExprId id_of(const Expr& e) const { return static_cast<ExprId>(&e - exprs.data()); }
};

// The canonical text of an expression: what plans store for checks, and what
// the runtime parses back. Parsing the result gives the same tree.
std::string PrintExpr(const Module& module, ExprId id);
// Binding strength of a binary operator, loosest first: or 1, and 2,
// comparisons (== < in contains ...) 3, + - 4, * / 5.
int OperatorPrecedence(const std::string& op);
constexpr int kComparisonPrecedence = 3;

// Field by field, spans included: two parses of one file agree.
bool SameTree(const Module& a, const Module& b);
// The same, spans aside: two layouts of one file say the same (`sparkc fmt`).
bool SameMeaning(const Module& a, const Module& b);

// A string literal with escapes, as PrintExpr writes it.
std::string QuoteString(const std::string& text);

}  // namespace sparkc
