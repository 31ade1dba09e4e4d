// Step outputs as later steps see them, and the conversions that make them
// (`int`, `json`, `trim`, ...): a constant argument is converted now, a
// runtime one becomes a residual the runtime evaluates with the same rules
// (compiler/eval/convert.h).
#include <fmt/format.h>

#include "compiler/eval/convert.h"
#include "compiler/eval/eval.h"
#include "compiler/parse/residual.h"
#include "compiler/plan/template.h"

namespace sparkc::eval {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Value Runtime(Kind rt, std::string residual, Span span, Dimension dim = Dimension::Duration) {
  Value v = MakeRuntime(rt, std::move(residual), 9, span);
  v.dim = dim;
  return v;
}

std::string Wrapped(const Value& v) { return v.prec < 9 ? "(" + v.s + ")" : v.s; }

// A static JSON document as spec values: objects are maps, arrays lists.
Value FromJson(const nlohmann::json& j, Span span) {
  Value v;
  v.span = span;
  switch (j.type()) {
    case nlohmann::json::value_t::null: v.kind = Kind::None; return v;
    case nlohmann::json::value_t::boolean: return MakeBool(j.get<bool>(), span);
    case nlohmann::json::value_t::number_integer: return MakeInt(j.get<int64_t>(), span);
    case nlohmann::json::value_t::number_unsigned:
      if (j.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) return MakeInt(j.get<int64_t>(), span);
      [[fallthrough]];
    case nlohmann::json::value_t::number_float: v.kind = Kind::Float; v.f = j.get<double>(); return v;
    case nlohmann::json::value_t::string: return MakeString(j.get<std::string>(), span);
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      for (const auto& item : j) items.push_back(FromJson(item, span));
      return MakeList(std::move(items), span);
    }
    default: {
      auto fields = std::make_shared<std::vector<Entry>>();
      for (const auto& [key, value] : j.items()) fields->push_back({key, span, FromJson(value, span)});
      v.kind = Kind::Map;
      v.fields = std::move(fields);
      return v;
    }
  }
}

}  // namespace

std::string OutputType(const Value& v) {
  Kind k = v.kind == Kind::Runtime ? v.rt : v.kind;
  switch (k) {
    case Kind::String: return "string";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Bool: return "bool";
    case Kind::Version: return "version";
    case Kind::Json: return "json";
    case Kind::Quantity: return std::string(DimensionName(v.dim));
    default: return "";
  }
}

Value Evaluator::OutputValue(const std::string& step, const plan::Output& out, Span span) {
  std::string residual = fmt::format("{}({}, {})", kOutputFunction, QuoteString(step), QuoteString(out.name));
  for (Dimension d : {Dimension::Duration, Dimension::Size, Dimension::Cpu, Dimension::Bandwidth})
    if (out.type == DimensionName(d)) return Runtime(Kind::Quantity, residual, span, d);
  Kind k = out.type == "int" ? Kind::Int : out.type == "float" ? Kind::Float : out.type == "bool" ? Kind::Bool
         : out.type == "version" ? Kind::Version : out.type == "json" ? Kind::Json : Kind::String;
  return Runtime(k, residual, span);
}

Value Evaluator::StepOutputs(const Value& step, Span span) {
  if (evaluating_outputs_) {
    diags_.Error(DiagnosticKind::E0213, span,
                 fmt::format("an output is taken from its own step's result, not from `{}.outputs`", step.s))
        .Suggest("use the value in the step itself, or give this step `after = [" + step.s + "]` and use it in `do`");
    return {};
  }
  if (!outputs_of_) {
    // Invariants, preconditions, windows and constants are not steps:
    // nothing orders them after the step that makes the value.
    diags_.Error(DiagnosticKind::E0213, span,
                 fmt::format("`{}.outputs` is known only to the steps that run after `{}`", step.s, step.s))
        .Suggest(fmt::format("check it in a step: step ... {{ after = [{}]; check = ... }}", step.s));
    return {};
  }
  Value v = MakeRuntime(Kind::Map, step.s, 9, span);
  v.type = kStepOutputsType;
  return v;
}

