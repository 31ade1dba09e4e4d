// Expressions: literals, names, members, indexing, calls of `fn`s and
// comprehensions. Operators are in ops.cpp, built-ins in builtins.cpp, type
// annotations and records in coerce.cpp, declarations in globals.cpp.
#include "compiler/eval/convert.h"
#include "compiler/eval/eval.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/template.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace sparkc::eval {
namespace {

constexpr int kMaxCallDepth = 64;

}  // namespace

const std::vector<std::string>& BuiltinNames() {
  static const std::vector<std::string> names = {
      "exec",  "shell",  "wait",     "manual",    "env",         "file",
      "len",   "sum",    "min",      "max",       "all",         "any",
      "count", "http.get", "tls.cert", "tcp.open", "file.exists", "file.size",
      "file.sha256", "http.request", "int", "float", "size", "duration", "version",
      "json", "trim", "lines", "split", "string", "gpu.devices", "gpu.conforms"};
  return names;
}

namespace {

bool IsBuiltin(const std::string& name) {
  const auto& names = BuiltinNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The result fields of probes, by the type name their Runtime value carries.
const std::vector<std::pair<std::string, Value>>& ProbeFields(const std::string& type) {
  static const std::map<std::string, std::vector<std::pair<std::string, Value>>> fields = [] {
    auto runtime = [](Kind k, Dimension d = Dimension::Duration) {
      Value v = MakeRuntime(k, "", 9);
      v.dim = d;
      return v;
    };
    std::map<std::string, std::vector<std::pair<std::string, Value>>> f;
    f["exec result"] = {{"exit", runtime(Kind::Int)}, {"stdout", runtime(Kind::String)},
                        {"stderr", runtime(Kind::String)}};
    f["http response"] = {{"status", runtime(Kind::Int)}, {"body", runtime(Kind::String)},
                          {"latency", runtime(Kind::Quantity, Dimension::Duration)}};
    f["tls certificate"] = {{"verified", runtime(Kind::Bool)}, {"days_left", runtime(Kind::Int)},
                            {"subject", runtime(Kind::String)}, {"issuer", runtime(Kind::String)},
                            {"error", runtime(Kind::String)}};
    f["gpu device"] = {{"index", runtime(Kind::Int)}, {"uuid", runtime(Kind::String)},
                       {"name", runtime(Kind::String)}, {"memory", runtime(Kind::Quantity, Dimension::Size)},
                       {"driver", runtime(Kind::Version)}, {"cuda", runtime(Kind::Version)},
                       {"mig", runtime(Kind::Bool)}, {"compute_capability", runtime(Kind::Version)}};
    return f;
  }();
  static const std::vector<std::pair<std::string, Value>> none;
  auto it = fields.find(type);
  return it == fields.end() ? none : it->second;
}

std::string RootName(const Module& ast, ExprId id) {
  while (ast.expr(id).kind == ExprKind::Member) id = ast.expr(id).children[0];
  return ast.expr(id).kind == ExprKind::Name ? ast.expr(id).text : "";
}

std::vector<std::string> FieldNames(const Value& v) {
  std::vector<std::string> out;
  if (v.fields)
    for (const Entry& e : *v.fields) out.push_back(e.key);
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const Value* Scope::Find(std::string_view name) const {
  for (const Scope* s = this; s != nullptr; s = s->parent)
    for (const auto& [key, value] : s->vars)
      if (key == name) return &value;
  return nullptr;
}

bool Evaluator::Spend(uint64_t units, Span span) {
  if (exhausted_) return false;
  work_ += units;
  if (work_ <= max_work_) return true;
  exhausted_ = true;
  diags_.Error(DiagnosticKind::E0110, span,
               fmt::format("evaluating the spec takes more than {} steps; this is where the limit was reached "
                           "(a function that calls itself more than once per call?)", max_work_));
  return false;
}

Value Evaluator::Eval(uint32_t module, ExprId id, const Scope* scope) {
  const Module& ast = program_.modules[module].ast;
  const Expr& e = ast.expr(id);
  Value v;
  if (!Spend(1, e.span)) return v;
  switch (e.kind) {
    case ExprKind::Name: v = Name(module, e, scope); break;
    case ExprKind::Member: {
      if ((scope == nullptr || !scope->Find(RootName(ast, id))) && Qualified(module, id, v)) break;
      v = Member(Eval(module, e.children[0], scope), e.text, e.span);
      break;
    }
    case ExprKind::List: {
      std::vector<Value> items;
      for (ExprId item : e.children) items.push_back(Eval(module, item, scope));
      v = MakeList(std::move(items));
      break;
    }
    case ExprKind::Map: {
      auto fields = std::make_shared<std::vector<Entry>>();
      for (const Field& f : e.fields) {
        bool twice = false;
        for (const Entry& seen : *fields) {
          if (seen.key != f.name) continue;
          diags_.Error(DiagnosticKind::E0106, f.name_span, fmt::format("field `{}` is set twice", f.name))
              .Note(seen.key_span, "first set here");
          twice = true;
        }
        if (!twice) fields->push_back({f.name, f.name_span, Eval(module, f.value, scope)});
      }
      v.kind = Kind::Map;
      v.fields = std::move(fields);
      break;
    }
    case ExprKind::Index: {
      Value object = Eval(module, e.children[0], scope);
      if (ast.expr(e.children[1]).kind == ExprKind::Star) {
        if (object.kind == Kind::StepGroup) {
          v = MakeList(*object.list);
        } else {
          if (object.ok())
            diags_.Error(DiagnosticKind::E0202, e.span,
                         fmt::format("`[*]` selects every instance of a fan-out step, found {}", Describe(object)));
          v = {};
        }
        break;
      }
      v = Index(object, Eval(module, e.children[1], scope), e.span);
      break;
    }
    case ExprKind::Call: v = Call(module, e, scope); break;
    case ExprKind::Unary: v = Unary(e.text, Eval(module, e.children[0], scope), e.span); break;
    case ExprKind::Binary: {
      Value lhs = Eval(module, e.children[0], scope);
      // and/or do not evaluate the right side when the left decides.
      if ((e.text == "and" || e.text == "or") && lhs.kind == Kind::Bool &&
          lhs.i == (e.text == "or")) {
        v = lhs;
        break;
      }
      v = Binary(e.text, lhs, Eval(module, e.children[1], scope), e.span);
      break;
    }
    case ExprKind::If: {
      Value cond = Eval(module, e.children[0], scope);
      if (!cond.ok()) break;
      if (cond.kind != Kind::Bool) {
        diags_.Error(DiagnosticKind::E0202, ast.expr(e.children[0]).span,
                     fmt::format("`if` needs a static bool, found {}", Describe(cond)))
            .Suggest(cond.kind == Kind::Runtime ? "an `if` is decided at compile time; combine probes with and/or"
                                                : "compare it: if x > 0 then ...");
        break;
      }
      v = Eval(module, e.children[cond.i ? 1 : 2], scope);
      break;
    }
    case ExprKind::Interpolation: v = Interpolate(module, e, scope); break;
    case ExprKind::Aggregate: case ExprKind::ListComp: v = Comprehension(module, e, scope); break;
    case ExprKind::Star:
      diags_.Error(DiagnosticKind::E0202, e.span, "`*` only selects fan-out instances: `step_name[*]`");
      break;
    default: v = Literal(ast, e); break;
  }
  v.span = e.span;
  return v;
}

Value Evaluator::Literal(const Module& ast, const Expr& e) {
  Value v;
  switch (e.kind) {
    case ExprKind::Int: return MakeInt(e.int_value);
    case ExprKind::Bool: return MakeBool(e.int_value != 0);
    case ExprKind::String: return MakeString(e.text);
    case ExprKind::None: v.kind = Kind::None; return v;
    case ExprKind::Percent: v.kind = Kind::Percent; v.i = e.int_value; return v;
    case ExprKind::Irreversible: v.kind = Kind::Irreversible; v.s = e.text; return v;
    case ExprKind::Float: {
      v.kind = Kind::Float;
      std::from_chars(e.text.data(), e.text.data() + e.text.size(), v.f);
      return v;
    }
    case ExprKind::Version: {
      v.kind = Kind::Version;
      v.s = "v" + e.text;  // as written: driver versions keep their zeros (535.54.03)
      std::string_view rest = e.text;
      while (!rest.empty()) {
        size_t dot = rest.find('.');
        std::string_view part = rest.substr(0, dot);
        int64_t n = 0;
        auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
        if (ec != std::errc()) {
          diags_.Error(DiagnosticKind::E0009, e.span, "a version component does not fit in 64 bits");
          return {};
        }
        v.version.push_back(n);
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
      }
      return v;
    }
    case ExprKind::Quantity: {
      Quantity q;
      switch (MakeQuantity(e.text, e.unit, q)) {
        case QuantityError::None: return eval::MakeQuantity(q.dimension, q.value);
        case QuantityError::UnknownUnit: {
          Diagnostic& d = diags_.Error(DiagnosticKind::E0203, e.span, fmt::format("unknown unit `{}`", e.unit));
          std::string close = ClosestMatch(e.unit, UnitNames());
          Quantity guess;
          if (!close.empty() && MakeQuantity("1", close, guess) == QuantityError::None) {
            d.DidYouMean(e.span, fmt::format("{} {}", e.text, close));
            d.Note({}, fmt::format("the units of a {} are {}", DimensionName(guess.dimension),
                                   convert::UnitsOf(guess.dimension)));
          } else {
            std::string all;
            for (Dimension dim : {Dimension::Duration, Dimension::Size, Dimension::Cpu, Dimension::Bandwidth})
              all += fmt::format("{}{}: {}", all.empty() ? "" : "; ", DimensionName(dim), convert::UnitsOf(dim));
            d.Note({}, "the units are " + all);
          }
          return {};
        }
        case QuantityError::Overflow:
          diags_.Error(DiagnosticKind::E0204, e.span,
                       fmt::format("`{} {}` does not fit in a 64-bit count of its base unit", e.text, e.unit));
          return {};
        case QuantityError::NotWhole:
          diags_.Error(DiagnosticKind::E0204, e.span,
                       fmt::format("`{} {}` is not a whole number of the base unit", e.text, e.unit))
              .Suggest("use a smaller unit");
          return {};
      }
      return {};
    }
    default:
      (void)ast;
      return {};
  }
}

Value Evaluator::Name(uint32_t module, const Expr& e, const Scope* scope) {
  if (scope != nullptr)
    if (const Value* local = scope->Find(e.text)) return *local;
  Value v = Lookup(module, e.text, e.span, false);
  if (v.ok()) return v;
  if (!v.s.empty()) return {};  // reported where it was declared
  // Unknown: suggest among everything visible here.
  std::vector<std::string> candidates;
  for (const Scope* s = scope; s != nullptr; s = s->parent)
    for (const auto& [name, value] : s->vars) candidates.push_back(name);
  for (const auto& [name, decl] : names_.globals[module]) candidates.push_back(name);
  if (program_.prelude >= 0)
    for (const auto& [name, decl] : names_.globals[program_.prelude]) candidates.push_back(name);
  for (const auto& [alias, target] : program_.modules[module].imports) candidates.push_back(alias);
  for (const char* c : {"services", "steps", "hardware", "environments", "noop"}) candidates.push_back(c);
  for (const std::string& b : BuiltinNames()) candidates.push_back(b);
  Diagnostic& d = diags_.Error(DiagnosticKind::E0102, e.span, fmt::format("unknown name `{}`", e.text));
  std::erase(candidates, e.text);
  bool version_like = e.text.size() > 1 && e.text[0] == 'v' &&
                      e.text.find_first_not_of("0123456789", 1) == std::string::npos;
  std::string close = ClosestMatch(e.text, candidates);
  if (version_like) d.Suggest(fmt::format("a version has at least two components: `{}.0`", e.text));
  else if (!close.empty()) d.DidYouMean(e.span, close);
  return {};
}

// Returns Error with an empty `s` when the name is unknown (unreported), and
// Error with s = "reported" when evaluating it failed.
Value Evaluator::Lookup(uint32_t module, const std::string& name, Span span, bool report) {
  auto global = [&](uint32_t m) -> std::optional<Value> {
    auto it = names_.globals[m].find(name);
    if (it == names_.globals[m].end()) return std::nullopt;
    Value v = Global(m, it->second);
    if (!v.ok()) v.s = "reported";
    return v;
  };
  if (auto v = global(module)) return *v;
  if (auto it = program_.modules[module].imports.find(name); it != program_.modules[module].imports.end()) {
    Value v;
    v.kind = Kind::Module;
    v.i = it->second;
    return v;
  }
  if (program_.prelude >= 0 && static_cast<uint32_t>(program_.prelude) != module)
    if (auto v = global(program_.prelude)) return *v;
  // A bare enum member: `nvme` for `Tier.nvme`, when one enum has it.
  for (uint32_t m : {module, static_cast<uint32_t>(std::max(program_.prelude, 0))}) {
    for (const Decl& decl : program_.modules[m].ast.decls) {
      if (decl.kind != DeclKind::Enum) continue;
      if (std::find(decl.members.begin(), decl.members.end(), name) == decl.members.end()) continue;
      Value v;
      v.kind = Kind::Enum;
      v.type = decl.name;
      v.s = name;
      return v;
    }
  }
  if (name == "noop") {
    Value v;
    v.kind = Kind::Action;
    v.action = std::make_shared<plan::Action>();
    return v;
  }
  if (name == "services" || name == "steps" || name == "hardware" || name == "environments")
    return Collection(name, span);
  if (report) diags_.Error(DiagnosticKind::E0102, span, fmt::format("unknown name `{}`", name));
  return {};
}

// `alias.name...` where `alias` (possibly dotted, like `std.gpu`) is an import.
bool Evaluator::Qualified(uint32_t module, ExprId id, Value& out) {
  const ModuleUnit& unit = program_.modules[module];
  std::string dotted = DottedName(unit.ast, id);
  if (dotted.empty()) return false;
  std::string root = dotted.substr(0, dotted.find('.'));
  if (names_.globals[module].contains(root)) return false;
  size_t best = 0;
  uint32_t target = 0;
  for (const auto& [alias, index] : unit.imports) {
    if (dotted.size() > alias.size() && dotted.compare(0, alias.size(), alias) == 0 &&
        dotted[alias.size()] == '.' && alias.size() > best) {
      best = alias.size();
      target = index;
    }
  }
  if (best == 0) return false;
  Span span = unit.ast.expr(id).span;
  std::string rest = dotted.substr(best + 1);
  size_t dot = rest.find('.');
  std::string first = rest.substr(0, dot);
  auto it = names_.globals[target].find(first);
  if (it == names_.globals[target].end()) {
    std::vector<std::string> candidates;
    for (const auto& [name, decl] : names_.globals[target]) candidates.push_back(name);
    Diagnostic& d = diags_.Error(DiagnosticKind::E0102, span,
                                 fmt::format("module `{}` has no `{}`", dotted.substr(0, best), first));
    std::string close = ClosestMatch(first, candidates);
    if (!close.empty())
      d.DidYouMean(span, fmt::format("{}.{}{}", dotted.substr(0, best), close,
                                     dot == std::string::npos ? "" : rest.substr(dot)));
    out = {};
    return true;
  }
  out = Global(target, it->second);
  while (dot != std::string::npos && out.ok()) {
    size_t next = rest.find('.', dot + 1);
    out = Member(out, rest.substr(dot + 1, next - dot - 1), span);
    dot = next;
  }
  return true;
}

Value Evaluator::Member(const Value& object, const std::string& name, Span span) {
  if (object.kind == Kind::Runtime && object.type == kStepOutputsType) return StepOutput(object, name, span);
  if (object.kind == Kind::Runtime) {
    Value out;
    if (RuntimeMember(object, name, span, out)) return out;
  }
  switch (object.kind) {
    case Kind::Error: return {};
    case Kind::Step:
      if (name == "outputs") return StepOutputs(object, span);
      break;
    case Kind::Version:
      if (name == "major" || name == "minor" || name == "patch")
        return MakeInt(object.version.size() > (name == "major" ? 0u : name == "minor" ? 1u : 2u)
                           ? object.version[name == "major" ? 0 : name == "minor" ? 1 : 2]
                           : 0,
                       span);
      if (name == "bare") return MakeString(Show(object).substr(1), span);
      break;
    case Kind::Map: {
      if (const Value* field = object.Field(name)) return *field;
      Diagnostic& d = diags_.Error(DiagnosticKind::E0201, span,
                                   fmt::format("{} has no field `{}`", TypeName(object), name));
      std::string close = ClosestMatch(name, FieldNames(object));
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
      else d.Note({}, fmt::format("its fields are: {}", JoinNames(FieldNames(object))));
      return {};
    }
    case Kind::Module: {
      auto it = names_.globals[object.i].find(name);
      if (it != names_.globals[object.i].end()) return Global(object.i, it->second);
      diags_.Error(DiagnosticKind::E0102, span, fmt::format("the module has no `{}`", name));
      return {};
    }
    case Kind::Type: {
      const Decl& decl = program_.modules[object.i].ast.decls[std::stoul(object.s)];
      if (decl.kind == DeclKind::Enum) {
        if (std::find(decl.members.begin(), decl.members.end(), name) != decl.members.end()) {
          Value v;
          v.kind = Kind::Enum;
          v.type = decl.name;
          v.s = name;
          return v;
        }
        Diagnostic& d = diags_.Error(DiagnosticKind::E0201, span,
                                     fmt::format("enum `{}` has no member `{}`", decl.name, name));
        std::string close = ClosestMatch(name, decl.members);
        if (!close.empty()) d.Suggest(fmt::format("did you mean `{}.{}`?", decl.name, close));
        else d.Note({}, fmt::format("its members are: {}", JoinNames(decl.members)));
        return {};
      }
      break;
    }
    case Kind::Action:
      if (object.action->kind == plan::Action::Kind::Exec || object.action->kind == plan::Action::Kind::Shell) {
        Value result = MakeRuntime(Kind::Map, PrintAction(*object.action), 9);
        result.type = "exec result";
        return Member(result, name, span);
      }
      break;
    case Kind::Runtime:
      if (object.rt == Kind::Map) {
        for (const auto& [field, shape] : ProbeFields(object.type)) {
          if (field != name) continue;
          Value v = shape;
          v.s = (object.prec < 9 ? "(" + object.s + ")" : object.s) + "." + name;
          return v;
        }
        std::vector<std::string> fields;
        for (const auto& [field, shape] : ProbeFields(object.type)) fields.push_back(field);
        diags_.Error(DiagnosticKind::E0201, span, fmt::format("{} has no field `{}`", object.type, name))
            .Suggest(fmt::format("its fields are: {}", JoinNames(fields)));
        return {};
      }
      break;
    default: break;
  }
  diags_.Error(DiagnosticKind::E0202, span,
               fmt::format("{} has no fields; found `.{}`", Describe(object), name));
  return {};
}

Value Evaluator::Index(const Value& object, const Value& index, Span span) {
  if (!object.ok() || !index.ok()) return {};
  if (Value out; RuntimeIndex(object, index, span, out)) return out;
  if (object.kind == Kind::StepGroup) {
    std::string key = InstanceKey(index);
    std::vector<std::string> keys;
    for (const Value& step : *object.list) {
      if (step.s == object.s + "[" + key + "]") return step;
      keys.push_back(step.s.substr(object.s.size() + 1, step.s.size() - object.s.size() - 2));
    }
    Diagnostic& d = diags_.Error(DiagnosticKind::E0302, span,
                                 fmt::format("fan-out `{}` has no instance `{}`", object.s, key));
    std::string close = ClosestMatch(key, keys);
    if (!close.empty()) d.Suggest(fmt::format("did you mean `{}[{}]`?", object.s, close));
    else d.Note({}, fmt::format("its instances are: {}", JoinNames(keys)));
    return {};
  }
  if (object.kind == Kind::List && index.kind == Kind::Int) {
    if (index.i >= 0 && static_cast<size_t>(index.i) < object.list->size()) return (*object.list)[index.i];
    diags_.Error(DiagnosticKind::E0208, span,
                 fmt::format("index {} is out of range: the list has {} items", index.i, object.list->size()));
    return {};
  }
  if (object.kind == Kind::Map && index.kind == Kind::String) return Member(object, index.s, span);
  diags_.Error(DiagnosticKind::E0202, span,
               fmt::format("cannot index {} with {}", Describe(object), Describe(index)));
  return {};
}

Value Evaluator::Call(uint32_t module, const Expr& e, const Scope* scope) {
  const Module& ast = program_.modules[module].ast;
  std::string callee = DottedName(ast, e.children[0]);
  std::string root = callee.substr(0, callee.find('.'));
  bool shadowed = (scope != nullptr && scope->Find(root) != nullptr) ||
                  names_.globals[module].contains(root) ||
                  program_.modules[module].imports.contains(root);
  if (!callee.empty() && IsBuiltin(callee) && !shadowed) return Builtin(callee, module, e, scope);
  bool probe_family = root == "file" || root == "http" || root == "tls" || root == "tcp" || root == "gpu";
  if (probe_family && !shadowed && callee != root) {
    Diagnostic& d = diags_.Error(DiagnosticKind::E0102, ast.expr(e.children[0]).span,
                                 fmt::format("unknown probe `{}`", callee));
    std::string close = ClosestMatch(callee, BuiltinNames());
    if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
    return {};
  }
  Value fn = Eval(module, e.children[0], scope);
  if (!fn.ok()) return {};
  if (fn.kind == Kind::Template) {
    diags_.Error(DiagnosticKind::E0202, e.span,
                 fmt::format("template `{}` makes steps; instantiate it with `step name = {}(...)`", callee, callee));
    return {};
  }
  if (fn.kind != Kind::Function) {
    diags_.Error(DiagnosticKind::E0202, e.span, fmt::format("{} is not a function", Describe(fn)));
    return {};
  }
  if (e.has_options) {
    diags_.Error(DiagnosticKind::E0209, e.span, "a `fn` takes no `{ ... }` options");
    return {};
  }
  std::vector<Value> args;
  for (size_t k = 1; k < e.children.size(); ++k) args.push_back(Eval(module, e.children[k], scope));
  return CallFunction(fn, args, e.arg_names, e.span);
}

// Binds arguments to parameters by position, then by name; fills defaults.
// Shared by `fn` calls and template instantiation (see check/).
Value Evaluator::CallFunction(const Value& fn, const std::vector<Value>& args,
                              const std::vector<std::string>& arg_names, Span span) {
  uint32_t module = static_cast<uint32_t>(fn.i);
  const Decl& decl = program_.modules[module].ast.decls[std::stoul(fn.s)];
  Scope scope;
  if (!BindArguments(decl, module, args, arg_names, span, scope)) return {};
  if (call_depth_ >= kMaxCallDepth) {
    diags_.Error(DiagnosticKind::E0109, span,
                 fmt::format("calls nest more than {} deep (does `{}` call itself without end?)",
                             kMaxCallDepth, decl.name));
    return {};
  }
  ++call_depth_;
  size_t reported = diags_.size();
  Value result = Eval(module, decl.value, &scope);
  --call_depth_;
  // An error inside a function (a stdlib one, most often) points at the
  // function's body; the call that led there is the user's line. Each frame
  // unwound moves the note out, so it ends at the outermost call.
  for (size_t k = reported; k < diags_.size(); ++k) {
    Diagnostic& d = diags_.at(k);
    std::string text = fmt::format("in the call of `{}` here", decl.name);
    auto call = std::find_if(d.notes.begin(), d.notes.end(),
                             [](const DiagnosticNote& n) { return n.message.starts_with("in the call of `"); });
    if (call != d.notes.end()) *call = {span, std::move(text)};
    else d.Note(span, std::move(text));
  }
  if (!result.ok()) return {};
  Value typed = Coerce(result, decl.type, module);
  typed.span = span;
  return typed;
}

bool Evaluator::BindArguments(const Decl& decl, uint32_t module, const std::vector<Value>& args,
                              const std::vector<std::string>& arg_names, Span span, Scope& scope) {
  std::vector<std::optional<Value>> bound(decl.params.size());
  bool ok = true;
  size_t positional = 0;
  for (size_t k = 0; k < args.size(); ++k) {
    if (!args[k].ok()) {
      // Already reported; it still fills its place, so the others bind as written.
      ok = false;
      if (arg_names[k].empty() && positional < bound.size()) bound[positional++] = args[k];
      for (size_t p = 0; p < decl.params.size(); ++p)
        if (!arg_names[k].empty() && decl.params[p].name == arg_names[k]) bound[p] = args[k];
      continue;
    }
    size_t slot = positional;
    if (!arg_names[k].empty()) {
      slot = decl.params.size();
      for (size_t p = 0; p < decl.params.size(); ++p)
        if (decl.params[p].name == arg_names[k]) slot = p;
      if (slot == decl.params.size()) {
        std::vector<std::string> params;
        for (const Param& p : decl.params) params.push_back(p.name);
        Diagnostic& d = diags_.Error(DiagnosticKind::E0209, args[k].span,
                                     fmt::format("`{}` has no parameter `{}`", decl.name, arg_names[k]));
        std::string close = ClosestMatch(arg_names[k], params);
        if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
        ok = false;
        continue;
      }
    } else {
      ++positional;
    }
    if (slot >= decl.params.size()) {
      diags_.Error(DiagnosticKind::E0209, args[k].span,
                   fmt::format("`{}` takes {} argument{}, found {}", decl.name, decl.params.size(),
                               decl.params.size() == 1 ? "" : "s", args.size()))
          .Note(decl.name_span, "declared here");
      return false;
    }
    if (bound[slot]) {
      diags_.Error(DiagnosticKind::E0209, args[k].span,
                   fmt::format("parameter `{}` is given twice", decl.params[slot].name));
      ok = false;
      continue;
    }
    Value typed = Coerce(args[k], decl.params[slot].type, module);
    ok &= typed.ok();
    bound[slot] = typed;
  }
  for (size_t p = 0; p < decl.params.size(); ++p) {
    if (bound[p]) continue;
    if (decl.params[p].default_value != kNoExpr) {
      bound[p] = Eval(module, decl.params[p].default_value, &scope);
      continue;
    }
    diags_.Error(DiagnosticKind::E0209, span,
                 fmt::format("`{}` needs the argument `{}` ({})", decl.name, decl.params[p].name,
                             decl.params[p].type.name))
        .Note(decl.params[p].span, "declared here");
    ok = false;
  }
  if (!ok) return false;
  for (size_t p = 0; p < decl.params.size(); ++p) scope.vars.emplace_back(decl.params[p].name, *bound[p]);
  return true;
}

Value Evaluator::Interpolate(uint32_t module, const Expr& e, const Scope* scope) {
  std::vector<Value> parts;
  for (ExprId part : e.children) parts.push_back(Eval(module, part, scope));
  // With a runtime value among the parts (an output, a probe's field) the
  // string is known when the plan runs:
  // a residual that joins the parts' texts, `string(x)` as `${x}` writes it.
  if (std::any_of(parts.begin(), parts.end(),
                  [](const Value& v) { return v.kind == Kind::Runtime && !OutputType(v).empty(); })) {
    std::string residual;
    bool ok = true;
    for (const Value& part : parts) {
      std::string text;
      if (part.kind == Kind::Runtime && OutputType(part).empty()) ok &= TextOf(part, TextUse::Interpolation, text);
      else if (part.kind == Kind::Runtime) text = Shape(part).kind == Kind::String ? part.s : "string(" + part.s + ")";
      else if (TextOf(part, TextUse::Interpolation, text)) text = QuoteString(text);
      else ok = false;
      residual += (residual.empty() ? "" : " + ") + (part.kind == Kind::Runtime && part.prec < 5 ? "(" + text + ")" : text);
    }
    return ok ? MakeRuntime(Kind::String, residual, parts.size() > 1 ? 4 : 9, e.span) : Value{};
  }
  std::string out;
  bool ok = true;
  for (const Value& part : parts) ok &= TextOf(part, TextUse::Interpolation, out);
  if (ok && out.size() > kMaxStringBytes) {
    diags_.Error(DiagnosticKind::E0010, e.span,
                 fmt::format("this string would be {} bytes; the limit is {} bytes", out.size(), kMaxStringBytes));
    return {};
  }
  return ok ? MakeString(std::move(out)) : Value{};
}

// How a value becomes text in a string or an argv element; secrets never do
// (they would be readable in the plan, logs and /proc), nor do probes.
bool Evaluator::TextOf(const Value& v, TextUse use, std::string& out) {
  bool argv = use == TextUse::Argv;
  switch (v.kind) {
    case Kind::Error: return false;
    case Kind::String: case Kind::Enum: out += argv ? plan::EscapeTemplateText(v.s) : v.s; return true;
    case Kind::Step: case Kind::Phase: case Kind::Bool:
      if (argv) break;
      out += Show(v);
      return true;
    case Kind::Int: case Kind::Float: case Kind::Quantity: case Kind::Percent: out += Show(v); return true;
    case Kind::Version: out += Show(v); return true;  // one text everywhere; `.bare` drops the `v`
    case Kind::Secret:
      diags_.Error(DiagnosticKind::E0403, v.span,
                   argv ? "a secret cannot be an argument of `exec`" : "a secret cannot be interpolated into a string")
          .Note({}, argv ? "the argument vector of a process is visible to every user through /proc"
                         : "strings end up in argv, logs and the plan, where every user can read them")
          .Suggest(argv ? "pass it in the environment or on stdin: exec(...) { env = { NAME = secret } }"
                        : "pass the secret on its own: exec(...) { env = { NAME = secret } } or stdin = secret");
      return false;
    case Kind::Runtime:
      if (argv && UsesOutputs(v) && !OutputType(v).empty()) {
        out += plan::Placeholder(v.s);
        return true;
      }
      if (argv) return RequireStatic(v, "an argument of `exec`");
      diags_.Error(DiagnosticKind::E0212, v.span,
                   fmt::format("{} is only known when the plan runs; it cannot be part of a string", TypeName(v)));
      return false;
    default: break;
  }
  diags_.Error(DiagnosticKind::E0202, v.span,
               argv ? fmt::format("an argument of `exec` must be a string, found {}", Describe(v))
                    : fmt::format("cannot interpolate {} into a string", Describe(v)));
  return false;
}

std::vector<Element> Evaluator::Elements(uint32_t module, const Expr& e, const Scope* scope) {
  size_t first = e.kind == ExprKind::Aggregate ? 1 : 0;
  std::vector<Element> out;
  Value source = Eval(module, e.children[first + 1], scope);
  if (!source.ok()) return {};
  if (source.kind == Kind::StepGroup) source = MakeList(*source.list, source.span);
  if (source.kind != Kind::List) {
    diags_.Error(DiagnosticKind::E0202, source.span,
                 fmt::format("`for ... in` needs a list, found {}", Describe(source)));
    return {};
  }
  Scope inner{scope, {{e.text, {}}}};
  for (const Value& item : *source.list) {
    inner.vars[0].second = item;
    if (e.children.size() > first + 2) {
      Value keep = Eval(module, e.children[first + 2], &inner);
      if (!keep.ok()) return {};
      if (keep.kind != Kind::Bool) {
        diags_.Error(DiagnosticKind::E0202, keep.span,
                     fmt::format("the `if` of a comprehension needs a static bool, found {}", Describe(keep)));
        return {};
      }
      if (!keep.i) continue;
    }
    Value element = Eval(module, e.children[first], &inner);
    if (!element.ok()) return {};
    out.push_back({item, element});
  }
  return out;
}

Value Evaluator::Comprehension(uint32_t module, const Expr& e, const Scope* scope) {
  size_t errors = diags_.error_count();
  std::vector<Element> elements = Elements(module, e, scope);
  if (diags_.error_count() != errors) return {};
  std::vector<Value> values;
  for (Element& el : elements) values.push_back(std::move(el.value));
  if (e.kind == ExprKind::ListComp) return MakeList(std::move(values));
  const Module& ast = program_.modules[module].ast;
  const Expr& callee = ast.expr(e.children[0]);
  std::string name = callee.kind == ExprKind::Name ? callee.text : "";
  static const std::vector<std::string> kAggregates = {"sum", "all", "any", "count", "min", "max"};
  if (std::find(kAggregates.begin(), kAggregates.end(), name) == kAggregates.end()) {
    Diagnostic& d = diags_.Error(DiagnosticKind::E0209, callee.span,
                                 fmt::format("`{}` does not take a comprehension", PrintExpr(ast, e.children[0])));
    std::string close = ClosestMatch(name, kAggregates);
    d.Suggest(close.empty() ? "the aggregates are sum, all, any, count, min and max"
                            : fmt::format("did you mean `{}`?", close));
    return {};
  }
  return Aggregate(name, values, e.span);
}

Value Evaluator::Collection(const std::string& name, Span span) {
  DeclKind want = name == "services" ? DeclKind::Service
                : name == "hardware" ? DeclKind::Hardware
                : name == "environments" ? DeclKind::Environment : DeclKind::Step;
  std::vector<Value> items;
  for (uint32_t m = 0; m < program_.modules.size(); ++m) {
    const auto& decls = program_.modules[m].ast.decls;
    for (uint32_t d = 0; d < decls.size(); ++d) {
      bool match = decls[d].kind == want || (want == DeclKind::Step && decls[d].kind == DeclKind::Gate);
      if (!match || names_.globals[m].at(decls[d].name) != d) continue;
      Value v = Global(m, d);
      if (!v.ok()) return {};
      if (v.kind == Kind::StepGroup) items.insert(items.end(), v.list->begin(), v.list->end());
      else items.push_back(v);
    }
  }
  return MakeList(std::move(items), span);
}

}  // namespace sparkc::eval
