// Steps, phases and the objective: every field checked and lowered.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "compiler/check/check.h"
#include "compiler/check/lower.h"

namespace sparkc {
namespace {

using check::LowerAction;
using check::LowerInt;
using check::LowerQuantity;
using check::LowerString;
using check::LowerUndo;

const std::vector<std::string> kStepFields = {"phase",   "after",    "do",
                                              "undo",    "check",    "timeout",
                                              "retries", "estimate", "undo_estimate",
                                              "description"};
const std::vector<std::string> kObjectiveFields = {"rto", "rpo"};

void UnknownField(const Field& field, const char* owner, const std::vector<std::string>& known,
                  Diagnostics& diags) {
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  Diagnostic& d = diags.Error(DiagnosticKind::E0201, field.name_span,
                              fmt::format("{} has no field `{}`", owner, field.name));
  std::string close = ClosestMatch(field.name, known);
  if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
  else d.Note({}, fmt::format("the fields are: {}", list));
}

// Reports a field set twice; true when the field is new.
bool FirstTime(std::map<std::string, Span>& seen, const Field& field, Diagnostics& diags) {
  auto [it, inserted] = seen.emplace(field.name, field.name_span);
  if (!inserted)
    diags.Error(DiagnosticKind::E0106, field.name_span, fmt::format("field `{}` is set twice", field.name))
        .Note(it->second, "first set here");
  return inserted;
}

class StepChecker {
 public:
  StepChecker(const Program& program, const Names& names, Diagnostics& diags)
      : program_(program), names_(names), diags_(diags) {}

  plan::Step Check(uint32_t index) {
    DeclRef ref = names_.steps[index];
    module_ = ref.module;
    const Module& ast = program_.modules[ref.module].ast;
    const Decl& decl = ast.decls[ref.decl];
    plan::Step step;
    step.id = names_.step_ids[index];
    step.description = decl.doc;
    step.source = Source(ast.file, decl.span);
    step.timeout_ms = kDefaultTimeoutMs;
    std::map<std::string, Span> seen;
    for (const Field& field : decl.block.fields) {
      if (!FirstTime(seen, field, diags_)) continue;
      Lower(ast, field, step);
    }
    if (!seen.contains("do"))
      diags_.Error(DiagnosticKind::E0205, decl.name_span,
                   fmt::format("step `{}` has no `do`", decl.name))
          .Suggest("say what the step does: do = exec(\"...\"), or do = manual(\"...\") for a person");
    if (!seen.contains("undo"))
      diags_.Error(DiagnosticKind::E0401, decl.name_span,
                   fmt::format("step `{}` has no `undo`", decl.name))
          .Suggest("add `undo = none` if there is nothing to invert, an action that inverts it, "
                   "or `undo = irreversible \"why\"`");
    return step;
  }

 private:
  void Lower(const Module& ast, const Field& field, plan::Step& step) {
    const std::string& name = field.name;
    if (name == "phase") {
      ResolveReference(program_, names_, module_, field.value, NameKind::Phase, diags_, step.phase);
    } else if (name == "after") {
      After(ast, field.value, step.after);
    } else if (name == "do") {
      LowerAction(ast, field.value, diags_, step.action);
    } else if (name == "undo") {
      LowerUndo(ast, field.value, diags_, step.undo);
    } else if (name == "check") {
      if (check::CheckCondition(ast, field.value, diags_)) step.check = PrintExpr(ast, field.value);
    } else if (name == "timeout") {
      if (LowerQuantity(ast, field.value, Dimension::Duration, diags_, step.timeout_ms) &&
          step.timeout_ms == 0)
        diags_.Error(DiagnosticKind::E0208, ast.expr(field.value).span, "a timeout of 0 stops every attempt at once")
            .Suggest("give the longest time the step may take");
    } else if (name == "retries") {
      LowerInt(ast, field.value, 0, kMaxRetries, diags_, step.retries);
    } else if (name == "estimate") {
      LowerQuantity(ast, field.value, Dimension::Duration, diags_, step.estimate_ms);
    } else if (name == "undo_estimate") {
      LowerQuantity(ast, field.value, Dimension::Duration, diags_, step.undo_estimate_ms);
    } else if (name == "description") {
      LowerString(ast, field.value, diags_, step.description);
    } else {
      UnknownField(field, "a step", kStepFields, diags_);
    }
  }

  void After(const Module& ast, ExprId value, std::vector<std::string>& after) {
    const Expr& e = ast.expr(value);
    std::vector<ExprId> refs = e.kind == ExprKind::List ? e.children : std::vector<ExprId>{value};
    for (ExprId ref : refs) {
      std::string id;
      if (ResolveReference(program_, names_, module_, ref, NameKind::Step, diags_, id))
        after.push_back(id);
    }
    std::sort(after.begin(), after.end());
    after.erase(std::unique(after.begin(), after.end()), after.end());
  }

  std::string Source(FileId file, Span span) const {
    const SourceFile& source = diags_.sources().file(file);
    std::string path = std::filesystem::path(source.path())
                           .lexically_relative(program_.root_dir)
                           .generic_string();
    return fmt::format("{}:{}", path, source.Locate(span.begin).line);
  }

  const Program& program_;
  const Names& names_;
  Diagnostics& diags_;
  uint32_t module_ = 0;
};

void CheckObjective(const Module& ast, const Decl& decl, Diagnostics& diags, CheckedSpec& spec) {
  std::map<std::string, Span> seen;
  for (const Field& field : decl.block.fields) {
    if (!FirstTime(seen, field, diags)) continue;
    if (field.name == "rto")
      LowerQuantity(ast, field.value, Dimension::Duration, diags, spec.rto_ms);
    else if (field.name == "rpo")
      LowerQuantity(ast, field.value, Dimension::Duration, diags, spec.rpo_ms);
    else
      UnknownField(field, "`objective`", kObjectiveFields, diags);
  }
}

}  // namespace

bool CheckProgram(const Program& program, const Names& names, Diagnostics& diags,
                  CheckedSpec& spec) {
  size_t before = diags.error_count();
  const Module& root = program.modules[0].ast;
  spec.module = std::filesystem::path(diags.sources().file(root.file).path()).stem().string();
  const Decl* objective = nullptr;
  for (uint32_t m = 0; m < program.modules.size(); ++m) {
    const Module& ast = program.modules[m].ast;
    for (const Decl& decl : ast.decls) {
      if (decl.kind == DeclKind::Module && m == 0) spec.module = decl.name;
      if (decl.kind == DeclKind::Phase)
        spec.phases.push_back({program.modules[m].prefix + decl.name, decl.title});
      if (decl.kind != DeclKind::Objective) continue;
      if (m != 0) continue;  // an imported module's objective is not this migration's
      if (objective != nullptr) {
        diags.Error(DiagnosticKind::E0101, decl.name_span, "`objective` is declared twice")
            .Note(objective->name_span, "first declared here");
        continue;
      }
      objective = &decl;
      CheckObjective(ast, decl, diags, spec);
    }
  }
  if (names.steps.empty()) {
    diags.Error(DiagnosticKind::E0006, {root.file, 0, 0}, "the spec declares no steps")
        .Suggest("declare one: step name { do = exec(\"...\"); undo = none }");
  }
  StepChecker checker(program, names, diags);
  for (uint32_t i = 0; i < names.steps.size(); ++i) {
    spec.steps.push_back(checker.Check(i));
    DeclRef ref = names.steps[i];
    spec.step_spans.push_back(program.modules[ref.module].ast.decls[ref.decl].name_span);
  }
  return diags.error_count() == before;
}

}  // namespace sparkc
