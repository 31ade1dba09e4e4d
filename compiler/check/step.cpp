// Steps and gates: template instantiation, fan-out expansion, and every
// field evaluated and lowered into a plan step.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/check.h"
#include "compiler/check/lower.h"

namespace sparkc::check {
namespace {

using eval::Kind;
using eval::Scope;

const std::vector<std::string> kStepFields = {"phase",    "after",         "do",          "undo",
                                              "check",    "timeout",       "retries",     "estimate",
                                              "undo_estimate", "description", "concurrency", "detach", "verify",
                                              "undo_check", "undo_after_failure"};
const std::vector<std::string> kGateFields = {"phase",  "after",       "approvers",
                                              "prompt", "description", "timeout"};

// Where a field's expression lives and what it may refer to.
struct FieldSource {
  uint32_t module;
  const Field* field;
  const Scope* scope;
};

class StepLowerer {
 public:
  StepLowerer(const Program& program, Evaluator& ev, CheckedSpec& spec)
      : program_(program), ev_(ev), spec_(spec) {}

  void Lower(DeclRef ref) {
    const Decl& decl = program_.modules[ref.module].ast.decls[ref.decl];
    if (decl.fan_var.empty()) {
      Instance(ref.module, decl, ev_.StepId(ref.module, decl), nullptr, "", true);
      return;
    }
    Value group = ev_.Global(ref.module, ref.decl);
    if (!group.ok()) return;
    plan::FanOut fanout{group.s, 0, {}};
    for (size_t k = 0; k < group.list->size(); ++k) {
      Scope scope{nullptr, {{decl.fan_var, (*group.fields)[k].value}}};
      fanout.instances.push_back((*group.list)[k].s);
      int64_t concurrency = Instance(ref.module, decl, (*group.list)[k].s, &scope, group.s, k == 0);
      if (k == 0) fanout.concurrency = concurrency;
    }
    spec_.fanouts.push_back(std::move(fanout));
  }

 private:
  // Lowers one plan step; returns its `concurrency` (0 when unset).
  int64_t Instance(uint32_t module, const Decl& decl, const std::string& id, const Scope* scope,
                   const std::string& group, bool first_instance) {
    plan::Step step;
    step.id = id;
    step.group = group;
    step.gate = decl.kind == DeclKind::Gate;
    step.description = decl.doc;
    step.source = SourceOf(program_, ev_.diags(), module, decl.span);
    step.timeout_ms = kDefaultTimeoutMs;
    if (!decl.has_block && decl.value == kNoExpr)
      ev_.diags().Error(DiagnosticKind::E0205, decl.name_span, fmt::format("step `{}` has no body", decl.name))
          .Suggest("give it a block: step name { do = ...; undo = ... }, or instantiate a template: "
                   "step name = template(...)");

    std::vector<FieldSource> fields;
    Scope template_scope;
    if (decl.value != kNoExpr && !Template(module, decl, scope, template_scope, fields)) return 0;
    std::map<std::string, Span> seen;
    for (const Field& f : decl.block.fields) {
      if (!FirstTime(seen, f, ev_.diags())) continue;
      std::erase_if(fields, [&](const FieldSource& s) { return s.field->name == f.name; });
      fields.push_back({module, &f, scope});
    }

    int64_t concurrency = 0;
    bool has_do = false, has_undo = false, has_prompt = false;
    const auto& known = step.gate ? kGateFields : kStepFields;
    for (const FieldSource& source : fields) {
      const std::string& name = source.field->name;
      if (std::find(known.begin(), known.end(), name) == known.end() ||
          (name == "concurrency" && group.empty())) {
        if (name == "concurrency")
          ev_.diags().Error(DiagnosticKind::E0201, source.field->name_span,
                            "`concurrency` bounds the instances of a fan-out; this step has none")
              .Suggest(fmt::format("fan it out: step {}[x in list] {{ ... }}", decl.name));
        else
          UnknownField(ev_.diags(), *source.field, step.gate ? "a gate" : "a step", known);
        continue;
      }
      // One fan-out has one concurrency: read it from the first instance.
      if (name == "concurrency" && !first_instance) continue;
      has_do |= name == "do";
      has_undo |= name == "undo";
      has_prompt |= name == "prompt";
      Value v = ev_.Eval(source.module, source.field->value, source.scope);
      if (!v.ok()) continue;
      if (name == "phase") Phase(v, step.phase);
      else if (name == "after") LowerSteps(ev_, v, step.after);
      else if (name == "do") LowerAction(ev_, v, step.action);
      else if (name == "undo") LowerUndo(ev_, v, step.undo);
      else if (name == "check") LowerCheck(ev_, v, step.check);
      else if (name == "retries") LowerInt(ev_, v, 0, kMaxRetries, step.retries);
      else if (name == "estimate") LowerDuration(ev_, v, step.estimate_ms);
      else if (name == "undo_estimate") LowerDuration(ev_, v, step.undo_estimate_ms);
      else if (name == "description") LowerString(ev_, v, step.description);
      else if (name == "detach") LowerBool(ev_, v, step.detach);
      else if (name == "verify") LowerBool(ev_, v, step.verify);
      else if (name == "undo_after_failure") LowerBool(ev_, v, step.undo_after_failure);
      else if (name == "undo_check") LowerCheck(ev_, v, step.undo_check);
      else if (name == "concurrency") LowerInt(ev_, v, 1, 1'000'000, concurrency);
      else if (name == "approvers") LowerStrings(ev_, v, step.approvers);
      else if (name == "prompt") {
        step.action.kind = plan::Action::Kind::Manual;
        LowerString(ev_, v, step.action.instruction);
      } else if (name == "timeout" && LowerDuration(ev_, v, step.timeout_ms) && step.timeout_ms == 0) {
        ev_.diags().Error(DiagnosticKind::E0208, v.span, "a timeout of 0 stops every attempt at once")
            .Suggest("give the longest time the step may take");
      }
    }
    if (step.gate) {
      if (!has_prompt)
        ev_.diags().Error(DiagnosticKind::E0205, decl.name_span, fmt::format("gate `{}` has no `prompt`", decl.name))
            .Suggest("say what the approvers decide: prompt = \"Staging validated. Start the cut-over?\"");
    } else {
      if (!has_do)
        ev_.diags().Error(DiagnosticKind::E0205, decl.name_span, fmt::format("step `{}` has no `do`", decl.name))
            .Suggest("say what the step does: do = exec(\"...\"), or do = manual(\"...\") for a person");
      if (!has_undo)
        ev_.diags().Error(DiagnosticKind::E0401, decl.name_span, fmt::format("step `{}` has no `undo`", decl.name))
            .Suggest("add `undo = none` if there is nothing to invert, an action that inverts it, "
                     "or `undo = irreversible \"why\"`");
    }
    std::sort(step.after.begin(), step.after.end());
    step.after.erase(std::unique(step.after.begin(), step.after.end()), step.after.end());
    spec_.steps.push_back(std::move(step));
    spec_.step_spans.push_back(decl.name_span);
    return concurrency;
  }

