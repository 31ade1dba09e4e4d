// Built-in functions: actions (exec, shell, http.request, wait, manual), secrets (env,
// file), probes (file.*, http.get, tls.cert, tcp.open) and list helpers.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <regex>
#include <set>

#include "compiler/eval/eval.h"
#include "compiler/plan/template.h"

namespace sparkc::eval {
namespace {

const char* kProbeNote =
    "probes: file.exists/size/sha256(path), exec(argv...).exit/stdout/stderr, "
    "http.get(url).status/body/latency, tls.cert(\"host:port\").verified/days_left/subject/issuer/error, "
    "tcp.open(\"host:port\"), gpu.devices()[i].name/memory/driver/cuda/mig/compute_capability/uuid/index, "
    "std.gpu.conforms(hardware)";

}  // namespace

bool Evaluator::RequireStatic(const Value& v, const char* where) {
  if (v.kind != Kind::Runtime) return v.ok();
  diags_.Error(DiagnosticKind::E0212, v.span,
               fmt::format("{} needs a value known before the plan runs, found the probe `{}`", where, v.s))
      .Note({}, "probes are evaluated by `apply` and `verify`; use them in `check` and in invariants");
  return false;
}

std::string PrintAction(const plan::Action& a) {
  std::string out = a.kind == plan::Action::Kind::Shell ? "shell(" : "exec(";
  // The action's strings are templates (compiler/plan/template.h); a probe
  // writes them as expressions.
  for (size_t k = 0; k < a.argv.size(); ++k) out += (k ? ", " : "") + plan::TemplateExpression(a.argv[k]);
  out += ")";
  std::vector<std::string> options;
  if (!a.cwd.empty()) options.push_back("cwd = " + plan::TemplateExpression(a.cwd));
  if (!a.env.empty() || !a.secret_env.empty()) {
    std::vector<std::pair<std::string, std::string>> vars;
    for (const auto& [name, value] : a.env) vars.emplace_back(name, plan::TemplateExpression(value));
    for (const auto& [name, ref] : a.secret_env) vars.emplace_back(name, SecretLiteral(ref));
    std::sort(vars.begin(), vars.end());
    std::string env;
    for (const auto& [name, value] : vars) env += (env.empty() ? "" : ", ") + name + " = " + value;
    options.push_back("env = { " + env + " }");
  }
  if (!a.stdin_secret.empty()) {
    options.push_back("stdin = " + SecretLiteral(a.stdin_secret));
  } else if (a.has_stdin) {
    options.push_back("stdin = " + plan::TemplateExpression(a.stdin_text));
  }
  if (options.empty()) return out;
  std::string joined;
  for (const std::string& o : options) joined += (joined.empty() ? "" : ", ") + o;
  return out + " { " + joined + " }";
}

Value Evaluator::Builtin(const std::string& name, uint32_t module, const Expr& e, const Scope* scope) {
  if (name == "gpu.conforms") return GpuConforms(module, e, scope);
  std::vector<Value> args;
  bool ok = true;
  for (size_t k = 1; k < e.children.size(); ++k) {
    args.push_back(Eval(module, e.children[k], scope));
    ok &= args.back().ok();
    if (!e.arg_names[k - 1].empty()) {
      diags_.Error(DiagnosticKind::E0209, args.back().span,
                   fmt::format("`{}` takes no named arguments, found `{} = ...`", name, e.arg_names[k - 1]));
      ok = false;
    }
  }
  if (!ok) return {};
  bool process = name == "exec" || name == "shell";
  if (e.has_options && !process && name != "http.request") {
    diags_.Error(DiagnosticKind::E0209, e.span,
                 fmt::format("`{}` takes no options; only exec, shell and http.request do", name));
    return {};
  }
  auto arity = [&](size_t want) {
    if (args.size() == want) return true;
    diags_.Error(DiagnosticKind::E0209, e.span,
                 fmt::format("`{}` takes {} argument{}, found {}", name, want, want == 1 ? "" : "s", args.size()));
    return false;
  };
  auto string_arg = [&](size_t k, const char* what, std::string& out) {
    const Value& v = args[k];
    if (v.kind == Kind::String) {
      out = v.s;
      return true;
    }
    if (v.kind == Kind::Runtime) return RequireStatic(v, what);
    diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("{} must be a string, found {}", what, Describe(v)));
    return false;
  };
  auto make_action = [&](plan::Action a) {
    Value v;
    v.kind = Kind::Action;
    v.action = std::make_shared<const plan::Action>(std::move(a));
    return v;
  };
  auto probe = [&](Kind rt, const char* type, Dimension dim = Dimension::Duration) -> Value {
    if (!arity(1)) return {};
    std::string arg;
    if (!string_arg(0, fmt::format("the argument of `{}`", name).c_str(), arg)) return {};
    Value v = MakeRuntime(rt, fmt::format("{}({})", name, QuoteString(arg)), 9, e.span);
    v.type = type;
    v.dim = dim;
    return v;
  };