Value Evaluator::StepOutput(const Value& outputs, const std::string& name, Span span) {
  const std::vector<plan::Output>* declared = outputs_of_ ? outputs_of_(outputs.s) : nullptr;
  std::vector<std::string> names;
  if (declared != nullptr)
    for (const plan::Output& out : *declared) {
      // No name: the outputs failed; no type: this one did (both reported).
      if (out.name.empty() || (out.name == name && out.type.empty())) return {};
      if (out.name == name) return OutputValue(outputs.s, out, span);
      names.push_back(out.name);
    }
  Diagnostic& d = diags_.Error(DiagnosticKind::E0201, span, fmt::format("step `{}` has no output `{}`", outputs.s, name));
  std::string close = ClosestMatch(name, names);
  if (!close.empty()) d.Suggest(fmt::format("did you mean `{}.outputs.{}`?", outputs.s, close));
  else if (names.empty())
    d.Note({}, fmt::format("`{}` declares no outputs; name them in the step: outputs = {{ {} = trim(stdout) }}",
                           outputs.s, name));
  else d.Note({}, fmt::format("its outputs are: {}", JoinNames(names)));
  return {};
}

bool UsesOutputs(const Value& v) { return v.kind == Kind::Runtime && !ResidualInputs(v.s).empty(); }

// The members of runtime values that are not probe results: a version's
// parts, a JSON document's members.
bool Evaluator::RuntimeMember(const Value& object, const std::string& name, Span span, Value& out) {
  if (object.rt == Kind::Json) {
    out = Runtime(Kind::Json, Wrapped(object) + "." + name, span);
    return true;
  }
  if (object.rt == Kind::Version && (name == "major" || name == "minor" || name == "patch")) {
    out = Runtime(Kind::Int, Wrapped(object) + "." + name, span);
    return true;
  }
  if (object.rt == Kind::Version && name == "bare") {
    out = Runtime(Kind::String, Wrapped(object) + "." + name, span);
    return true;
  }
  return false;
}

bool Evaluator::RuntimeIndex(const Value& object, const Value& index, Span span, Value& out) {
  if (object.kind != Kind::Runtime || index.kind == Kind::Runtime) return false;
  bool json = object.rt == Kind::Json && (index.kind == Kind::Int || index.kind == Kind::String);
  bool list = object.rt == Kind::List && index.kind == Kind::Int;
  if (!json && !list) return false;
  // A list of probe records (gpu.devices()) gives a record; lines() and split() give strings.
  Kind item = json ? Kind::Json : object.type.empty() ? Kind::String : Kind::Map;
  out = Runtime(item, Wrapped(object) + "[" + eval::Literal(index) + "]", span);
  if (item == Kind::Map) out.type = object.type;
  return true;
}

