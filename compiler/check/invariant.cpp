// Invariants and preconditions (`require`): a static one is proven at
// compile time, and when it is false the error shows the values that made
// it so; one that uses probes is carried into the plan, an invariant for
// `verify` after the run, a precondition for `apply` before it.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/lower.h"

namespace sparkc::check {
namespace {

using eval::Element;
using eval::Kind;

constexpr size_t kContributors = 3;

bool IsComparison(const std::string& op) { return OperatorPrecedence(op) == kComparisonPrecedence; }

class Explainer {
 public:
  Explainer(Evaluator& ev, uint32_t module, Diagnostic& d)
      : ev_(ev), module_(module), ast_(ev.program().modules[module].ast), d_(d) {}

  // Adds notes explaining why expression `id` is false.
  void False(ExprId id, bool top = false) {
    const Expr& e = ast_.expr(id);
    if (e.kind == ExprKind::Binary && e.text == "and") {
      for (ExprId side : e.children)
        if (IsFalse(side)) return False(side);
      return;
    }
    if (e.kind == ExprKind::Binary && e.text == "or") {
      for (ExprId side : e.children) False(side);
      return;
    }
    if (e.kind == ExprKind::Binary && IsComparison(e.text)) {
      if (!top) {
        Value lhs = ev_.Eval(module_, e.children[0]), rhs = ev_.Eval(module_, e.children[1]);
        d_.Note(e.span, fmt::format("`{}` is false: {} {} {}", PrintExpr(ast_, id), eval::Show(lhs), e.text,
                                    eval::Show(rhs)));
      }
      for (ExprId side : e.children) Show(side, false);
      return;
    }
    if (e.kind == ExprKind::Aggregate && CalleeName(e) == "all") {
      std::vector<Element> elements = ev_.Elements(module_, e, nullptr);
      std::string failing;
      size_t count = 0;
      for (const Element& el : elements) {
        if (el.value.kind != Kind::Bool || el.value.i) continue;
        if (++count <= kContributors) failing += (failing.empty() ? "" : ", ") + eval::InstanceKey(el.item);
      }
      if (count > kContributors) failing += fmt::format(" and {} more", count - kContributors);
      d_.Note(e.span, fmt::format("false for {}", failing));
      return;
    }
    if (e.kind == ExprKind::Unary && e.text == "not") {
      d_.Note(ast_.expr(e.children[0]).span, fmt::format("`{}` is true", PrintExpr(ast_, e.children[0])));
      return;
    }
    d_.Note(e.span, fmt::format("`{}` is false", PrintExpr(ast_, id)));
  }

 private:
  std::string CalleeName(const Expr& e) const { return ast_.expr(e.children[0]).text; }

  bool IsFalse(ExprId id) {
    Value v = ev_.Eval(module_, id);
    return v.kind == Kind::Bool && !v.i;
  }

  // `expr = value`, and for a sum, max or min, its largest contributors.
  void Show(ExprId id, bool with_value) {
    const Expr& e = ast_.expr(id);
    Value v = ev_.Eval(module_, id);
    std::string text = PrintExpr(ast_, id);
    std::string shown = eval::Show(v);
    if (with_value && text != shown) d_.Note(e.span, fmt::format("`{}` = {}", text, shown));
    if (e.kind != ExprKind::Aggregate) return;
    std::string name = ast_.expr(e.children[0]).text;
    if (name != "sum" && name != "max" && name != "min") return;
    std::vector<Element> elements = ev_.Elements(module_, e, nullptr);
    std::stable_sort(elements.begin(), elements.end(), [&](const Element& a, const Element& b) {
      if (!eval::Orderable(a.value, b.value)) return false;
      int c = eval::Compare(a.value, b.value);
      return name == "min" ? c < 0 : c > 0;
    });
    std::string list;
    for (size_t k = 0; k < elements.size() && k < kContributors; ++k)
      list += fmt::format("{}{} {}", list.empty() ? "" : ", ", eval::InstanceKey(elements[k].item),
                          eval::Show(elements[k].value));
    if (elements.size() > kContributors) list += fmt::format(" (of {})", elements.size());
    if (!list.empty())
      d_.Note(e.span, fmt::format("{} contributors: {}", name == "min" ? "smallest" : "largest", list));
  }

  Evaluator& ev_;
  uint32_t module_;
  const Module& ast_;
  Diagnostic& d_;
};

}  // namespace

void CheckInvariant(const Program& program, Evaluator& ev, uint32_t module, const Decl& decl,
                    CheckedSpec& spec) {
  bool require = decl.kind == DeclKind::Require;
  const char* what = require ? "precondition" : "invariant";
  std::vector<plan::Invariant>& into = require ? spec.preconditions : spec.invariants;
  plan::Invariant inv;
  inv.id = program.modules[module].prefix + decl.name;
  inv.description = decl.title.empty() ? decl.doc : decl.title;
  inv.source = SourceOf(program, ev.diags(), module, decl.span);
  Value v = ev.Eval(module, decl.value);
  if (!v.ok()) return;
  if (v.kind == Kind::Runtime && v.rt == Kind::Bool) {
    inv.runtime = true;
    inv.expr = v.s;
    into.push_back(std::move(inv));
    return;
  }
  const Module& ast = program.modules[module].ast;
  if (v.kind != Kind::Bool) {
    ev.diags().Error(DiagnosticKind::E0502, ast.expr(decl.value).span,
                     fmt::format("{} {} must be a bool, found {}", require ? "a" : "an", what, eval::Describe(v)));
    return;
  }
  if (v.i) {
    into.push_back(std::move(inv));
    return;
  }
  const Expr& body = ast.expr(decl.value);
  std::string message = fmt::format("{} `{}` does not hold", what, decl.name);
  if (body.kind == ExprKind::Binary && IsComparison(body.text)) {
    Value lhs = ev.Eval(module, body.children[0]), rhs = ev.Eval(module, body.children[1]);
    message = fmt::format("{} `{}` does not hold: {} = {}, but {} = {}", what, decl.name,
                          PrintExpr(ast, body.children[0]), eval::Show(lhs), PrintExpr(ast, body.children[1]),
                          eval::Show(rhs));
  }
  Diagnostic& d = ev.diags().Error(require ? DiagnosticKind::E0503 : DiagnosticKind::E0501, body.span, message);
  if (!decl.title.empty()) d.Note(decl.name_span, fmt::format("it states: {}", decl.title));
  Explainer(ev, module, d).False(decl.value, true);
}

}  // namespace sparkc::check
