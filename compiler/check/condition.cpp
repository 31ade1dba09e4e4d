// Type-checks `check` expressions. The runtime evaluates exactly this subset
// (runtime/probe), so everything accepted here can be evaluated there.
#include <fmt/format.h>

#include "compiler/check/lower.h"

namespace sparkc::check {
namespace {

struct Type {
  enum Kind { Error, Bool, Int, String, Quantity, ExecResult } kind = Error;
  Dimension dimension = Dimension::Duration;

  bool operator==(const Type& o) const {
    return kind == o.kind && (kind != Quantity || dimension == o.dimension);
  }
};

std::string Name(Type t) {
  switch (t.kind) {
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::String: return "string";
    case Type::Quantity: return std::string(DimensionName(t.dimension));
    case Type::ExecResult: return "exec result";
    case Type::Error: return "error";
  }
  return "?";
}

class ConditionChecker {
 public:
  ConditionChecker(const Module& module, Diagnostics& diags) : module_(module), diags_(diags) {}

  Type Of(ExprId id) {
    const Expr& e = module_.expr(id);
    switch (e.kind) {
      case ExprKind::Bool: return {Type::Bool};
      case ExprKind::Int: return {Type::Int};
      case ExprKind::String: return {Type::String};
      case ExprKind::Quantity: {
        sparkc::Quantity q;
        if (!QuantityOf(e, diags_, q)) return {};
        return {Type::Quantity, q.dimension};
      }
      case ExprKind::Call: return Call(e);
      case ExprKind::Member: return Member(e);
      case ExprKind::Unary: return Unary(e);
      case ExprKind::Binary: return Binary(e);
      default:
        diags_.Error(DiagnosticKind::E0207, e.span,
                     fmt::format("{} cannot appear in a check", Describe(module_, id)))
            .Note({}, "a check may use file.exists(path), file.size(path), file.sha256(path), "
                      "exec(argv...).exit/.stdout/.stderr, literals, comparisons, and, or, not");
        return {};
    }
  }

 private:
  Type Call(const Expr& e) {
    std::string callee = PrintExpr(module_, e.children[0]);
    static const std::vector<std::string> kProbes = {"exec", "file.exists", "file.size", "file.sha256"};
    bool known = std::find(kProbes.begin(), kProbes.end(), callee) != kProbes.end();
    if (!known) {
      Diagnostic& d = diags_.Error(DiagnosticKind::E0207, module_.expr(e.children[0]).span,
                                   fmt::format("unknown probe `{}`", callee));
      std::string close = ClosestMatch(callee, kProbes);
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
      return {};
    }
    size_t args = e.children.size() - 1;
    if (callee != "exec" && args != 1) {
      diags_.Error(DiagnosticKind::E0207, e.span,
                   fmt::format("`{}` takes one path, found {} arguments", callee, args));
      return {};
    }
    if (callee == "exec" && args == 0) {
      diags_.Error(DiagnosticKind::E0207, e.span, "`exec` needs at least the program to run");
      return {};
    }
    if (e.has_options && callee != "exec") {
      diags_.Error(DiagnosticKind::E0207, e.span, fmt::format("`{}` takes no options", callee));
      return {};
    }
    for (size_t i = 1; i < e.children.size(); ++i) {
      std::string ignored;
      if (!LowerString(module_, e.children[i], diags_, ignored)) return {};
    }
    if (e.has_options) {
      plan::Action scratch;
      if (!LowerAction(module_, module_.id_of(e), diags_, scratch)) return {};
    }
    if (callee == "exec") return {Type::ExecResult};
    if (callee == "file.exists") return {Type::Bool};
    if (callee == "file.size") return {Type::Quantity, Dimension::Size};
    return {Type::String};
  }

  Type Member(const Expr& e) {
    Type object = Of(e.children[0]);
    if (object.kind == Type::Error) return {};
    if (object.kind == Type::ExecResult) {
      if (e.text == "exit") return {Type::Int};
      if (e.text == "stdout" || e.text == "stderr") return {Type::String};
    }
    Diagnostic& d = diags_.Error(DiagnosticKind::E0207, e.span,
                                 fmt::format("{} has no field `{}`", Name(object), e.text));
    if (object.kind == Type::ExecResult) d.Suggest("the fields are exit, stdout and stderr");
    return {};
  }

  Type Unary(const Expr& e) {
    Type operand = Of(e.children[0]);
    if (operand.kind == Type::Error) return {};
    bool ok = e.text == "not" ? operand.kind == Type::Bool
                              : operand.kind == Type::Int || operand.kind == Type::Quantity;
    if (ok) return operand;
    diags_.Error(DiagnosticKind::E0202, e.span,
                 fmt::format("`{}` does not apply to {}", e.text, Name(operand)));
    return {};
  }

  Type Binary(const Expr& e) {
    Type lhs = Of(e.children[0]), rhs = Of(e.children[1]);
    if (lhs.kind == Type::Error || rhs.kind == Type::Error) return {};
    const std::string& op = e.text;
    auto mismatch = [&](const char* what) {
      diags_.Error(DiagnosticKind::E0202, e.span,
                   fmt::format("`{}` {}: the left side is {}, the right side is {}", op, what,
                               Name(lhs), Name(rhs)));
      return Type{};
    };
    if (op == "and" || op == "or") {
      if (lhs.kind == Type::Bool && rhs.kind == Type::Bool) return {Type::Bool};
      return mismatch("needs two bools");
    }
    if (op == "==" || op == "!=") {
      if (lhs == rhs && lhs.kind != Type::ExecResult) return {Type::Bool};
      return mismatch("compares values of one type");
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      if (lhs == rhs && (lhs.kind == Type::Int || lhs.kind == Type::Quantity)) return {Type::Bool};
      return mismatch("orders numbers or quantities of one dimension");
    }
    if (op == "+" || op == "-") {
      if (lhs == rhs && (lhs.kind == Type::Int || lhs.kind == Type::Quantity)) return lhs;
      return mismatch("needs two numbers or two quantities of one dimension");
    }
    // * and /: a quantity may be scaled by an integer.
    if (lhs.kind == Type::Int && rhs.kind == Type::Int) return lhs;
    if (lhs.kind == Type::Quantity && rhs.kind == Type::Int) return lhs;
    if (op == "*" && lhs.kind == Type::Int && rhs.kind == Type::Quantity) return rhs;
    return mismatch("scales a quantity by an integer");
  }

  const Module& module_;
  Diagnostics& diags_;
};

}  // namespace

bool CheckCondition(const Module& module, ExprId id, Diagnostics& diags) {
  size_t before = diags.error_count();
  ConditionChecker checker(module, diags);
  auto type = checker.Of(id);
  if (diags.error_count() != before) return false;
  if (type.kind == Type::Bool) return true;
  diags.Error(DiagnosticKind::E0202, module.expr(id).span,
              fmt::format("a check must be a bool, found {}", Name(type)))
      .Suggest("compare it: file.size(\"x\") > 0 B, exec(\"test\").exit == 0");
  return false;
}

}  // namespace sparkc::check
