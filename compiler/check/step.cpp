// Steps and gates: template instantiation, fan-out expansion, and every
// field evaluated and lowered into a plan step.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/check/check.h"
#include "compiler/check/lower.h"
#include "compiler/parse/residual.h"
#include "compiler/plan/template.h"

#include <memory>
#include <unordered_map>

namespace sparkc::check {
namespace {

// The edit that adds `field` as the last line of `block`, indented one level
// deeper than its closing brace, or after a `;` when the block is one line.
void AddFieldFix(Diagnostic& d, const SourceManager& sources, const Block& block, const std::string& field) {
  if (!block.span.valid() || block.span.end == 0) return;
  std::string_view text = sources.file(block.span.file).text();
  uint32_t close = block.span.end - 1;  // the `}`
  uint32_t line = close;
  while (line > block.span.begin && (text[line - 1] == ' ' || text[line - 1] == '\t')) --line;
  if (line > block.span.begin && text[line - 1] == '\n') {
    std::string indent(text.substr(line, close - line));
    d.Fix({block.span.file, line, line}, indent + "  " + field + "\n", fmt::format("Add `{}`", field));
    return;
  }
  uint32_t last = line;  // just past the block's last token
  bool empty = last == block.span.begin + 1;
  d.Fix({block.span.file, last, last}, empty ? " " + field + (last == close ? " " : "") : "; " + field,
        fmt::format("Add `{}`", field));
}

using eval::Kind;
using eval::Scope;


// Where a field's expression lives and what it may refer to.
struct FieldSource {
  uint32_t module;
  const Field* field;
  const Scope* scope;
};

// What a process or request result offers an `outputs` expression.
const std::vector<std::string> kProcessResult = {"stdout", "stderr", "exit"};
const std::vector<std::string> kHttpResult = {"status", "body"};

// The fields of one step instance, gathered once (a template's arguments
// bound once, its errors reported once): its outputs may be needed before
// the step itself is lowered, by a step that uses them.
struct Gathered {
  bool ok = true;
  std::vector<FieldSource> fields;
  std::unique_ptr<Scope> fan_scope;       // the fan-out variable
  std::unique_ptr<Scope> template_scope;  // the template's parameters
};

class StepLowerer {
 public:
  StepLowerer(const Program& program, const Names& names, Evaluator& ev, CheckedSpec& spec)
      : program_(program), names_(names), ev_(ev), spec_(spec) {
    ev_.SetOutputsOf([this](const std::string& id) { return OutputsOf(id); });
  }
  ~StepLowerer() { ev_.SetOutputsOf(nullptr); }

  void Lower(DeclRef ref) {
    const Decl& decl = program_.modules[ref.module].ast.decls[ref.decl];
    if (decl.fan_var.empty()) {
      Instance(ref.module, decl, ev_.StepId(ref.module, decl), Where{ref, -1}, "", true);
      return;
    }
    Value group = ev_.Global(ref.module, ref.decl);
    if (!group.ok()) return;
    plan::FanOut fanout{group.s, 0, {}};
    for (size_t k = 0; k < group.list->size(); ++k) {
      fanout.instances.push_back((*group.list)[k].s);
      int64_t concurrency =
          Instance(ref.module, decl, (*group.list)[k].s, Where{ref, static_cast<int64_t>(k)}, group.s, k == 0);
      if (k == 0) fanout.concurrency = concurrency;
    }
    spec_.fanouts.push_back(std::move(fanout));
  }

 private:
  struct Where {
    DeclRef ref;
    int64_t instance;  // -1: not a fan-out
  };

  // Where every step instance is declared: needed only once a step uses
  // outputs of one not lowered yet.
  void Locate() {
    if (located_) return;
    located_ = true;
    for (DeclRef ref : names_.steps) {
      const Decl& decl = program_.modules[ref.module].ast.decls[ref.decl];
      if (decl.fan_var.empty()) {
        where_.emplace(ev_.StepId(ref.module, decl), Where{ref, -1});
        continue;
      }
      Value group = ev_.Global(ref.module, ref.decl);
      if (!group.ok()) continue;
      for (size_t k = 0; k < group.list->size(); ++k)
        where_.emplace((*group.list)[k].s, Where{ref, static_cast<int64_t>(k)});
    }
  }