  if (process) {
    plan::Action a;
    a.kind = name == "exec" ? plan::Action::Kind::Exec : plan::Action::Kind::Shell;
    if (name == "shell" && !arity(1)) return {};
    if (args.empty()) {
      diags_.Error(DiagnosticKind::E0209, e.span, "`exec` needs at least the program to run")
          .Suggest("exec(\"program\", \"argument\", ...)");
      return {};
    }
    ok = ArgvOf(args, a.argv);
    ok &= ActionOptions(module, e, scope, a);
    return ok ? make_action(std::move(a)) : Value{};
  }
  if (name == "http.request") {
    plan::Action a;
    a.kind = plan::Action::Kind::Http;
    if (!arity(2) || !string_arg(0, "the method of `http.request`", a.method)) return {};
    if (UsesOutputs(args[1])) {
      // Known when the request is made; the runtime checks its scheme then.
      if (!ActionText(args[1], "the URL of `http.request`", a.url)) return {};
      return ActionOptions(module, e, scope, a) ? make_action(std::move(a)) : Value{};
    }
    if (!string_arg(1, "the URL of `http.request`", a.url)) return {};
    static const std::regex kMethod("[A-Z]+");
    if (!std::regex_match(a.method, kMethod)) {
      diags_.Error(DiagnosticKind::E0202, args[0].span,
                   fmt::format("`{}` is not an HTTP method", a.method))
          .Suggest("one of GET, POST, PUT, PATCH, DELETE, HEAD");
      return {};
    }
    if (a.url.rfind("http://", 0) != 0 && a.url.rfind("https://", 0) != 0) {
      diags_.Error(DiagnosticKind::E0202, args[1].span,
                   fmt::format("`{}` is not an http:// or https:// URL", a.url));
      return {};
    }
    a.url = plan::EscapeTemplateText(a.url);
    return ActionOptions(module, e, scope, a) ? make_action(std::move(a)) : Value{};
  }
  if (name == "wait") {
    if (!arity(1)) return {};
    if (args[0].kind != Kind::Quantity || args[0].dim != Dimension::Duration) {
      diags_.Error(DiagnosticKind::E0202, args[0].span,
                   fmt::format("`wait` takes a duration, found {}", Describe(args[0])));
      return {};
    }
    plan::Action a;
    a.kind = plan::Action::Kind::Wait;
    a.wait_ms = args[0].i;
    return make_action(std::move(a));
  }
  if (name == "manual") {
    plan::Action a;
    a.kind = plan::Action::Kind::Manual;
    if (!arity(1) || !ActionText(args[0], "the instruction of `manual`", a.instruction)) return {};
    return make_action(std::move(a));
  }
  if (name == "env" || name == "file") {
    std::string ref;
    if (!arity(1) || !string_arg(0, fmt::format("the argument of `{}`", name).c_str(), ref)) return {};
    static const std::regex kEnvName("[A-Za-z_][A-Za-z0-9_]*");
    if (name == "env" && !std::regex_match(ref, kEnvName)) {
      diags_.Error(DiagnosticKind::E0208, args[0].span,
                   fmt::format("`{}` is not an environment variable name", ref));
      return {};
    }
    if (ref.empty()) {
      diags_.Error(DiagnosticKind::E0208, args[0].span, "`file` needs a path");
      return {};
    }
    Value v;
    v.kind = Kind::Secret;
    v.s = name + ":" + ref;
    return v;
  }
  if (name == "int" || name == "float" || name == "size" || name == "duration" || name == "version" ||
      name == "json" || name == "trim" || name == "lines" || name == "split" || name == "string")
    return Conversion(name, args, e.span);
  if (name == "len") {
    if (!arity(1)) return {};
    const Value& v = args[0];
    if (v.kind == Kind::Runtime && (v.rt == Kind::String || v.rt == Kind::List || v.rt == Kind::Json))
      return MakeRuntime(Kind::Int, "len(" + v.s + ")", 9, e.span);
    if (v.kind == Kind::List) return MakeInt(static_cast<int64_t>(v.list->size()));
    if (v.kind == Kind::String) return MakeInt(static_cast<int64_t>(v.s.size()));
    if (v.kind == Kind::Map) return MakeInt(static_cast<int64_t>(v.fields->size()));
    diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("`len` takes a list, map or string, found {}", Describe(v)));
    return {};
  }
  if (name == "gpu.devices") {
    if (!arity(0)) return {};
    Value v = MakeRuntime(Kind::List, "gpu.devices()", 9, e.span);
    v.type = "gpu device";
    return v;
  }
  if (name == "file.exists") return probe(Kind::Bool, "");
  if (name == "file.size") return probe(Kind::Quantity, "", Dimension::Size);
  if (name == "file.sha256") return probe(Kind::String, "");
  if (name == "tcp.open") return probe(Kind::Bool, "");
  if (name == "http.get") return probe(Kind::Map, "http response");
  if (name == "tls.cert") return probe(Kind::Map, "tls certificate");
  // sum, min, max, all, any, count over a list argument.
  if (!arity(1)) return {};
  if (args[0].kind != Kind::List) {
    diags_.Error(DiagnosticKind::E0202, args[0].span,
                 fmt::format("`{}` takes a list or a comprehension, found {}", name, Describe(args[0])))
        .Note({}, kProbeNote);
    return {};
  }
  return Aggregate(name, *args[0].list, e.span);
}

