// `do` and `undo`: exec, shell, wait, manual, noop, and lists of them.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/lower.h"

namespace sparkc::check {
namespace {

constexpr const char* kActionForms =
    "an action: exec(\"prog\", \"arg\"...), shell(\"script\"), wait(duration), "
    "manual(\"instruction\"), noop, or a list of actions";

bool NoNamedArguments(const Module& module, const Expr& call, Diagnostics& diags) {
  for (size_t i = 0; i < call.arg_names.size(); ++i) {
    if (call.arg_names[i].empty()) continue;
    diags.Error(DiagnosticKind::E0206, module.expr(call.children[i + 1]).span,
                fmt::format("`{}` takes no named arguments, found `{} = ...`",
                            module.expr(call.children[0]).text, call.arg_names[i]));
    return false;
  }
  return true;
}

bool ArgCount(const Module& module, const Expr& call, size_t want, Diagnostics& diags) {
  size_t have = call.children.size() - 1;
  if (have == want) return true;
  diags.Error(DiagnosticKind::E0206, call.span,
              fmt::format("`{}` takes {} argument{}, found {}", module.expr(call.children[0]).text,
                          want, want == 1 ? "" : "s", have));
  return false;
}

// env = { NAME = "value" }, cwd = "dir", stdin = "text"
bool ProcessOptions(const Module& module, const Expr& call, Diagnostics& diags, plan::Action& out) {
  bool ok = true;
  static const std::vector<std::string> kOptions = {"env", "cwd", "stdin"};
  for (const Field& option : call.fields) {
    if (option.name == "env") {
      const Expr& env = module.expr(option.value);
      if (env.kind != ExprKind::Map) {
        diags.Error(DiagnosticKind::E0202, env.span,
                    fmt::format("expected a map of environment variables, found {}",
                                Describe(module, option.value)));
        ok = false;
        continue;
      }
      for (const Field& var : env.fields) {
        std::string value;
        ok &= LowerString(module, var.value, diags, value);
        out.env.emplace_back(var.name, value);
      }
    } else if (option.name == "cwd") {
      ok &= LowerString(module, option.value, diags, out.cwd);
    } else if (option.name == "stdin") {
      out.has_stdin = LowerString(module, option.value, diags, out.stdin_text);
      ok &= out.has_stdin;
    } else {
      Diagnostic& d = diags.Error(DiagnosticKind::E0201, option.name_span,
                                  fmt::format("unknown option `{}`; the options are env, cwd and stdin",
                                              option.name));
      std::string close = ClosestMatch(option.name, kOptions);
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
      ok = false;
    }
  }
  std::sort(out.env.begin(), out.env.end());
  for (size_t i = 1; i < out.env.size(); ++i) {
    if (out.env[i].first == out.env[i - 1].first) {
      diags.Error(DiagnosticKind::E0106, call.span,
                  fmt::format("environment variable `{}` is set twice", out.env[i].first));
      ok = false;
    }
  }
  return ok;
}

}  // namespace

bool LowerAction(const Module& module, ExprId id, Diagnostics& diags, plan::Action& out) {
  const Expr& e = module.expr(id);
  if (e.kind == ExprKind::Name && e.text == "noop") {
    out.kind = plan::Action::Kind::Noop;
    return true;
  }
  if (e.kind == ExprKind::List) {
    out.kind = plan::Action::Kind::Sequence;
    bool ok = true;
    for (ExprId item : e.children) ok &= LowerAction(module, item, diags, out.sequence.emplace_back());
    return ok;
  }
  const Expr* callee = e.kind == ExprKind::Call ? &module.expr(e.children[0]) : nullptr;
  if (callee == nullptr || callee->kind != ExprKind::Name) {
    diags.Error(DiagnosticKind::E0206, e.span,
                fmt::format("expected {}, found {}", kActionForms, Describe(module, id)));
    return false;
  }
  const std::string& name = callee->text;
  if (!NoNamedArguments(module, e, diags)) return false;
  bool ok = true;
  if (name == "exec" || name == "shell") {
    out.kind = name == "exec" ? plan::Action::Kind::Exec : plan::Action::Kind::Shell;
    if (name == "shell" && !ArgCount(module, e, 1, diags)) return false;
    if (e.children.size() < 2) {
      diags.Error(DiagnosticKind::E0206, e.span, "`exec` needs at least the program to run")
          .Suggest("exec(\"program\", \"argument\", ...)");
      return false;
    }
    for (size_t i = 1; i < e.children.size(); ++i)
      ok &= LowerString(module, e.children[i], diags, out.argv.emplace_back());
    return ProcessOptions(module, e, diags, out) && ok;
  }
  if (e.has_options) {
    diags.Error(DiagnosticKind::E0206, e.span,
                fmt::format("`{}` takes no options; only exec and shell do", name));
    return false;
  }
  if (name == "wait") {
    out.kind = plan::Action::Kind::Wait;
    return ArgCount(module, e, 1, diags) &&
           LowerQuantity(module, e.children[1], Dimension::Duration, diags, out.wait_ms);
  }
  if (name == "manual") {
    out.kind = plan::Action::Kind::Manual;
    return ArgCount(module, e, 1, diags) && LowerString(module, e.children[1], diags, out.instruction);
  }
  Diagnostic& d = diags.Error(DiagnosticKind::E0206, callee->span,
                              fmt::format("unknown action `{}`", name));
  std::string close = ClosestMatch(name, {"exec", "shell", "wait", "manual", "noop"});
  d.Suggest(close.empty() ? fmt::format("write {}", kActionForms)
                          : fmt::format("did you mean `{}`?", close));
  return false;
}

bool LowerUndo(const Module& module, ExprId id, Diagnostics& diags, plan::Undo& out) {
  const Expr& e = module.expr(id);
  if (e.kind == ExprKind::None) {
    out.kind = plan::Undo::Kind::None;
    return true;
  }
  if (e.kind == ExprKind::Irreversible) {
    out.kind = plan::Undo::Kind::Irreversible;
    out.reason = e.text;
    if (!out.reason.empty()) return true;
    diags.Error(DiagnosticKind::E0208, e.span, "`irreversible` needs a reason")
        .Suggest("say why and what to do instead: irreversible \"restore from the backup\"");
    return false;
  }
  out.kind = plan::Undo::Kind::Action;
  return LowerAction(module, id, diags, out.action);
}

}  // namespace sparkc::check