  Gathered& Gather(const std::string& id, const Where& where) {
    auto [it, inserted] = gathered_.try_emplace(id);
    Gathered& g = it->second;
    if (!inserted) return g;
    uint32_t module = where.ref.module;
    const Decl& decl = program_.modules[module].ast.decls[where.ref.decl];
    const Scope* scope = nullptr;
    if (where.instance >= 0) {
      Value group = ev_.Global(module, where.ref.decl);
      g.fan_scope = std::make_unique<Scope>(Scope{nullptr, {{decl.fan_var, (*group.fields)[where.instance].value}}});
      scope = g.fan_scope.get();
    }
    g.template_scope = std::make_unique<Scope>();
    if (decl.value != kNoExpr && !Template(module, decl, scope, *g.template_scope, g.fields)) {
      g.ok = false;
      return g;
    }
    std::map<std::string, Span> seen;
    for (const Field& f : decl.block.fields) {
      if (!FirstTime(seen, f, ev_.diags())) continue;
      std::erase_if(g.fields, [&](const FieldSource& s) { return s.field->name == f.name; });
      g.fields.push_back({module, &f, scope});
    }
    return g;
  }

  // The outputs step `id` declares, evaluated once: each a runtime value of
  // the result of its `do`. A list holding one unnamed output stands for
  // outputs that failed to evaluate (already reported).
  const std::vector<plan::Output>* OutputsOf(const std::string& id, const Where* known = nullptr) {
    if (auto it = outputs_.find(id); it != outputs_.end()) return &it->second;
    if (known == nullptr) {
      Locate();
      auto it = where_.find(id);
      if (it == where_.end()) return nullptr;
      known = &it->second;
    }
    Where where = *known;
    Gathered& g = Gather(id, where);
    std::vector<plan::Output>& outputs = outputs_[id];
    auto field = std::find_if(g.fields.begin(), g.fields.end(),
                              [](const FieldSource& s) { return s.field->name == "outputs"; });
    if (!g.ok || field == g.fields.end()) {
      if (!g.ok) outputs.push_back({});
      return &outputs;
    }
    Scope result{field->scope, {}};
    for (const auto* names : {&kProcessResult, &kHttpResult})
      for (const std::string& name : *names)
        result.vars.emplace_back(name, eval::MakeRuntime(name == "exit" || name == "status" ? Kind::Int : Kind::String,
                                                         name, 9));
    ev_.EvaluatingOutputs(true);
    Value v = ev_.Eval(field->module, field->field->value, &result);
    ev_.EvaluatingOutputs(false);
    bool ok = v.ok();
    if (ok && v.kind != Kind::Map) {
      ev_.diags().Error(DiagnosticKind::E0202, v.span, fmt::format("`outputs` is a map of names to values, found {}",
                                                                   eval::Describe(v)))
          .Suggest("outputs = { leader = json(stdout).leader, count = int(stdout) }");
      ok = false;
    }
    // An output that fails is kept without a type: later uses of it stay
    // silent (it is reported here), the others are still checked.
    for (size_t k = 0; ok && k < v.fields->size(); ++k) {
      const eval::Entry& entry = (*v.fields)[k];
      std::vector<std::string> reads;
      if (entry.value.kind == Kind::Runtime) {
        for (const auto* names : {&kProcessResult, &kHttpResult})
          for (std::string& name : ResidualNames(entry.value.s, *names)) reads.push_back(std::move(name));
      }
      std::string type = eval::OutputType(entry.value);
      if (!entry.value.ok()) {
        type.clear();
      } else if (reads.empty()) {
        ev_.diags().Error(DiagnosticKind::E0213, entry.value.span,
                          fmt::format("output `{}` does not read the result of `do`", entry.key))
            .Suggest("take it from stdout, stderr or exit (body or status for http.request): "
                     "trim(stdout), int(stdout), json(body).id");
        type.clear();
      } else if (type.empty()) {
        ev_.diags().Error(DiagnosticKind::E0213, entry.value.span,
                          fmt::format("output `{}` is {}; an output is one string, int, float, bool, quantity, "
                                      "version or json value",
                                      entry.key, eval::TypeName(eval::Shape(entry.value))))
            .Suggest("pick one value: lines(stdout)[0], or keep the text: stdout");
      }
      outputs.push_back({entry.key, type, type.empty() ? "" : entry.value.s, false});
      if (!type.empty()) output_spans_[id].emplace_back(entry.key, entry.value.span);
    }
    if (!ok) {
      outputs.clear();
      outputs.push_back({});
    }
    std::sort(outputs.begin(), outputs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return &outputs;
  }

  // The result an output reads must be the one its `do` gives.
  void CheckOutputsFit(const std::string& id, const plan::Step& step, Span at) {
    using AK = plan::Action::Kind;
    AK kind = step.action.kind;
    bool process = kind == AK::Exec || kind == AK::Shell;
    if (!process && kind != AK::Http) {
      ev_.diags().Error(DiagnosticKind::E0213, at,
                        fmt::format("step `{}` has outputs, but its `do` is not one exec, shell or http.request",
                                    id))
          .Note({}, "outputs are taken from the result of `do`: stdout, stderr and exit of a process, status and "
                    "body of a request");
      return;
    }
    const auto& wrong = process ? kHttpResult : kProcessResult;
    for (const auto& entry : output_spans_[id]) {
      const std::string& name = entry.first;
      Span span = entry.second;
      auto it = std::find_if(step.outputs.begin(), step.outputs.end(), [&](const auto& o) { return o.name == name; });
      std::vector<std::string> misread = ResidualNames(it->expr, wrong);
      if (misread.empty()) continue;
      ev_.diags().Error(DiagnosticKind::E0213, span,
                        fmt::format("output `{}` reads `{}`, but `do` is {}", name, misread[0],
                                    process ? "a process (its result has stdout, stderr and exit)"
                                            : "an http.request (its result has status and body)"));
    }
  }

  // Lowers one plan step; returns its `concurrency` (0 when unset).
  int64_t Instance(uint32_t module, const Decl& decl, const std::string& id, const Where& where,
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

    // Its outputs first: a step lowered later that uses them finds them
    // here, without gathering this step's fields again.
    OutputsOf(id, &where);
    Gathered& gathered = Gather(id, where);
    struct Done {
      std::unordered_map<std::string, Gathered>& gathered;
      const std::string& id;
      ~Done() { gathered.erase(id); }
    } done{gathered_, id};
    if (!gathered.ok) return 0;
    const std::vector<FieldSource>& fields = gathered.fields;
    Span outputs_span;
    bool do_lowered = false;

    int64_t concurrency = 0;
    bool has_do = false, has_undo = false, has_prompt = false;
    const auto& known = FieldsOf(step.gate ? DeclKind::Gate : DeclKind::Step);
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
      if (name == "outputs") {
        for (const plan::Output& out : *OutputsOf(id))
          if (!out.type.empty()) step.outputs.push_back(out);
        outputs_span = source.field->name_span;
        continue;
      }
      Value v = ev_.Eval(source.module, source.field->value, source.scope);
      if (!v.ok()) continue;
      if (name == "phase") Phase(v, step.phase);
      else if (name == "after") LowerSteps(ev_, v, step.after);
      else if (name == "do") do_lowered = LowerAction(ev_, v, step.action);
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
      else if (name == "slurm") LowerPlacement(ev_, v, step.slurm);
      else if (name == "prompt") {
        step.action.kind = plan::Action::Kind::Manual;
        ev_.ActionText(v, "the prompt", step.action.instruction);
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
      if (!has_undo) {
        Diagnostic& d =
            ev_.diags()
                .Error(DiagnosticKind::E0401, decl.name_span, fmt::format("step `{}` has no `undo`", decl.name))
                .Suggest("add `undo = none` if there is nothing to invert, an action that inverts it, "
                         "or `undo = irreversible \"why\"`");
        if (decl.has_block) AddFieldFix(d, ev_.diags().sources(), decl.block, "undo = none");
      }
    }
    if (!step.outputs.empty() && do_lowered) CheckOutputsFit(id, step, outputs_span);
    // The strings of a step that reads no output are plain text again.
    step.inputs = StepInputs(step);
    if (step.inputs.empty()) {
      plan::UnescapeAction(step.action);
      plan::UnescapeAction(step.undo.action);
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
  const Names& names_;
  Evaluator& ev_;
  CheckedSpec& spec_;
  bool located_ = false;
  std::unordered_map<std::string, Where> where_;
  std::unordered_map<std::string, Gathered> gathered_;
  std::unordered_map<std::string, std::vector<plan::Output>> outputs_;
  std::unordered_map<std::string, std::vector<std::pair<std::string, Span>>> output_spans_;
};

}  // namespace

void LowerAllSteps(const Program& program, const Names& names, Evaluator& ev, CheckedSpec& spec) {
  StepLowerer lowerer(program, names, ev, spec);
  // A plan step is large; growing the vector would move every one of them.
  spec.steps.reserve(spec.steps.size() + names.steps.size());
  spec.step_spans.reserve(spec.steps.capacity());
  for (DeclRef ref : names.steps) lowerer.Lower(ref);
}

const std::vector<std::string>& FieldsOf(DeclKind kind) {
  static const std::vector<std::string> step = {
      "phase",         "after",       "do",          "undo",   "check",  "timeout",    "retries",
      "estimate",      "undo_estimate", "description", "concurrency", "detach", "verify", "undo_check",
      "undo_after_failure", "outputs", "slurm"};
  static const std::vector<std::string> gate = {"phase", "after", "approvers", "prompt", "description", "timeout"};
  static const std::vector<std::string> objective = {"rto", "rpo", "parallelism"};
  static const std::vector<std::string> window = {"from", "to", "max"};
  static const std::vector<std::string> none;
  switch (kind) {
    case DeclKind::Step: return step;
    case DeclKind::Gate: return gate;
    case DeclKind::Objective: return objective;
    case DeclKind::Window: return window;
    default: return none;
  }
}

}  // namespace sparkc::check