// The primitive behind `std.gpu.conforms(hardware)` (stdlib/gpu.spark), which
// passes the declaration and what the catalogue knows of it by name; the
// comparison happens where the check runs (runtime/probe/gpu.h). The plan
// keeps the named form, so a reviewer reads what will be compared.
Value Evaluator::GpuConforms(uint32_t module, const Expr& e, const Scope* scope) {
  struct Param {
    const char* name;
    Kind kind;
    bool optional;  // may be none or left out: not compared then
    const char* what;
  };
  static const Param kParams[] = {
      {"hardware", Kind::String, false, "a string"},   {"model", Kind::String, false, "a string"},
      {"names", Kind::List, false, "a list of strings"}, {"count", Kind::Int, false, "an int"},
      {"memory", Kind::Quantity, false, "a size"},      {"driver", Kind::Version, true, "a version"},
      {"cuda", Kind::Version, true, "a version"},       {"min_driver", Kind::Version, true, "a version"},
      {"mig", Kind::Bool, true, "a bool"},
      // The catalogue's model names, for the message when `names` is empty;
      // not part of the probe.
      {"models", Kind::List, true, "a list of strings"}};
  const Module& ast = program_.modules[module].ast;
  std::map<std::string, Value> given;
  bool ok = true;
  for (size_t k = 1; k < e.children.size(); ++k) {
    const std::string& name = e.arg_names[k - 1];
    Value v = Eval(module, e.children[k], scope);
    auto param = std::find_if(std::begin(kParams), std::end(kParams), [&](const Param& p) { return name == p.name; });
    if (param == std::end(kParams)) {
      std::string all;
      for (const Param& p : kParams) all += fmt::format("{}`{}`", all.empty() ? "" : ", ", p.name);
      diags_.Error(DiagnosticKind::E0209, ast.expr(e.children[k]).span,
                   name.empty() ? std::string("`gpu.conforms` takes named arguments only")
                                : fmt::format("`gpu.conforms` has no argument `{}`", name))
          .Note({}, "its arguments: " + all)
          .Suggest("use `std.gpu.conforms(hardware)`, which passes them from a `hardware` block");
      ok = false;
      continue;
    }
    if (!v.ok() || !RequireStatic(v, "an argument of `gpu.conforms`")) {
      ok = false;
      continue;
    }
    bool fits = v.kind == param->kind || (param->optional && v.kind == Kind::None);
    if (fits && v.kind == Kind::Quantity) fits = v.dim == Dimension::Size;
    if (fits && v.kind == Kind::List)
      for (const Value& item : *v.list) fits &= item.kind == Kind::String;
    if (!fits) {
      diags_.Error(DiagnosticKind::E0202, v.span,
                   fmt::format("`{}` of `gpu.conforms` must be {}{}, found {}", name, param->what,
                               param->optional ? " or none" : "", Describe(v)));
      ok = false;
      continue;
    }
    if (!given.emplace(name, std::move(v)).second) {
      diags_.Error(DiagnosticKind::E0209, ast.expr(e.children[k]).span,
                   fmt::format("`{}` is given twice to `gpu.conforms`", name));
      ok = false;
    }
  }
  if (!ok) return {};
  if (auto model = given.find("model"), names = given.find("names");
      model != given.end() && names != given.end() && names->second.list->empty()) {
    std::string hardware = given.contains("hardware") ? given["hardware"].s : "the hardware";
    Diagnostic& d = model->second.s == "none"
        ? diags_.Error(DiagnosticKind::E0208, e.span, fmt::format("`{}` declares no GPU to compare", hardware))
        : diags_.Error(DiagnosticKind::E0208, e.span,
                       fmt::format("the GPU model \"{}\" of `{}` is not in std.gpu's catalogue", model->second.s,
                                   hardware));
    if (auto models = given.find("models"); models != given.end() && model->second.s != "none") {
      std::vector<std::string> known;
      for (const Value& m : *models->second.list) known.push_back(m.s);
      d.Note({}, "the catalogue's models: " + fmt::format("{}", fmt::join(known, ", ")));
      if (std::string near = ClosestMatch(model->second.s, known); !near.empty())
        d.Suggest(fmt::format("did you mean \"{}\"?", near));
    }
    return {};
  }
  std::string text;
  for (const Param& p : kParams) {
    if (std::string_view(p.name) == "models") continue;
    auto it = given.find(p.name);
    if (it == given.end() && !p.optional) {
      diags_.Error(DiagnosticKind::E0209, e.span, fmt::format("`gpu.conforms` needs `{}`", p.name))
          .Suggest("use `std.gpu.conforms(hardware)`, which passes every argument from a `hardware` block");
      return {};
    }
    if (it == given.end() || it->second.kind == Kind::None) continue;
    text += fmt::format("{}{} = {}", text.empty() ? "" : ", ", p.name, eval::Literal(it->second));
  }
  return MakeRuntime(Kind::Bool, "gpu.conforms(" + text + ")", 9, e.span);
}

