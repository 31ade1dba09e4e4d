// Operators and aggregates: exact integer arithmetic with overflow and
// division-by-zero errors, units as dimensions, and residual expressions
// when an operand is only known at run time.
#include <fmt/format.h>

#include "compiler/eval/eval.h"
#include "compiler/parse/parse.h"

namespace sparkc::eval {
namespace {

bool IsOrdering(const std::string& op) {
  return op == "<" || op == "<=" || op == ">" || op == ">=";
}

std::string Residual(const Value& v, int min_prec) {
  if (v.kind != Kind::Runtime) {
    std::string text = Literal(v);
    return text.starts_with("-") && min_prec > 5 ? "(" + text + ")" : text;
  }
  return v.prec < min_prec ? "(" + v.s + ")" : v.s;
}

const char* Verb(const std::string& op) {
  return op == "+" ? "add" : op == "-" ? "subtract" : op == "*" ? "multiply" : "divide";
}

bool IsNumber(const Value& v) { return v.kind == Kind::Int || v.kind == Kind::Float; }
double AsDouble(const Value& v) { return v.kind == Kind::Float ? v.f : static_cast<double>(v.i); }

}  // namespace

Value Evaluator::Overflow(Span span) {
  diags_.Error(DiagnosticKind::E0204, span, "integer overflow: the result does not fit in 64 bits")
      .Note({}, "sparkc computes exactly and never wraps around");
  return {};
}

Value Evaluator::Unary(const std::string& op, const Value& operand, Span span) {
  if (!operand.ok()) return {};
  Value shape = Shape(operand);
  bool fits = op == "not" ? shape.kind == Kind::Bool
                          : shape.kind == Kind::Int || shape.kind == Kind::Float ||
                                shape.kind == Kind::Quantity || shape.kind == Kind::Percent;
  if (!fits) {
    diags_.Error(DiagnosticKind::E0202, span,
                 fmt::format("`{}` does not apply to {}", op, Describe(operand)));
    return {};
  }
  if (operand.kind == Kind::Runtime) {
    Value v = operand;
    v.s = (op == "not" ? "not " : "-") + Residual(operand, 6);
    v.prec = 6;
    return v;
  }
  Value v = operand;
  if (op == "not") v.i = !v.i;
  else if (v.kind == Kind::Float) v.f = -v.f;
  else if (__builtin_sub_overflow(int64_t{0}, v.i, &v.i)) return Overflow(span);
  return v;
}

Value Evaluator::Binary(const std::string& op, const Value& lhs, const Value& rhs, Span span) {
  if (!lhs.ok() || !rhs.ok()) return {};
  Value l = Shape(lhs), r = Shape(rhs);
  auto mismatch = [&](const std::string& what) {
    diags_.Error(DiagnosticKind::E0202, span,
                 fmt::format("{}: the left side is {}, the right side is {}", what, Describe(lhs), Describe(rhs)));
    return Value{};
  };
  Value result;
  if (op == "and" || op == "or") {
    if (l.kind != Kind::Bool || r.kind != Kind::Bool) return mismatch(fmt::format("`{}` needs two bools", op));
    if (lhs.kind == Kind::Bool) return rhs;  // the left side did not decide (see Eval)
    if (rhs.kind == Kind::Bool) return rhs.i == (op == "and") ? lhs : rhs;
    result = MakeBool(false);
  } else if ((op == "==" || op == "!=") && (lhs.kind == Kind::None || rhs.kind == Kind::None)) {
    // Whether an optional value is set: `hw.cuda == none`. A probe never
    // gives none (it fails instead), so only two nones are equal.
    result = MakeBool((lhs.kind == rhs.kind) == (op == "=="));
  } else if (op == "==" || op == "!=") {
    bool comparable = SameType(l, r) || (IsNumber(l) && IsNumber(r));
    if (!comparable) return mismatch(fmt::format("`{}` compares values of one type", op));
    if (l.kind == Kind::Map && lhs.kind == Kind::Runtime) return mismatch("a probe result cannot be compared whole");
    result = MakeBool(Equal(l, r) == (op == "=="));
  } else if (IsOrdering(op)) {
    if (!Orderable(l, r)) {
      bool dims = l.kind == Kind::Quantity && r.kind == Kind::Quantity;
      return mismatch(dims ? fmt::format("`{}` cannot order a {} against a {}", op, DimensionName(l.dim),
                                         DimensionName(r.dim))
                           : fmt::format("`{}` orders numbers, quantities, percents, versions or strings "
                                         "of one type", op));
    }
    int c = Compare(l, r);
    result = MakeBool(op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0);
  } else if (op == "in" || op == "contains") {
    const Value& needle = op == "in" ? lhs : rhs;
    const Value& hay = op == "in" ? rhs : lhs;
    Value n = Shape(needle), h = Shape(hay);
    if (h.kind == Kind::String && n.kind == Kind::String) {
      result = MakeBool(h.s.find(n.s) != std::string::npos);
    } else if (hay.kind == Kind::List) {
      if (needle.kind == Kind::Runtime) {
        // `probe in [a, b]` becomes `probe == a or probe == b`.
        std::string text;
        for (const Value& item : *hay.list) {
          if (!SameType(n, item)) return mismatch(fmt::format("`{}` looks for a value of the list's type", op));
          text += (text.empty() ? "" : " or ") + Residual(needle, 4) + " == " + Residual(item, 4);
        }
        return text.empty() ? MakeBool(false) : MakeRuntime(Kind::Bool, text, 1, span);
      }
      bool found = false;
      for (const Value& item : *hay.list) found |= Equal(needle, item);
      result = MakeBool(found);
    } else if (hay.kind == Kind::Map && n.kind == Kind::String && hay.kind != Kind::Runtime) {
      result = MakeBool(hay.Field(needle.s) != nullptr);
    } else {
      return mismatch(op == "in" ? "`in` looks for a value in a list, a key in a map or a substring in a string"
                                 : "`contains` looks for a value in a list, a key in a map or a substring in a string");
    }
  } else {
    result = Arithmetic(op, l, r, span);
    if (!result.ok()) return {};
  }
  if (lhs.kind != Kind::Runtime && rhs.kind != Kind::Runtime) return result;
  int prec = OperatorPrecedence(op);
  Value v = MakeRuntime(result.kind, Residual(lhs, prec) + " " + op + " " + Residual(rhs, prec + 1), prec, span);
  v.dim = result.dim;
  return v;
}

Value Evaluator::Arithmetic(const std::string& op, const Value& l, const Value& r, Span span) {
  auto mismatch = [&]() {
    Diagnostic& d = diags_.Error(DiagnosticKind::E0202, span,
                                 fmt::format("cannot {} {} and {}", Verb(op), Describe(l), Describe(r)));
    if (l.kind == Kind::Quantity && r.kind == Kind::Quantity)
      d.Note({}, fmt::format("a {} and a {} are different dimensions", DimensionName(l.dim), DimensionName(r.dim)));
    else if (op == "*" && (l.kind == Kind::Float || r.kind == Kind::Float))
      d.Suggest("scale a quantity by a percent (`80%`) or an integer, which stay exact");
    return Value{};
  };
  auto checked = [&](int64_t a, int64_t b, int64_t& out) {
    bool overflow = op == "+" ? __builtin_add_overflow(a, b, &out)
                  : op == "-" ? __builtin_sub_overflow(a, b, &out)
                              : __builtin_mul_overflow(a, b, &out);
    return !overflow;
  };
  auto divide = [&](int64_t a, int64_t b, int64_t& out) -> bool {
    if (b == 0) {
      diags_.Error(DiagnosticKind::E0210, span, fmt::format("division by zero: {} / {}", Show(l), Show(r)));
      return false;
    }
    if (a == INT64_MIN && b == -1) {
      Overflow(span);
      return false;
    }
    out = a / b;
    return true;
  };
  // Exact scaling by a percent, through 128 bits.
  auto percent = [&](int64_t amount, int64_t pct, int64_t& out) {
    __int128 wide = static_cast<__int128>(amount) * pct / 100;
    if (wide > INT64_MAX || wide < INT64_MIN) return false;
    out = static_cast<int64_t>(wide);
    return true;
  };
  Value v;
  if (l.kind == Kind::Error || r.kind == Kind::Error) return {};
  if (op == "+" && l.kind == Kind::String && r.kind == Kind::String) {
    if (l.s.size() + r.s.size() > kMaxStringBytes) {
      diags_.Error(DiagnosticKind::E0010, span,
                   fmt::format("this string would be {} bytes; the limit is {} bytes", l.s.size() + r.s.size(),
                               kMaxStringBytes));
      return {};
    }
    return MakeString(l.s + r.s);
  }
  if (op == "+" && l.kind == Kind::List && r.kind == Kind::List) {
    size_t size = l.list->size() + r.list->size();
    if (size > kMaxListItems) {
      diags_.Error(DiagnosticKind::E0110, span,
                   fmt::format("this list would have {} items; the limit is {}", size, kMaxListItems));
      return {};
    }
    if (!Spend(size, span)) return {};
    std::vector<Value> items = *l.list;
    items.insert(items.end(), r.list->begin(), r.list->end());
    return MakeList(std::move(items));
  }
  if (IsNumber(l) && IsNumber(r) && (l.kind == Kind::Float || r.kind == Kind::Float)) {
    double a = AsDouble(l), b = AsDouble(r);
    if (op == "/" && b == 0) {
      diags_.Error(DiagnosticKind::E0210, span, fmt::format("division by zero: {} / {}", Show(l), Show(r)));
      return {};
    }
    v.kind = Kind::Float;
    v.f = op == "+" ? a + b : op == "-" ? a - b : op == "*" ? a * b : a / b;
    return v;
  }
  bool same = SameType(l, r) && (l.kind == Kind::Int || l.kind == Kind::Quantity || l.kind == Kind::Percent);
  if ((op == "+" || op == "-") && same) {
    v = l;
    return checked(l.i, r.i, v.i) ? v : Overflow(span);
  }
  if (op == "*") {
    if (l.kind == Kind::Int && r.kind == Kind::Int) {
      v = l;
      return checked(l.i, r.i, v.i) ? v : Overflow(span);
    }
    const Value* q = l.kind == Kind::Quantity ? &l : r.kind == Kind::Quantity ? &r : nullptr;
    const Value* other = q == &l ? &r : &l;
    if (q != nullptr && other->kind == Kind::Int) {
      v = *q;
      return checked(q->i, other->i, v.i) ? v : Overflow(span);
    }
    const Value* p = l.kind == Kind::Percent ? &l : r.kind == Kind::Percent ? &r : nullptr;
    const Value* base = p == &l ? &r : &l;
    if (p != nullptr && (base->kind == Kind::Quantity || base->kind == Kind::Int)) {
      v = *base;
      return percent(base->i, p->i, v.i) ? v : Overflow(span);
    }
    if (p != nullptr && base->kind == Kind::Float) {
      v = *base;
      v.f = base->f * static_cast<double>(p->i) / 100.0;
      return v;
    }
    return mismatch();
  }
  if (op == "/") {
    if ((l.kind == Kind::Int || l.kind == Kind::Quantity) && r.kind == Kind::Int) {
      v = l;
      return divide(l.i, r.i, v.i) ? v : Value{};
    }
    if (l.kind == Kind::Quantity && r.kind == Kind::Quantity && l.dim == r.dim) {
      v = MakeInt(0);
      return divide(l.i, r.i, v.i) ? v : Value{};
    }
  }
  return mismatch();
}

Value Evaluator::Aggregate(const std::string& name, const std::vector<Value>& values, Span span) {
  for (const Value& v : values)
    if (!v.ok()) return {};
  if (name == "count") {
    int64_t n = 0;
    for (const Value& v : values) {
      if (v.kind == Kind::Runtime) {
        diags_.Error(DiagnosticKind::E0212, v.span, "`count` needs static values; this one is a probe");
        return {};
      }
      n += v.kind == Kind::Bool ? v.i : 1;
    }
    return MakeInt(n, span);
  }
  if (name == "all" || name == "any") {
    bool all = name == "all";
    std::vector<Value> runtime;
    for (const Value& v : values) {
      if (Shape(v).kind != Kind::Bool) {
        diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("`{}` needs bools, found {}", name, Describe(v)));
        return {};
      }
      if (v.kind == Kind::Runtime) runtime.push_back(v);
      else if (v.i != all) return MakeBool(!all, span);  // decided statically
    }
    if (runtime.empty()) return MakeBool(all, span);
    Value acc = runtime[0];
    for (size_t k = 1; k < runtime.size(); ++k) acc = Binary(all ? "and" : "or", acc, runtime[k], span);
    return acc;
  }
  if (values.empty()) {
    if (name == "sum") return MakeInt(0, span);
    diags_.Error(DiagnosticKind::E0208, span, fmt::format("`{}` of no values", name))
        .Suggest("the list or its filter is empty; guard it with `if count(...) > 0 then ... else ...`");
    return {};
  }
  if (name == "sum") {
    Value acc = values[0];
    for (size_t k = 1; k < values.size(); ++k) {
      acc = Binary("+", acc, values[k], values[k].span);
      if (!acc.ok()) return {};
    }
    acc.span = span;
    return acc;
  }
  // min, max
  Value best = values[0];
  for (size_t k = 1; k < values.size(); ++k) {
    const Value& v = values[k];
    if (v.kind == Kind::Runtime || best.kind == Kind::Runtime || !Orderable(best, v)) {
      diags_.Error(DiagnosticKind::E0202, v.span,
                   fmt::format("`{}` needs static values of one ordered type; found {} and {}", name,
                               Describe(best), Describe(v)));
      return {};
    }
    int c = Compare(v, best);
    if (name == "min" ? c < 0 : c > 0) best = v;
  }
  best.span = span;
  return best;
}

}  // namespace sparkc::eval
