// Written types: `int`, `size`, `list[Volume]`, records and enums. Records
// get their defaults, and every field is checked against its declaration.
#include <fmt/format.h>

#include "compiler/eval/eval.h"

namespace sparkc::eval {
namespace {

const std::vector<std::string>& BuiltinTypes() {
  static const std::vector<std::string> types = {
      "int",     "float",   "bool",   "string", "size", "duration", "cpu",  "bandwidth",
      "percent", "version", "secret", "action", "step", "list",     "map",  "any"};
  return types;
}

std::string TypeText(const TypeRef& type) {
  return type.args.empty() ? type.name : type.name + "[" + TypeText(type.args[0]) + "]";
}

}  // namespace

bool Evaluator::FindRecord(uint32_t module, const std::string& name, uint32_t& rec_module,
                           uint32_t& rec_decl) {
  auto find_in = [&](uint32_t m, const std::string& n) {
    auto it = names_.globals[m].find(n);
    if (it == names_.globals[m].end()) return false;
    DeclKind k = program_.modules[m].ast.decls[it->second].kind;
    if (k != DeclKind::Record && k != DeclKind::Enum) return false;
    rec_module = m;
    rec_decl = it->second;
    return true;
  };
  size_t dot = name.rfind('.');
  if (dot != std::string::npos) {
    auto it = program_.modules[module].imports.find(name.substr(0, dot));
    return it != program_.modules[module].imports.end() && find_in(it->second, name.substr(dot + 1));
  }
  if (find_in(module, name)) return true;
  return program_.prelude >= 0 && find_in(static_cast<uint32_t>(program_.prelude), name);
}

namespace {

// How a type annotation names the type of `v` when the message's words do
// not: `action`, `step`, `any` for a probe's whole result, a record's name.
std::string WrittenType(const Value& v) {
  Value shape = Shape(v);
  switch (shape.kind) {
    case Kind::Action: return "action";
    case Kind::Step: return "step";
    case Kind::Map:
      if (v.kind == Kind::Runtime) return "any";  // exec(...), http.get(...): a probe's result
      return shape.type.empty() ? "map" : shape.type;
    case Kind::Json: return "any";
    default: return "";  // a plain type: "found int" already names it
  }
}

// Whether coercion gave a different value: every conversion it makes changes
// the kind (int to float), the type (a map checked against a record or an
// enum) or a list's or map's contents (a new vector).
bool Changed(const Value& before, const Value& after) {
  return before.kind != after.kind || before.type != after.type || before.list != after.list ||
         before.fields != after.fields;
}

}  // namespace

Value Evaluator::Coerce(const Value& v, const TypeRef& type, uint32_t module) {
  if (!v.ok() || type.name.empty() || type.name == "any") return v;
  const std::string& n = type.name;
  Value shape = Shape(v);
  auto fail = [&](std::string hint = {}) {
    Diagnostic& d = diags_.Error(DiagnosticKind::E0202, v.span,
                                 fmt::format("expected {}, found {}", TypeText(type), Describe(v)));
    if (hint.empty()) {
      // The type to write for what was found: an action or a probe result
      // has a name most users cannot guess.
      std::string written = WrittenType(v);
      if (!written.empty()) hint = fmt::format("its type is written `{}`", written);
    }
    if (!hint.empty()) d.Suggest(hint);
    return Value{};
  };
  auto is = [&](Kind k) { return shape.kind == k; };
  if (n == "int") return is(Kind::Int) ? v : fail();
  if (n == "bool") return is(Kind::Bool) ? v : fail();
  if (n == "string") return is(Kind::String) ? v : fail();
  if (n == "percent") return is(Kind::Percent) ? v : fail();
  if (n == "version") return is(Kind::Version) ? v : fail("write versions with a leading v: v12.4");
  if (n == "action") return is(Kind::Action) ? v : fail();
  if (n == "step") return is(Kind::Step) ? v : fail();
  if (n == "float") {
    if (is(Kind::Float)) return v;
    if (v.kind != Kind::Int) return fail();
    Value f = v;
    f.kind = Kind::Float;
    f.f = static_cast<double>(v.i);
    return f;
  }
  if (n == "secret") {
    // `none`: no secret (a server with peer or trust authentication); an
    // `env` map leaves the variable unset.
    if (is(Kind::Secret) || is(Kind::None)) return v;
    if (v.kind != Kind::String) return fail();
    diags_.Error(DiagnosticKind::E0402, v.span, "a secret cannot be a string literal")
        .Note({}, "a literal would put the secret in the spec, the plan and version control")
        .Suggest("read it when the plan runs: env(\"NAME\") or file(\"/path/to/secret\")");
    return {};
  }
  for (Dimension dim : {Dimension::Duration, Dimension::Size, Dimension::Cpu, Dimension::Bandwidth}) {
    if (n != DimensionName(dim)) continue;
    if (is(Kind::Quantity) && shape.dim == dim) return v;
    if (v.kind == Kind::Int && dim == Dimension::Duration)
      return fail(fmt::format("give the unit: `{} s` or `{} min`", v.i, v.i));
    if (v.kind == Kind::Int && dim == Dimension::Size)
      return fail(fmt::format("give the unit: `{} GB` or `{} GiB`", v.i, v.i));
    return fail();
  }
  if (n == "list" || n == "map") {
    if (!is(n == "list" ? Kind::List : Kind::Map) || v.kind == Kind::Runtime) return fail();
    if (type.args.empty()) return v;
    // Copy on write: a list of a million ints that already are ints is the
    // same list, not a new one per function call that passes it.
    Value out = v;
    bool ok = true;
    if (n == "list") {
      std::vector<Value> items;
      bool copied = false;
      for (size_t k = 0; k < v.list->size(); ++k) {
        const Value& item = (*v.list)[k];
        Value typed = Coerce(item, type.args[0], module);
        ok &= typed.ok();
        if (!copied && !Changed(item, typed)) continue;
        if (!copied) items.assign(v.list->begin(), v.list->begin() + static_cast<ptrdiff_t>(k));
        copied = true;
        items.push_back(std::move(typed));
      }
      if (copied) out.list = std::make_shared<const std::vector<Value>>(std::move(items));
    } else {
      std::shared_ptr<std::vector<Entry>> fields;
      for (size_t k = 0; k < v.fields->size(); ++k) {
        const Entry& e = (*v.fields)[k];
        Value typed = Coerce(e.value, type.args[0], module);
        ok &= typed.ok();
        if (!fields && !Changed(e.value, typed)) continue;
        if (!fields)
          fields = std::make_shared<std::vector<Entry>>(v.fields->begin(),
                                                        v.fields->begin() + static_cast<ptrdiff_t>(k));
        fields->push_back({e.key, e.key_span, std::move(typed)});
      }
      if (fields) out.fields = std::move(fields);
    }
    return ok ? out : Value{};
  }
  uint32_t rm = 0, rd = 0;
  if (!FindRecord(module, n, rm, rd)) {
    std::vector<std::string> candidates = BuiltinTypes();
    for (uint32_t m : {module, static_cast<uint32_t>(std::max(program_.prelude, 0))})
      for (const Decl& d : program_.modules[m].ast.decls)
        if (d.kind == DeclKind::Record || d.kind == DeclKind::Enum) candidates.push_back(d.name);
    Diagnostic& d = diags_.Error(DiagnosticKind::E0202, type.span, fmt::format("unknown type `{}`", n));
    std::string close = ClosestMatch(n, candidates);
    if (!close.empty()) d.DidYouMean(type.span, close);
    return {};
  }
  const Decl& decl = program_.modules[rm].ast.decls[rd];
  if (decl.kind == DeclKind::Enum) {
    if (v.kind == Kind::Enum && v.type == decl.name) return v;
    std::string members;
    for (const std::string& m : decl.members) members += (members.empty() ? "" : ", ") + m;
    return fail(fmt::format("the members of `{}` are: {}", decl.name, members));
  }
  return CoerceToRecord(v, n, module, v.span);
}

Value Evaluator::CoerceToRecord(const Value& v, const std::string& record, uint32_t module, Span at) {
  if (!v.ok()) return {};
  uint32_t rm = 0, rd = 0;
  if (!FindRecord(module, record, rm, rd)) {
    diags_.Error(DiagnosticKind::E0202, at, fmt::format("unknown record `{}`", record));
    return {};
  }
  const Decl& decl = program_.modules[rm].ast.decls[rd];
  if (v.kind == Kind::Map && v.type == decl.name) return v;
  if (v.kind != Kind::Map || !v.type.empty()) {
    diags_.Error(DiagnosticKind::E0202, v.span,
                 fmt::format("expected record {}, found {}", decl.name, Describe(v)))
        .Suggest(fmt::format("write it as {{ field = value, ... }}; `{}` is declared in `record {}`",
                             decl.name, decl.name));
    return {};
  }
  bool ok = true;
  std::vector<std::string> known;
  for (const Param& member : decl.params) known.push_back(member.name);
  for (const Entry& given : *v.fields) {
    if (std::find(known.begin(), known.end(), given.key) != known.end()) continue;
    Diagnostic& d = diags_.Error(DiagnosticKind::E0201, given.key_span,
                                 fmt::format("record {} has no field `{}`", decl.name, given.key));
    std::string close = ClosestMatch(given.key, known);
    if (!close.empty()) d.DidYouMean(given.key_span, close);
    else d.Note(decl.name_span, fmt::format("`{}` is declared here", decl.name));
    ok = false;
  }
  auto fields = std::make_shared<std::vector<Entry>>();
  for (const Param& member : decl.params) {
    const Entry* given = nullptr;
    for (const Entry& e : *v.fields)
      if (e.key == member.name) given = &e;
    bool optional = member.default_value != kNoExpr &&
                    program_.modules[rm].ast.expr(member.default_value).kind == ExprKind::None;
    Value value;
    if (given != nullptr) {
      value = given->value.kind == Kind::None && optional ? given->value
                                                          : Coerce(given->value, member.type, rm);
    } else if (member.default_value != kNoExpr) {
      value = Eval(rm, member.default_value);
      if (!optional) value = Coerce(value, member.type, rm);
    } else {
      diags_.Error(DiagnosticKind::E0205, at,
                   fmt::format("record {} needs the field `{}` ({})", decl.name, member.name, TypeText(member.type)))
          .Note(member.span, "declared here, without a default");
      ok = false;
      continue;
    }
    ok &= value.ok();
    fields->push_back({member.name, given ? given->key_span : member.span, value});
  }
  if (!ok) return {};
  Value out = v;
  out.type = decl.name;
  out.fields = std::move(fields);
  return out;
}

}  // namespace sparkc::eval
