// Declarations as values, each computed once; a declaration that needs its
// own value is a cycle and an error.
#include <fmt/format.h>

#include <unordered_set>

#include "compiler/eval/eval.h"
#include "compiler/parse/parse.h"

namespace sparkc::eval {

std::string Evaluator::StepId(uint32_t module, const Decl& decl) const {
  return program_.modules[module].prefix + decl.name;
}

Evaluator::Evaluator(const Program& program, const Names& names, Diagnostics& diags)
    : program_(program), names_(names), diags_(diags), globals_(program.modules.size()) {
  for (size_t m = 0; m < program.modules.size(); ++m) {
    globals_[m].resize(program.modules[m].ast.decls.size());
    // What a spec writes out is evaluated about once per expression (each
    // declaration once, a fan-out once per instance): the bound grows with
    // the spec, so that only computation (calls, comprehensions) meets it.
    max_work_ += 64 * program.modules[m].ast.exprs.size();
  }
}

Value Evaluator::Global(uint32_t module, uint32_t decl) {
  GlobalSlot& slot = globals_[module][decl];  // stays valid: the vectors never grow
  if (slot.value) return *slot.value;
  if (slot.computing) {
    const Decl& d = program_.modules[module].ast.decls[decl];
    diags_.Error(DiagnosticKind::E0108, d.name_span, fmt::format("`{}` depends on its own value", d.name))
        .Suggest("break the cycle: one of the declarations it goes through must not use the other");
    return {};
  }
  slot.computing = true;
  Value v = GlobalUncached(module, decl);
  slot.computing = false;
  slot.value = v;
  return v;
}

Value Evaluator::GlobalUncached(uint32_t module, uint32_t index) {
  const Decl& decl = program_.modules[module].ast.decls[index];
  Value v;
  switch (decl.kind) {
    case DeclKind::Param: return ParamOf(module, decl);
    case DeclKind::Const: {
      Value value = Eval(module, decl.value);
      return decl.type.name.empty() ? value : Coerce(value, decl.type, module);
    }
    case DeclKind::Secret: {
      Value value = Eval(module, decl.value);
      if (value.kind == Kind::Secret || !value.ok()) return value;
      if (value.kind == Kind::String)
        diags_.Error(DiagnosticKind::E0402, value.span, "a secret cannot be a string literal")
            .Note({}, "a literal would put the secret in the spec, the plan and version control")
            .Suggest("read it when the plan runs: env(\"NAME\") or file(\"/path/to/secret\")");
      else
        diags_.Error(DiagnosticKind::E0202, value.span,
                     fmt::format("a secret comes from env(\"NAME\") or file(\"path\"), found {}", Describe(value)));
      return {};
    }
    case DeclKind::Hardware: case DeclKind::Environment: case DeclKind::Service:
      return RecordOf(module, decl);
    case DeclKind::Enum: case DeclKind::Record:
      v.kind = Kind::Type;
      v.type = decl.name;
      break;
    case DeclKind::Fn: v.kind = Kind::Function; break;
    case DeclKind::Template: v.kind = Kind::Template; break;
    case DeclKind::Step: case DeclKind::Gate:
      if (!decl.fan_var.empty()) return FanOut(module, decl);
      v.kind = Kind::Step;
      v.s = StepId(module, decl);
      return v;
    case DeclKind::Phase:
      v.kind = Kind::Phase;
      v.s = StepId(module, decl);
      return v;
    default:
      diags_.Error(DiagnosticKind::E0202, decl.name_span,
                   fmt::format("{} `{}` is used as a value, but it has none", DeclKeyword(decl.kind), decl.name));
      return {};
  }
  v.i = module;
  v.s = std::to_string(index);
  return v;
}

// The instances of `step name[var in source]`: `list` holds one Step value
// per element, `fields` the elements themselves under their keys.
Value Evaluator::FanOut(uint32_t module, const Decl& decl) {
  Value source = Eval(module, decl.fan_source);
  if (!source.ok() || !RequireStatic(source, "a fan-out")) return {};
  if (source.kind != Kind::List) {
    diags_.Error(DiagnosticKind::E0202, source.span,
                 fmt::format("a fan-out runs over a list, found {}", Describe(source)));
    return {};
  }
  if (source.list->size() > kMaxSteps) {
    // Before a million instances are made, not after.
    diags_.Error(DiagnosticKind::E0305, source.span,
                 fmt::format("fan-out `{}` would have {} instances; a plan holds at most {} steps", decl.name,
                             source.list->size(), kMaxSteps))
        .Suggest("split the migration into plans that are applied one after the other");
    return {};
  }
  std::string base = StepId(module, decl);
  std::vector<Value> steps;
  steps.reserve(source.list->size());
  auto items = std::make_shared<std::vector<Entry>>();
  items->reserve(source.list->size());
  std::unordered_set<std::string> seen;
  for (const Value& item : *source.list) {
    std::string key = InstanceKey(item);
    if (!seen.insert(key).second) {
      diags_.Error(DiagnosticKind::E0101, source.span,
                   fmt::format("fan-out `{}` would have two instances named `{}`", decl.name, key))
          .Suggest("instances are named by the element (a record by its `name`); make them unique");
      return {};
    }
    Value step;
    step.kind = Kind::Step;
    step.s = base + "[" + key + "]";
    steps.push_back(step);
    items->push_back({key, source.span, item});
  }
  if (steps.empty())
    diags_.Warning(DiagnosticKind::W0301, source.span, fmt::format("fan-out `{}` has no instances", decl.name));
  Value group = MakeList(std::move(steps));
  group.kind = Kind::StepGroup;
  group.s = base;
  group.fields = std::move(items);
  return group;
}

Value Evaluator::RecordOf(uint32_t module, const Decl& decl) {
  Value map;
  map.kind = Kind::Map;
  map.span = decl.name_span;
  auto fields = std::make_shared<std::vector<Entry>>();
  for (const Field& f : decl.block.fields) {
    bool twice = false;
    for (const Entry& e : *fields) twice |= e.key == f.name;
    if (twice) {
      diags_.Error(DiagnosticKind::E0106, f.name_span, fmt::format("field `{}` is set twice", f.name));
      continue;
    }
    fields->push_back({f.name, f.name_span, Eval(module, f.value)});
  }
  const char* record = decl.kind == DeclKind::Hardware ? "Hardware"
                     : decl.kind == DeclKind::Environment ? "Environment" : "Service";
  uint32_t rm = 0, rd = 0;
  if (FindRecord(module, record, rm, rd)) {
    bool has_name = false;
    for (const Param& p : program_.modules[rm].ast.decls[rd].params) has_name |= p.name == "name";
    bool given = false;
    for (const Entry& e : *fields) given |= e.key == "name";
    if (has_name && !given) fields->push_back({"name", decl.name_span, MakeString(decl.name, decl.name_span)});
  }
  map.fields = std::move(fields);
  return CoerceToRecord(map, record, module, decl.name_span);
}

}  // namespace sparkc::eval
