#include <fmt/format.h>

#include "compiler/resolve/resolve.h"

namespace sparkc {
namespace {

// `a.b.c` as written, or "" when the expression is not a dotted name.
std::string DottedName(const Module& module, ExprId id) {
  const Expr& e = module.expr(id);
  if (e.kind == ExprKind::Name) return e.text;
  if (e.kind != ExprKind::Member) return {};
  std::string object = DottedName(module, e.children[0]);
  return object.empty() ? std::string() : object + "." + e.text;
}

const char* KindWord(NameKind kind) { return kind == NameKind::Step ? "step" : "phase"; }

}  // namespace

Names BindNames(const Program& program, Diagnostics& diags) {
  Names names;
  std::map<std::string, Span> first_seen;
  for (uint32_t m = 0; m < program.modules.size(); ++m) {
    const ModuleUnit& unit = program.modules[m];
    for (uint32_t d = 0; d < unit.ast.decls.size(); ++d) {
      const Decl& decl = unit.ast.decls[d];
      if (decl.kind != DeclKind::Step && decl.kind != DeclKind::Phase) continue;
      std::string id = unit.prefix + decl.name;
      std::string key = std::string(decl.kind == DeclKind::Step ? "step " : "phase ") + id;
      auto [it, inserted] = first_seen.emplace(key, decl.name_span);
      if (!inserted) {
        diags.Error(DiagnosticKind::E0101, decl.name_span,
                    fmt::format("{} `{}` is declared twice",
                                decl.kind == DeclKind::Step ? "step" : "phase",
                                decl.name))
            .Note(it->second, "first declared here")
            .Suggest("rename one of them; names identify steps in plans and journals");
        continue;
      }
      if (decl.kind == DeclKind::Phase) {
        names.phases[id] = {m, d};
        continue;
      }
      names.step_index[id] = static_cast<uint32_t>(names.steps.size());
      names.step_ids.push_back(id);
      names.steps.push_back({m, d});
    }
  }
  return names;
}

bool ResolveReference(const Program& program, const Names& names, uint32_t module, ExprId ref,
                      NameKind kind, Diagnostics& diags, std::string& id) {
  const ModuleUnit& unit = program.modules[module];
  const Expr& e = unit.ast.expr(ref);
  std::string written = DottedName(unit.ast, ref);
  if (written.empty()) {
    diags.Error(DiagnosticKind::E0202, e.span,
                fmt::format("expected the name of a {}, found `{}`", KindWord(kind),
                            PrintExpr(unit.ast, ref)));
    return false;
  }
  // `alias.rest` names a declaration of an imported module: the longest
  // alias that prefixes the name wins, so `std.k8s.x` beats `std.x`.
  std::string qualified = unit.prefix + written;
  size_t best = 0;
  for (const auto& [alias, target] : unit.imports) {
    if (written.size() > alias.size() && written.compare(0, alias.size(), alias) == 0 &&
        written[alias.size()] == '.' && alias.size() > best) {
      best = alias.size();
      qualified = program.modules[target].prefix + written.substr(alias.size() + 1);
    }
  }
  bool found = kind == NameKind::Step ? names.step_index.contains(qualified)
                                      : names.phases.contains(qualified);
  if (found) {
    id = qualified;
    return true;
  }
  // Suggest among the names visible from this module, written as they would be here.
  std::vector<std::string> candidates;
  auto visible = [&](const std::string& full) {
    if (full.starts_with(unit.prefix)) candidates.push_back(full.substr(unit.prefix.size()));
  };
  if (kind == NameKind::Step)
    for (const std::string& step : names.step_ids) visible(step);
  else
    for (const auto& [phase, ref_decl] : names.phases) visible(phase);
  Diagnostic& d = diags.Error(DiagnosticKind::E0102, e.span,
                              fmt::format("unknown {} `{}`", KindWord(kind), written));
  std::string close = ClosestMatch(written, candidates);
  if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
  else if (kind == NameKind::Phase) d.Suggest(fmt::format("declare it: phase {} \"...\"", written));
  return false;
}

}  // namespace sparkc
