#include "runtime/probe/condition.h"

#include <fmt/format.h>

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <fstream>
#include <variant>

#include "compiler/check/units.h"
#include "compiler/plan/plan.h"
#include "compiler/parse/parse.h"
#include "runtime/exec/process.h"
#include "runtime/probe/net.h"
#include "compiler/source/source.h"
#include "runtime/secret/secret.h"

namespace sparkc::runtime {
namespace {

using Scalar = std::variant<bool, int64_t, std::string, Quantity>;
// What a probe returns: exec, http.get and tls.cert results, by field.
struct Record {
  std::string kind;
  std::map<std::string, Scalar> fields;
};
using Value = std::variant<bool, int64_t, std::string, Quantity, Record>;

struct Failure {
  std::string message;
};

std::string Show(const Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* s = std::get_if<std::string>(&v)) return QuoteString(HeadUtf8(Redact(*s), 80));
  if (auto* q = std::get_if<Quantity>(&v)) {
    static constexpr const char* kBase[] = {"ms", "B", "mcpu", "bps"};
    return fmt::format("{} {}", q->value, kBase[static_cast<int>(q->dimension)]);
  }
  return std::get<Record>(v).kind;
}

std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure{fmt::format("cannot read `{}`", path)};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) EVP_DigestUpdate(ctx, buffer, in.gcount());
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, hash, &length);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", hash[i]);
  return hex;
}

