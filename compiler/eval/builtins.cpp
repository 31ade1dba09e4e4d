// Built-in functions: actions (exec, shell, wait, manual), secrets (env,
// file), probes (file.*, http.get, tls.cert, tcp.open) and list helpers.
#include <fmt/format.h>

#include <regex>

#include "compiler/eval/eval.h"

namespace sparkc::eval {
namespace {

const char* kProbeNote =
    "probes: file.exists/size/sha256(path), exec(argv...).exit/stdout/stderr, "
    "http.get(url).status/body/latency, tls.cert(\"host:port\").verified/days_left/subject/issuer, "
    "tcp.open(\"host:port\")";

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
  for (size_t k = 0; k < a.argv.size(); ++k) out += (k ? ", " : "") + QuoteString(a.argv[k]);
  out += ")";
  std::vector<std::string> options;
  if (!a.cwd.empty()) options.push_back("cwd = " + QuoteString(a.cwd));
  if (!a.env.empty() || !a.secret_env.empty()) {
    std::vector<std::pair<std::string, std::string>> vars;
    for (const auto& [name, value] : a.env) vars.emplace_back(name, QuoteString(value));
    for (const auto& [name, ref] : a.secret_env) vars.emplace_back(name, SecretLiteral(ref));
    std::sort(vars.begin(), vars.end());
    std::string env;
    for (const auto& [name, value] : vars) env += (env.empty() ? "" : ", ") + name + " = " + value;
    options.push_back("env = { " + env + " }");
  }
  if (!a.stdin_secret.empty()) {
    options.push_back("stdin = " + SecretLiteral(a.stdin_secret));
  } else if (a.has_stdin) {
    options.push_back("stdin = " + QuoteString(a.stdin_text));
  }
  if (options.empty()) return out;
  std::string joined;
  for (const std::string& o : options) joined += (joined.empty() ? "" : ", ") + o;
  return out + " { " + joined + " }";
}

Value Evaluator::Builtin(const std::string& name, uint32_t module, const Expr& e, const Scope* scope) {
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
  if (e.has_options && !process) {
    diags_.Error(DiagnosticKind::E0209, e.span, fmt::format("`{}` takes no options; only exec and shell do", name));
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
    ok &= ProcessOptions(module, e, scope, a);
    return ok ? make_action(std::move(a)) : Value{};
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
    if (!arity(1) || !string_arg(0, "the instruction of `manual`", a.instruction)) return {};
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
  if (name == "len") {
    if (!arity(1)) return {};
    const Value& v = args[0];
    if (v.kind == Kind::List) return MakeInt(static_cast<int64_t>(v.list->size()));
    if (v.kind == Kind::String) return MakeInt(static_cast<int64_t>(v.s.size()));
    if (v.kind == Kind::Map) return MakeInt(static_cast<int64_t>(v.fields->size()));
    diags_.Error(DiagnosticKind::E0202, v.span, fmt::format("`len` takes a list, map or string, found {}", Describe(v)));
    return {};
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

// env = { NAME = "value" | secret }, cwd = "dir", stdin = "text" | secret
bool Evaluator::ProcessOptions(uint32_t module, const Expr& call, const Scope* scope, plan::Action& out) {
  bool ok = true;
  static const std::vector<std::string> kOptions = {"env", "cwd", "stdin"};
  std::set<std::string> seen;
  for (const Field& option : call.fields) {
    if (!seen.insert(option.name).second) {
      diags_.Error(DiagnosticKind::E0106, option.name_span, fmt::format("option `{}` is set twice", option.name));
      ok = false;
      continue;
    }
    Value v = Eval(module, option.value, scope);
    if (!v.ok()) {
      ok = false;
      continue;
    }
    if (option.name == "env") {
      if (v.kind != Kind::Map) {
        diags_.Error(DiagnosticKind::E0202, v.span,
                     fmt::format("expected a map of environment variables, found {}", Describe(v)));
        ok = false;
        continue;
      }
      for (const Entry& var : *v.fields) {
        const Value& value = var.value;
        if (value.kind == Kind::Secret) out.secret_env.emplace_back(var.key, value.s);
        else if (value.kind == Kind::String) out.env.emplace_back(var.key, value.s);
        else if (value.kind == Kind::Int || value.kind == Kind::Bool) out.env.emplace_back(var.key, Show(value));
        else {
          diags_.Error(DiagnosticKind::E0202, value.span,
                       fmt::format("environment variable `{}` must be a string or a secret, found {}", var.key,
                                   Describe(value)));
          ok = false;
        }
      }
    } else if (option.name == "cwd" && v.kind == Kind::String) {
      out.cwd = v.s;
    } else if (option.name == "stdin" && (v.kind == Kind::String || v.kind == Kind::Secret)) {
      out.has_stdin = true;
      (v.kind == Kind::Secret ? out.stdin_secret : out.stdin_text) = v.s;
    } else if (option.name == "cwd" || option.name == "stdin") {
      diags_.Error(DiagnosticKind::E0202, v.span,
                   fmt::format("`{}` must be a string{}, found {}", option.name,
                               option.name == "stdin" ? " or a secret" : "", Describe(v)));
      ok = false;
    } else {
      Diagnostic& d = diags_.Error(DiagnosticKind::E0201, option.name_span,
                                   fmt::format("unknown option `{}`; the options are env, cwd and stdin", option.name));
      std::string close = ClosestMatch(option.name, kOptions);
      if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
      ok = false;
    }
  }
  std::sort(out.env.begin(), out.env.end());
  std::sort(out.secret_env.begin(), out.secret_env.end());
  return ok;
}

}  // namespace sparkc::eval