Value Evaluator::Conversion(const std::string& name, const std::vector<Value>& args, Span span) {
  size_t want = name == "split" ? 2 : 1;
  if (args.size() != want) {
    diags_.Error(DiagnosticKind::E0209, span,
                 fmt::format("`{}` takes {} argument{}, found {}", name, want, want == 1 ? "" : "s", args.size()));
    return {};
  }
  const Value& arg = args[0];
  Value shape = Shape(arg);
  bool text = shape.kind == Kind::String || shape.kind == Kind::Json;
  auto refuse = [&](const char* expected) {
    diags_.Error(DiagnosticKind::E0202, arg.span,
                 fmt::format("`{}` takes {}, found {}", name, expected, Describe(arg)));
    return Value{};
  };
  auto failed = [&](const std::string& error) {
    diags_.Error(DiagnosticKind::E0208, arg.span, fmt::format("`{}` cannot convert this: {}", name, error));
    return Value{};
  };
  auto residual = [&](Kind rt, Dimension dim = Dimension::Duration) {
    std::string args_text = arg.s;
    if (want == 2) args_text += ", " + (args[1].kind == Kind::Runtime ? args[1].s : eval::Literal(args[1]));
    return Runtime(rt, fmt::format("{}({})", name, args_text), span, dim);
  };
  std::string error;
  if (name == "string") {
    if (arg.kind == Kind::Runtime) return shape.kind == Kind::String ? arg : residual(Kind::String);
    std::string out;
    if (!TextOf(arg, TextUse::Interpolation, out)) return {};
    return MakeString(std::move(out), span);
  }
  if (name == "int" || name == "float") {
    bool number = shape.kind == Kind::Int || shape.kind == Kind::Float;
    if (!text && !number) return refuse("a string or a number");
    if (arg.kind == Kind::Runtime) return residual(name == "int" ? Kind::Int : Kind::Float);
    if (name == "int") {
      if (arg.kind == Kind::Int) return arg;
      int64_t n = 0;
      if (arg.kind == Kind::Float) return failed("a float is not converted to an int (it would round); compare it instead");
      if (!convert::ToInt(arg.s, n, error)) return failed(error);
      return MakeInt(n, span);
    }
    Value v;
    v.kind = Kind::Float;
    v.span = span;
    if (arg.kind == Kind::Int) v.f = static_cast<double>(arg.i);
    else if (arg.kind == Kind::Float) v.f = arg.f;
    else if (!convert::ToFloat(arg.s, v.f, error)) return failed(error);
    return v;
  }
  if (name == "size" || name == "duration") {
    Dimension dim = name == "size" ? Dimension::Size : Dimension::Duration;
    if (!text) return refuse("a string such as \"50 GiB\" or \"30 min\"");
    if (arg.kind == Kind::Runtime) return residual(Kind::Quantity, dim);
    int64_t amount = 0;
    if (!convert::ToQuantity(arg.s, dim, amount, error)) return failed(error);
    return MakeQuantity(dim, amount, span);
  }
  if (name == "version") {
    if (shape.kind == Kind::Version) return arg;
    if (!text) return refuse("a string such as \"7.0.15\"");
    if (arg.kind == Kind::Runtime) return residual(Kind::Version);
    Value v;
    v.kind = Kind::Version;
    v.span = span;
    if (!convert::ToVersion(arg.s, v.version, v.s, error)) return failed(error);
    return v;
  }
  if (name == "json") {
    if (shape.kind != Kind::String) return refuse("a string");
    if (arg.kind == Kind::Runtime) return residual(Kind::Json);
    nlohmann::json j;
    if (!convert::ToJson(arg.s, j, error)) return failed(error);
    return FromJson(j, span);
  }
  if (name == "trim" || name == "lines") {
    if (shape.kind != Kind::String) return refuse("a string");
    if (arg.kind == Kind::Runtime) return residual(name == "trim" ? Kind::String : Kind::List);
    if (name == "trim") return MakeString(convert::Trim(arg.s), span);
    std::vector<Value> items;
    for (std::string& line : convert::Lines(arg.s)) items.push_back(MakeString(std::move(line), span));
    return MakeList(std::move(items), span);
  }
  // split(text, separator)
  if (shape.kind != Kind::String) return refuse("a string");
  if (args[1].kind != Kind::String) {
    diags_.Error(DiagnosticKind::E0202, args[1].span,
                 fmt::format("the separator of `split` must be a string known before the plan runs, found {}",
                             Describe(args[1])));
    return {};
  }
  if (args[1].s.empty()) return failed("the separator is empty");
  if (arg.kind == Kind::Runtime) return residual(Kind::List);
  std::vector<std::string> parts;
  convert::Split(arg.s, args[1].s, parts, error);
  std::vector<Value> items;
  for (std::string& part : parts) items.push_back(MakeString(std::move(part), span));
  return MakeList(std::move(items), span);
}

}  // namespace sparkc::eval

namespace sparkc::eval {

bool Evaluator::ActionText(const Value& v, const std::string& what, std::string& out) {
  if (v.kind == Kind::String) {
    out = plan::EscapeTemplateText(v.s);
    return true;
  }
  if (UsesOutputs(v) && !OutputType(v).empty()) {
    out = plan::Placeholder(v.s);
    return true;
  }
  if (v.kind == Kind::Runtime) return RequireStatic(v, what.c_str());
  if (v.ok())
    diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("{} must be a string, found {}", what, Describe(v)));
  return false;
}

}  // namespace sparkc::eval