class Evaluator {
 public:
  // The probes share one deadline, the step's timeout: a check with three
  // probes takes no longer than one, which the hard time bounds count on.
  Evaluator(const Module& module, int64_t timeout_ms)
      : module_(module), timeout_ms_(timeout_ms),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}

  // The first comparison that came out false, with its values.
  const std::string& failure() const { return failure_; }

  Value Eval(ExprId id) {
    const Expr& e = module_.expr(id);
    switch (e.kind) {
      case ExprKind::Bool: return e.int_value != 0;
      case ExprKind::Int: return e.int_value;
      case ExprKind::String: return e.text;
      case ExprKind::Quantity: {
        Quantity q;
        if (MakeQuantity(e.text, e.unit, q) != QuantityError::None)
          throw Failure{fmt::format("invalid quantity `{} {}`", e.text, e.unit)};
        return q;
      }
      case ExprKind::Call: return Call(e);
      case ExprKind::Member: {
        Value object = Eval(e.children[0]);
        auto* record = std::get_if<Record>(&object);
        if (record == nullptr) throw Failure{"member access on a value that is not a probe result"};
        auto field = record->fields.find(e.text);
        if (field == record->fields.end()) throw Failure{fmt::format("{} has no field `{}`", record->kind, e.text)};
        return std::visit([](const auto& x) -> Value { return x; }, field->second);
      }
      case ExprKind::Unary: {
        Value v = Eval(e.children[0]);
        if (e.text == "not") return !std::get<bool>(v);
        if (auto* q = std::get_if<Quantity>(&v)) return Quantity{q->dimension, Checked(0, q->value, '-')};
        return Checked(0, std::get<int64_t>(v), '-');
      }
      case ExprKind::Binary: return Binary(e);
      default: throw Failure{"this expression cannot be evaluated in a check"};
    }
  }

 private:
  Value Call(const Expr& e) {
    std::string callee = PrintExpr(module_, e.children[0]);
    std::vector<std::string> args;
    for (size_t i = 1; i < e.children.size(); ++i) args.push_back(module_.expr(e.children[i]).text);
    std::error_code ec;
    if (callee == "file.exists") return std::filesystem::exists(args.at(0), ec);
    if (callee == "file.size") {
      auto size = std::filesystem::file_size(args.at(0), ec);
      if (ec) throw Failure{fmt::format("file.size(\"{}\"): {}", args[0], ec.message())};
      return Quantity{Dimension::Size, static_cast<int64_t>(size)};
    }
    if (callee == "file.sha256") return FileSha256(args.at(0));
    std::string error;
    int64_t left = Left();
    if (callee == "tcp.open") return TcpOpen(args.at(0), left, error);
    if (callee == "http.get") {
      HttpResult r;
      if (!HttpGet(args.at(0), left, r, error)) throw Failure{error};
      return Record{"http response",
                    {{"status", r.status}, {"body", r.body}, {"latency", Quantity{Dimension::Duration, r.latency_ms}}}};
    }
    if (callee == "tls.cert") {
      CertResult r;
      if (!TlsCert(args.at(0), left, r, error)) throw Failure{error};
      return Record{"tls certificate",
                    {{"verified", r.verified}, {"days_left", r.days_left}, {"subject", r.subject}, {"issuer", r.issuer}, {"error", r.error}}};
    }
    if (callee != "exec")
      throw Failure{fmt::format("this runtime cannot evaluate the probe `{}` yet; re-plan with a newer sparkc",
                                callee)};
    ProcessSpec spec;
    spec.argv = args;
    spec.timeout_ms = left;
    for (const Field& option : e.fields) {
      const Expr& value = module_.expr(option.value);
      if (option.name == "cwd") spec.cwd = value.text;
      if (option.name == "stdin") {
        spec.has_stdin = true;
        spec.stdin_text = Text(value);
      }
      if (option.name == "env")
        for (const Field& var : value.fields) spec.env.emplace_back(var.name, Text(module_.expr(var.value)));
    }
    ProcessResult r = RunProcess(spec, &ProbesAbandoned());
    if (r.cancelled) throw Failure{kProbeAbandoned};
    if (!r.started || r.timed_out) throw Failure{fmt::format("exec(\"{}\"): {}", args[0], r.Summary())};
    int64_t exit = r.signal != 0 ? 128 + r.signal : r.exit_code;
    return Record{"exec result", {{"exit", exit}, {"stdout", r.out}, {"stderr", r.err}}};
  }

  // A string literal, or a secret reference `env("X")` / `file("p")` read now.
  std::string Text(const Expr& e) {
    if (e.kind != ExprKind::Call) return e.text;
    std::string ref = module_.expr(e.children[0]).text + ":" + module_.expr(e.children.at(1)).text;
    std::string value, error;
    if (!ResolveSecret(ref, value, error)) throw Failure{error};
    return value;
  }

  static int64_t Checked(int64_t a, int64_t b, char op) {
    int64_t r = 0;
    bool overflow = op == '+' ? __builtin_add_overflow(a, b, &r)
                  : op == '-' ? __builtin_sub_overflow(a, b, &r)
                  : op == '*' ? __builtin_mul_overflow(a, b, &r)
                              : false;
    if (op == '/') {
      if (b == 0) throw Failure{"division by zero"};
      if (a == INT64_MIN && b == -1) overflow = true;
      else r = a / b;
    }
    if (overflow) throw Failure{"integer overflow"};
    return r;
  }

  Value Binary(const Expr& e) {
    const std::string& op = e.text;
    if (op == "and" || op == "or") {
      bool lhs = std::get<bool>(Eval(e.children[0]));
      if (op == "and" ? !lhs : lhs) return lhs;  // short-circuit: probes on the right may not be needed
      return std::get<bool>(Eval(e.children[1]));
    }
    Value lhs = Eval(e.children[0]), rhs = Eval(e.children[1]);
    if (op == "contains" || op == "in") {
      const std::string& hay = std::get<std::string>(op == "in" ? rhs : lhs);
      const std::string& needle = std::get<std::string>(op == "in" ? lhs : rhs);
      bool found = hay.find(needle) != std::string::npos;
      if (!found && failure_.empty())
        failure_ = fmt::format("{} is false: {} does not contain {}", PrintExpr(module_, module_.id_of(e)),
                               Show(op == "in" ? rhs : lhs), Show(op == "in" ? lhs : rhs));
      return found;
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      int cmp = Compare(lhs, rhs);
      bool result = op == "==" ? cmp == 0 : op == "!=" ? cmp != 0 : op == "<" ? cmp < 0
                  : op == "<=" ? cmp <= 0 : op == ">" ? cmp > 0 : cmp >= 0;
      if (!result && failure_.empty())
        failure_ = fmt::format("{} is false: {} {} {}", PrintExpr(module_, module_.id_of(e)), Show(lhs), op, Show(rhs));
      return result;
    }
    auto number = [](const Value& v) {
      if (auto* q = std::get_if<Quantity>(&v)) return q->value;
      return std::get<int64_t>(v);
    };
    int64_t r = Checked(number(lhs), number(rhs), op[0]);
    if (auto* q = std::get_if<Quantity>(&lhs)) return Quantity{q->dimension, r};
    if (auto* q = std::get_if<Quantity>(&rhs)) return Quantity{q->dimension, r};
    return r;
  }

  static int Compare(const Value& a, const Value& b) {
    auto three_way = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
    if (auto* q = std::get_if<Quantity>(&a)) return three_way(q->value, std::get<Quantity>(b).value);
    if (auto* i = std::get_if<int64_t>(&a)) return three_way(*i, std::get<int64_t>(b));
    if (auto* s = std::get_if<std::string>(&a)) return s->compare(std::get<std::string>(b)) == 0 ? 0 : 1;
    return std::get<bool>(a) == std::get<bool>(b) ? 0 : 1;
  }

  // What is left of the deadline for the next probe; none left fails the check.
  int64_t Left() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw Failure{fmt::format("the check took longer than its timeout of {}", plan::HumanDuration(timeout_ms_))};
    return left.count();
  }

  const Module& module_;
  int64_t timeout_ms_;
  std::chrono::steady_clock::time_point deadline_;
  std::string failure_;
};

}  // namespace

CheckOutcome EvaluateCheck(const std::string& text, int64_t timeout_ms) {
  if (ProbesAbandoned().load()) return {false, kProbeAbandoned, true};
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!ParseExpression(text, module, root, error)) return {false, "the check does not parse: " + error};
  Evaluator evaluator(module, timeout_ms);
  try {
    Value v = evaluator.Eval(root);
    bool passed = std::get<bool>(v);
    if (passed) return {true, {}};
    return {false, Redact(evaluator.failure().empty() ? fmt::format("{} is false", text) : evaluator.failure())};
  } catch (const Failure& f) {
    return {false, Redact(f.message), f.message == kProbeAbandoned};
  } catch (const std::bad_variant_access&) {
    return {false, "the check has a type error; re-plan with this sparkc"};
  }
}

void CollectSecretRefs(const std::string& text, std::vector<std::string>& refs) {
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!ParseExpression(text, module, root, error)) return;
  for (const Expr& e : module.exprs) {
    if (e.kind != ExprKind::Call || e.children.size() != 2) continue;
    std::string callee = PrintExpr(module, e.children[0]);
    const Expr& arg = module.expr(e.children[1]);
    if ((callee == "env" || callee == "file") && arg.kind == ExprKind::String) refs.push_back(callee + ":" + arg.text);
  }
}

}  // namespace sparkc::runtime