// argv: each value as text (TextOf); lists are spliced in.
bool Evaluator::ArgvOf(const std::vector<Value>& args, std::vector<std::string>& argv) {
  bool ok = true;
  for (const Value& v : args) {
    if (v.kind == Kind::List) {
      ok &= ArgvOf(*v.list, argv);
      continue;
    }
    std::string text;
    if (TextOf(v, TextUse::Argv, text)) argv.push_back(std::move(text));
    else ok = false;
  }
  return ok;
}

const std::vector<std::string>& ActionOptionNames(bool http) {
  static const std::vector<std::string> process = {"env", "cwd", "stdin"};
  static const std::vector<std::string> request = {"headers", "body", "expect"};
  return http ? request : process;
}

// exec/shell: env = { NAME = "value" | secret }, cwd = "dir", stdin = "text" | secret
// http.request: headers = { Name = "value" | secret }, body = "text" | secret, expect = 201
bool Evaluator::ActionOptions(uint32_t module, const Expr& call, const Scope* scope, plan::Action& out) {
  bool http = out.kind == plan::Action::Kind::Http;
  const std::vector<std::string>& known = ActionOptionNames(http);
  bool ok = true;
  std::set<std::string> seen;
  for (const Field& option : call.fields) {
    if (!seen.insert(option.name).second) {
      diags_.Error(DiagnosticKind::E0106, option.name_span, fmt::format("option `{}` is set twice", option.name));
      ok = false;
      continue;
    }
    if (std::find(known.begin(), known.end(), option.name) == known.end()) {
      Diagnostic& d = diags_.Error(DiagnosticKind::E0201, option.name_span,
                                   fmt::format("unknown option `{}`; the options of {} are {}", option.name,
                                               http ? "http.request" : "exec and shell",
                                               http ? "headers, body and expect" : "env, cwd and stdin"));
      std::string close = ClosestMatch(option.name, known);
      if (!close.empty()) d.DidYouMean(option.name_span, close);
      ok = false;
      continue;
    }
    Value v = Eval(module, option.value, scope);
    if (!v.ok()) {
      ok = false;
      continue;
    }
    if (option.name == "env" || option.name == "headers") {
      ok &= StringOrSecretMap(v, option.name == "env" ? "environment variable" : "header", out.env, out.secret_env);
    } else if (option.name == "stdin" || option.name == "body") {
      ok &= StringOrSecret(v, option.name, out.stdin_text, out.stdin_secret);
      out.has_stdin = true;
    } else if (option.name == "cwd" && (v.kind == Kind::String || UsesOutputs(v))) {
      ok &= ActionText(v, "`cwd`", out.cwd);
    } else if (option.name == "expect" && v.kind == Kind::Int && v.i >= 100 && v.i <= 599) {
      out.expect_status = v.i;
    } else {
      diags_.Error(DiagnosticKind::E0202, v.span,
                   fmt::format("`{}` must be {}, found {}", option.name,
                               option.name == "cwd" ? "a string" : "an HTTP status code (100..599)", Describe(v)));
      ok = false;
    }
  }
  std::sort(out.env.begin(), out.env.end());
  std::sort(out.secret_env.begin(), out.secret_env.end());
  return ok;
}

