#include <fmt/format.h>

#include "compiler/ast/ast.h"

namespace sparkc {

int OperatorPrecedence(const std::string& op) {
  if (op == "or") return 1;
  if (op == "and") return 2;
  if (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "==" || op == "!=" ||
      op == "in" || op == "contains")
    return 3;
  if (op == "+" || op == "-") return 4;
  if (op == "*" || op == "/") return 5;
  return 6;
}

namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '$': out += "\\$"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Quote(const std::string& text) {
  std::string out = "\"";
  out += Escape(text);
  out += '"';
  return out;
}

class Printer {
 public:
  explicit Printer(const Module& module) : module_(module) {}

  std::string Print(ExprId id, int context = 0) {
    const Expr& e = module_.expr(id);
    switch (e.kind) {
      case ExprKind::Int: return std::to_string(e.int_value);
      case ExprKind::Float: return e.text;
      case ExprKind::Quantity: return e.text + " " + e.unit;
      case ExprKind::Percent: return std::to_string(e.int_value) + "%";
      case ExprKind::String: return Quote(e.text);
      case ExprKind::Version: return "v" + e.text;
      case ExprKind::Bool: return e.int_value ? "true" : "false";
      case ExprKind::None: return "none";
      case ExprKind::Irreversible: return "irreversible " + Quote(e.text);
      case ExprKind::Name: return e.text;
      case ExprKind::List: return "[" + Join(e.children, 0) + "]";
      case ExprKind::Map: return Fields(e.fields);
      case ExprKind::Member: return Print(e.children[0], 7) + "." + e.text;
      case ExprKind::Index: return Print(e.children[0], 7) + "[" + Print(e.children[1]) + "]";
      case ExprKind::Call: {
        std::string out = Print(e.children[0], 7) + "(";
        for (size_t i = 1; i < e.children.size(); ++i) {
          if (i > 1) out += ", ";
          if (!e.arg_names[i - 1].empty()) out += e.arg_names[i - 1] + " = ";
          out += Print(e.children[i]);
        }
        out += ")";
        if (e.has_options) out += " " + Fields(e.fields);
        return out;
      }
      case ExprKind::Unary: {
        std::string out = e.text == "not" ? "not " + Print(e.children[0], 6)
                                          : "-" + Print(e.children[0], 6);
        return context > 6 ? "(" + out + ")" : out;
      }
      case ExprKind::Star: return "*";
      case ExprKind::Interpolation: {
        std::string out = "\"";
        for (ExprId part : e.children) {
          const Expr& p = module_.expr(part);
          out += p.kind == ExprKind::String ? Escape(p.text) : "${" + Print(part) + "}";
        }
        return out + "\"";
      }
      case ExprKind::If: {
        std::string out = "if " + Print(e.children[0]) + " then " + Print(e.children[1]) +
                          " else " + Print(e.children[2]);
        return context > 0 ? "(" + out + ")" : out;
      }
      case ExprKind::Aggregate:
        return Print(e.children[0], 7) + "(" + Comprehension(e, 1) + ")";
      case ExprKind::ListComp: return "[" + Comprehension(e, 0) + "]";
      case ExprKind::Binary: {
        int p = OperatorPrecedence(e.text);
        // Left-associative: the right operand needs parentheses at equal precedence.
        std::string out = Print(e.children[0], p) + " " + e.text + " " + Print(e.children[1], p + 1);
        return p < context ? "(" + out + ")" : out;
      }
    }
    return {};
  }

 private:
  std::string Comprehension(const Expr& e, size_t from) {
    std::string out = Print(e.children[from]) + " for " + e.text + " in " + Print(e.children[from + 1]);
    if (e.children.size() > from + 2) out += " if " + Print(e.children[from + 2]);
    return out;
  }
  std::string Join(const std::vector<ExprId>& ids, size_t from) {
    std::string out;
    for (size_t i = from; i < ids.size(); ++i) {
      if (i > from) out += ", ";
      out += Print(ids[i]);
    }
    return out;
  }
  std::string Fields(const std::vector<Field>& fields) {
    if (fields.empty()) return "{}";
    std::string out = "{ ";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ", ";
      out += fields[i].name + " = " + Print(fields[i].value);
    }
    return out + " }";
  }

  const Module& module_;
};

}  // namespace

std::string PrintExpr(const Module& module, ExprId id) { return Printer(module).Print(id); }

std::string QuoteString(const std::string& text) { return Quote(text); }

const char* DeclKeyword(DeclKind kind) {
  switch (kind) {
    case DeclKind::Module: return "module";
    case DeclKind::Import: return "import";
    case DeclKind::Phase: return "phase";
    case DeclKind::Objective: return "objective";
    case DeclKind::Step: return "step";
    case DeclKind::Gate: return "gate";
    case DeclKind::Template: return "template";
    case DeclKind::Enum: return "enum";
    case DeclKind::Record: return "record";
    case DeclKind::Const: return "const";
    case DeclKind::Param: return "param";
    case DeclKind::Fn: return "fn";
    case DeclKind::Hardware: return "hardware";
    case DeclKind::Environment: return "environment";
    case DeclKind::Service: return "service";
    case DeclKind::Secret: return "secret";
    case DeclKind::Invariant: return "invariant";
    case DeclKind::Require: return "require";
    case DeclKind::Window: return "window";
  }
  return "?";
}

}  // namespace sparkc