  // `step x = t(args)`: binds the arguments and adds the template's fields.
  bool Template(uint32_t module, const Decl& decl, const Scope* scope, Scope& bound,
                std::vector<FieldSource>& fields) {
    const Module& ast = program_.modules[module].ast;
    const Expr& call = ast.expr(decl.value);
    Value callee = ev_.Eval(module, call.kind == ExprKind::Call ? call.children[0] : decl.value, scope);
    if (!callee.ok()) return false;
    if (call.kind != ExprKind::Call || callee.kind != Kind::Template) {
      ev_.diags().Error(DiagnosticKind::E0202, call.span,
                        fmt::format("`step {} = ...` instantiates a template, found {}", decl.name,
                                    eval::Describe(callee)))
          .Suggest("call a template: step name = std.k8s.helm_release(\"nova\", chart = \"charts/nova\")");
      return false;
    }
    std::vector<Value> args;
    for (size_t k = 1; k < call.children.size(); ++k) args.push_back(ev_.Eval(module, call.children[k], scope));
    auto tm = static_cast<uint32_t>(callee.i);
    const Decl& tdecl = program_.modules[tm].ast.decls[std::stoul(callee.s)];
    if (!ev_.BindArguments(tdecl, tm, args, call.arg_names, call.span, bound)) return false;
    std::map<std::string, Span> seen;
    for (const Field& f : tdecl.block.fields)
      if (FirstTime(seen, f, ev_.diags())) fields.push_back({tm, &f, &bound});
    return true;
  }

  void Phase(const Value& v, std::string& out) {
    if (v.kind == Kind::Phase) {
      out = v.s;
      return;
    }
    ev_.diags().Error(DiagnosticKind::E0202, v.span, fmt::format("expected a phase, found {}", eval::Describe(v)))
        .Suggest("declare it: phase name \"title\"");
  }

  const Program& program_;
  Evaluator& ev_;
  CheckedSpec& spec_;
};

}  // namespace

void LowerAllSteps(const Program& program, const Names& names, Evaluator& ev, CheckedSpec& spec) {
  StepLowerer lowerer(program, ev, spec);
  // A plan step is large; growing the vector would move every one of them.
  spec.steps.reserve(spec.steps.size() + names.steps.size());
  spec.step_spans.reserve(spec.steps.capacity());
  for (DeclRef ref : names.steps) lowerer.Lower(ref);
}

}  // namespace sparkc::check
