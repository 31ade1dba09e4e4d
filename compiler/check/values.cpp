// Literal values of fields: quantities, integers, strings.
#include <fmt/format.h>

#include "compiler/check/lower.h"

namespace sparkc::check {

std::string Describe(const Module& module, ExprId id) {
  const Expr& e = module.expr(id);
  std::string text = PrintExpr(module, id);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  switch (e.kind) {
    case ExprKind::Int: return fmt::format("integer `{}`", text);
    case ExprKind::Float: return fmt::format("float `{}`", text);
    case ExprKind::Quantity: {
      Quantity q;
      if (MakeQuantity(e.text, e.unit, q) == QuantityError::None)
        return fmt::format("{} `{}`", DimensionName(q.dimension), text);
      return fmt::format("quantity `{}`", text);
    }
    case ExprKind::Percent: return fmt::format("percent `{}`", text);
    case ExprKind::String: return fmt::format("string {}", text);
    case ExprKind::Version: return fmt::format("version `{}`", text);
    case ExprKind::Bool: return fmt::format("bool `{}`", text);
    case ExprKind::None: return "`none`";
    case ExprKind::Irreversible: return "`irreversible`";
    case ExprKind::List: return "a list";
    case ExprKind::Map: return "a map";
    default: return fmt::format("`{}`", text);
  }
}

bool QuantityOf(const Expr& e, Diagnostics& diags, Quantity& out) {
  switch (MakeQuantity(e.text, e.unit, out)) {
    case QuantityError::None: return true;
    case QuantityError::UnknownUnit: {
      Diagnostic& d = diags.Error(DiagnosticKind::E0203, e.span, fmt::format("unknown unit `{}`", e.unit));
      std::string close = ClosestMatch(e.unit, UnitNames());
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{} {}`?", e.text, close));
      return false;
    }
    case QuantityError::Overflow:
      diags.Error(DiagnosticKind::E0204, e.span,
                  fmt::format("`{} {}` does not fit in a 64-bit count of its base unit", e.text, e.unit));
      return false;
    case QuantityError::NotWhole:
      diags.Error(DiagnosticKind::E0204, e.span,
                  fmt::format("`{} {}` is not a whole number of the base unit", e.text, e.unit))
          .Suggest("use a smaller unit");
      return false;
  }
  return false;
}

bool LowerQuantity(const Module& module, ExprId id, Dimension want, Diagnostics& diags,
                   int64_t& out) {
  const Expr& e = module.expr(id);
  if (e.kind != ExprKind::Quantity) {
    Diagnostic& d = diags.Error(DiagnosticKind::E0202, e.span,
                                fmt::format("expected a {}, found {}", DimensionName(want),
                                            Describe(module, id)));
    if (e.kind == ExprKind::Int && want == Dimension::Duration)
      d.Suggest(fmt::format("give the unit: `{} s` or `{} min`", e.int_value, e.int_value));
    return false;
  }
  Quantity q;
  if (!QuantityOf(e, diags, q)) return false;
  if (q.dimension != want) {
    diags.Error(DiagnosticKind::E0202, e.span,
                fmt::format("expected a {}, found {}", DimensionName(want), Describe(module, id)));
    return false;
  }
  if (q.value < 0) {
    diags.Error(DiagnosticKind::E0208, e.span, fmt::format("a {} cannot be negative", DimensionName(want)));
    return false;
  }
  out = q.value;
  return true;
}

bool LowerInt(const Module& module, ExprId id, int64_t min, int64_t max, Diagnostics& diags,
              int64_t& out) {
  const Expr& e = module.expr(id);
  // `-1` parses as negation applied to 1.
  bool negated = e.kind == ExprKind::Unary && e.text == "-" &&
                 module.expr(e.children[0]).kind == ExprKind::Int;
  int64_t value = negated ? -module.expr(e.children[0]).int_value : e.int_value;
  if (e.kind != ExprKind::Int && !negated) {
    diags.Error(DiagnosticKind::E0202, e.span,
                fmt::format("expected an integer, found {}", Describe(module, id)));
    return false;
  }
  if (value < min || value > max) {
    diags.Error(DiagnosticKind::E0208, e.span,
                fmt::format("expected an integer from {} to {}, found {}", min, max, value));
    return false;
  }
  out = value;
  return true;
}

bool LowerString(const Module& module, ExprId id, Diagnostics& diags, std::string& out) {
  const Expr& e = module.expr(id);
  if (e.kind != ExprKind::String) {
    diags.Error(DiagnosticKind::E0202, e.span,
                fmt::format("expected a string, found {}", Describe(module, id)));
    return false;
  }
  out = e.text;
  return true;
}

}  // namespace sparkc::check
