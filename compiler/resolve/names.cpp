#include <fmt/format.h>

#include "compiler/resolve/resolve.h"

namespace sparkc {

std::string DottedName(const Module& module, ExprId id) {
  const Expr& e = module.expr(id);
  if (e.kind == ExprKind::Name) return e.text;
  if (e.kind != ExprKind::Member) return {};
  std::string object = DottedName(module, e.children[0]);
  return object.empty() ? std::string() : object + "." + e.text;
}

Names BindNames(const Program& program, Diagnostics& diags) {
  Names names;
  names.globals.resize(program.modules.size());
  for (uint32_t m = 0; m < program.modules.size(); ++m) {
    const ModuleUnit& unit = program.modules[m];
    for (uint32_t d = 0; d < unit.ast.decls.size(); ++d) {
      const Decl& decl = unit.ast.decls[d];
      if (decl.kind == DeclKind::Module || decl.kind == DeclKind::Import ||
          decl.kind == DeclKind::Objective)
        continue;
      auto [it, inserted] = names.globals[m].emplace(decl.name, d);
      if (!inserted) {
        const Decl& first = unit.ast.decls[it->second];
        diags.Error(DiagnosticKind::E0101, decl.name_span,
                    fmt::format("{} `{}` is declared twice", DeclKeyword(decl.kind), decl.name))
            .Note(first.name_span, fmt::format("first declared here, as {} {}",
                                                std::string_view("aeiou").find(DeclKeyword(first.kind)[0]) ==
                                                        std::string_view::npos ? "a" : "an",
                                                DeclKeyword(first.kind)))
            .Suggest("rename one of them; names identify steps in plans and journals");
        continue;
      }
      if (decl.kind == DeclKind::Step || decl.kind == DeclKind::Gate) names.steps.push_back({m, d});
    }
  }
  return names;
}

}  // namespace sparkc
