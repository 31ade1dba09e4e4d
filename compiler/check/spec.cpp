// The whole program: every declaration evaluated, then the objective,
// windows, invariants and steps lowered into plan form.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "compiler/check/check.h"
#include "compiler/check/lower.h"
#include "compiler/parse/parse.h"

namespace sparkc {
namespace {

using check::Evaluator;
using check::Value;

void CheckObjective(Evaluator& ev, uint32_t module, const Decl& decl, CheckedSpec& spec) {
  std::map<std::string, Span> seen;
  for (const Field& field : decl.block.fields) {
    if (!check::FirstTime(seen, field, ev.diags())) continue;
    if (field.name != "rto" && field.name != "rpo" && field.name != "parallelism") {
      check::UnknownField(ev.diags(), field, "`objective`", check::FieldsOf(DeclKind::Objective));
      continue;
    }
    Value v = ev.Eval(module, field.value);
    if (field.name == "parallelism") {
      // What every time bound assumes, and what `apply -j` defaults to.
      check::LowerInt(ev, v, 1, kMaxParallelism, spec.parallelism);
      spec.parallelism_span = v.span;
      continue;
    }
    check::LowerDuration(ev, v, field.name == "rto" ? spec.rto_ms : spec.rpo_ms);
    if (field.name == "rto") spec.rto_span = v.span;
  }
}

void CheckWindow(Evaluator& ev, uint32_t module, const Decl& decl, CheckedSpec& spec) {
  plan::Window window;
  window.id = ev.program().modules[module].prefix + decl.name;
  std::map<std::string, Span> seen;
  bool ok = true;
  for (const Field& field : decl.block.fields) {
    if (!check::FirstTime(seen, field, ev.diags())) continue;
    Value v = ev.Eval(module, field.value);
    if (field.name == "from" || field.name == "to") {
      std::vector<std::string> ids;
      if (v.kind != eval::Kind::Step) {
        if (v.ok())
          ev.diags().Error(DiagnosticKind::E0202, v.span,
                           fmt::format("a window's `{}` is one step, found {}", field.name, eval::Describe(v)));
        ok = false;
        continue;
      }
      (field.name == "from" ? window.from : window.to) = v.s;
    } else if (field.name == "max") {
      ok &= check::LowerDuration(ev, v, window.max_ms);
    } else {
      check::UnknownField(ev.diags(), field, "a window", check::FieldsOf(DeclKind::Window));
      ok = false;
    }
  }
  for (const char* required : {"from", "to", "max"}) {
    if (seen.contains(required)) continue;
    ev.diags().Error(DiagnosticKind::E0205, decl.name_span, fmt::format("window `{}` has no `{}`", decl.name, required))
        .Suggest("window name { from = first_step; to = last_step; max = 30 min }");
    ok = false;
  }
  if (!ok) return;
  spec.windows.push_back(window);
  spec.window_spans.push_back(decl.name_span);
}

}  // namespace

bool CheckProgram(const Program& program, const Names& names, Diagnostics& diags, CheckedSpec& spec,
                  const ParamValues* params) {
  size_t before = diags.error_count();
  const Module& root = program.modules[0].ast;
  spec.module = std::filesystem::path(diags.sources().file(root.file).path()).stem().string();
  Evaluator ev(program, names, diags);
  ev.SetParams(params);
  const Decl* objective = nullptr;
  for (uint32_t m = 0; m < program.modules.size(); ++m) {
    const Module& ast = program.modules[m].ast;
    for (uint32_t d = 0; d < ast.decls.size(); ++d) {
      const Decl& decl = ast.decls[d];
      switch (decl.kind) {
        case DeclKind::Module:
          if (m == 0) spec.module = decl.name;
          break;
        case DeclKind::Phase: spec.phases.push_back({program.modules[m].prefix + decl.name, decl.title}); break;
        // Every static value is computed, used or not: a wrong one is an error now.
        case DeclKind::Param:
          if (m == 0) {
            Value v = ev.Global(m, d);
            bool as_is = v.kind == eval::Kind::String || v.kind == eval::Kind::Enum;
            if (v.ok()) spec.params.emplace_back(decl.name, as_is ? v.s : eval::Show(v));
            break;
          }
          diags.Error(DiagnosticKind::E0214, decl.name_span,
                      fmt::format("`param {}` is in an imported module; parameters belong to the spec that is "
                                  "planned", decl.name))
              .Suggest("declare it in the root spec and pass it to the module's templates or fns");
          break;
        case DeclKind::Const: case DeclKind::Secret: case DeclKind::Hardware:
        case DeclKind::Environment: case DeclKind::Service:
          ev.Global(m, d);
          break;
        case DeclKind::Invariant:
        case DeclKind::Require: check::CheckInvariant(program, ev, m, decl, spec); break;
        case DeclKind::Window: CheckWindow(ev, m, decl, spec); break;
        case DeclKind::Objective:
          if (m != 0) break;  // an imported module's objective is not this migration's
          if (objective != nullptr) {
            diags.Error(DiagnosticKind::E0101, decl.name_span, "`objective` is declared twice")
                .Note(objective->name_span, "first declared here");
            break;
          }
          objective = &decl;
          CheckObjective(ev, m, decl, spec);
          break;
        default: break;
      }
    }
  }
  if (params != nullptr) {
    std::vector<std::string> declared;
    for (const Decl& decl : root.decls)
      if (decl.kind == DeclKind::Param) declared.push_back(decl.name);
    for (const auto& [name, given] : *params) {
      if (std::find(declared.begin(), declared.end(), name) != declared.end()) continue;
      Diagnostic& d = diags.Error(DiagnosticKind::E0215, {root.file, 0, 0},
                                  fmt::format("`{}`: the spec has no parameter `{}`", given.source, name));
      std::string close = ClosestMatch(name, declared);
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
      else if (declared.empty()) d.Note({}, "the spec declares no `param`");
      else d.Note({}, fmt::format("its parameters are: {}", fmt::format("{}", fmt::join(declared, ", "))));
    }
  }
  std::sort(spec.params.begin(), spec.params.end());
  check::LowerAllSteps(program, names, ev, spec);
  if (spec.steps.size() > kMaxSteps) {
    diags.Error(DiagnosticKind::E0305, {root.file, 0, 0},
                fmt::format("the spec has {} steps; a plan holds at most {}", spec.steps.size(), kMaxSteps))
        .Suggest("split the migration into several specs, by phase or by cluster");
  }
  if (spec.steps.empty() && diags.error_count() == before) {
    diags.Error(DiagnosticKind::E0006, {root.file, 0, 0}, "the spec declares no steps")
        .Suggest("declare one: step name { do = exec(\"...\"); undo = none }");
  }
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::sort(spec.fanouts.begin(), spec.fanouts.end(), by_id);
  std::sort(spec.invariants.begin(), spec.invariants.end(), by_id);
  std::sort(spec.preconditions.begin(), spec.preconditions.end(), by_id);
  return diags.error_count() == before;
}

}  // namespace sparkc