bool Evaluator::StringOrSecret(const Value& v, const std::string& what, std::string& text, std::string& secret) {
  if (v.kind == Kind::Secret) secret = v.s;
  else if (v.kind == Kind::String || UsesOutputs(v)) return ActionText(v, "`" + what + "`", text);
  else {
    diags_.Error(DiagnosticKind::E0202, v.span,
                 fmt::format("`{}` must be a string or a secret, found {}", what, Describe(v)));
    return false;
  }
  return true;
}

bool Evaluator::StringOrSecretMap(const Value& v, const char* what,
                                  std::vector<std::pair<std::string, std::string>>& plain,
                                  std::vector<std::pair<std::string, std::string>>& secret) {
  if (v.kind != Kind::Map) {
    diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("expected a map of {}s, found {}", what, Describe(v)));
    return false;
  }
  bool ok = true;
  for (const Entry& var : *v.fields) {
    const Value& value = var.value;
    if (value.kind == Kind::None) continue;  // not set: `password = none`
    if (value.kind == Kind::Secret) secret.emplace_back(var.key, value.s);
    else if (value.kind == Kind::String || UsesOutputs(value)) {
      std::string text;
      if (!ActionText(value, fmt::format("{} `{}`", what, var.key), text)) ok = false;
      plain.emplace_back(var.key, std::move(text));
    } else if (value.kind == Kind::Int || value.kind == Kind::Bool) plain.emplace_back(var.key, Show(value));
    else {
      diags_.Error(DiagnosticKind::E0202, value.span,
                   fmt::format("{} `{}` must be a string or a secret, found {}", what, var.key, Describe(value)));
      ok = false;
    }
  }
  return ok;
}

}  // namespace sparkc::eval
