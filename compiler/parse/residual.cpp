#include "compiler/parse/residual.h"

#include <algorithm>

#include "compiler/parse/parse.h"
#include "compiler/plan/template.h"

namespace sparkc {

std::vector<std::string> ResidualInputs(std::string_view expr) {
  std::vector<std::string> out;
  if (expr.find(kOutputFunction) == std::string_view::npos) return out;
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!ParseExpression(expr, module, root, error)) return out;
  for (const Expr& e : module.exprs) {
    if (e.kind != ExprKind::Call || e.children.size() != 3) continue;
    const Expr& callee = module.expr(e.children[0]);
    const Expr& step = module.expr(e.children[1]);
    const Expr& name = module.expr(e.children[2]);
    if (callee.kind == ExprKind::Name && callee.text == kOutputFunction && step.kind == ExprKind::String &&
        name.kind == ExprKind::String)
      out.push_back(plan::InputName(step.text, name.text));
  }
  return out;
}

std::vector<std::string> ResidualNames(std::string_view expr, const std::vector<std::string>& candidates) {
  std::vector<std::string> out;
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!ParseExpression(expr, module, root, error)) return out;
  for (const Expr& e : module.exprs)
    if (e.kind == ExprKind::Name && std::find(candidates.begin(), candidates.end(), e.text) != candidates.end() &&
        std::find(out.begin(), out.end(), e.text) == out.end())
      out.push_back(e.text);
  return out;
}

namespace {

void CollectActionInputs(const plan::Action& action, bool argv_only, std::vector<std::string>& out) {
  auto scan = [&](const std::string& text) {
    std::string ignored, error;
    plan::ExpandTemplate(
        text,
        [&](std::string_view expr, std::string&, std::string&) {
          for (std::string& input : ResidualInputs(expr)) out.push_back(std::move(input));
          return true;
        },
        ignored, error);
  };
  for (const std::string& arg : action.argv) scan(arg);
  if (!argv_only) {
    for (const auto& var : action.env) scan(var.second);
    for (const std::string* s : {&action.cwd, &action.stdin_text, &action.url, &action.instruction}) scan(*s);
  }
  for (const plan::Action& item : action.sequence) CollectActionInputs(item, argv_only, out);
}

}  // namespace

std::vector<std::string> ActionInputs(const plan::Action& action, bool argv_only) {
  std::vector<std::string> out;
  CollectActionInputs(action, argv_only, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> StepInputs(const plan::Step& step) {
  std::vector<std::string> out = ActionInputs(step.action);
  std::vector<std::string> undo = ActionInputs(step.undo.action);
  out.insert(out.end(), undo.begin(), undo.end());
  for (const std::string* check : {&step.check, &step.undo_check})
    for (std::string& input : ResidualInputs(*check)) out.push_back(std::move(input));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sparkc
