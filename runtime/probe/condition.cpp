#include "runtime/probe/condition.h"

#include <fmt/format.h>

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "compiler/check/units.h"
#include "compiler/eval/convert.h"
#include "compiler/eval/value.h"
#include "compiler/parse/parse.h"
#include "compiler/parse/residual.h"
#include "compiler/plan/template.h"
#include "compiler/source/source.h"
#include "runtime/exec/process.h"
#include "runtime/probe/gpu.h"
#include "runtime/probe/net.h"
#include "runtime/secret/secret.h"

namespace sparkc::runtime {
namespace {

using Json = nlohmann::json;
struct Version {
  std::vector<int64_t> parts;
  std::string text;  // as written: "v535.54.03"
};
using Scalar = std::variant<bool, int64_t, std::string, Quantity, Version>;
// What a probe returns: exec, http.get, tls.cert and GPU results, by field.
struct Record {
  std::string kind;
  std::map<std::string, Scalar> fields;
  std::map<std::string, std::string> unknown = {};  // fields the probe could not read, and why
};
using List = std::vector<std::string>;
using Records = std::vector<Record>;  // gpu.devices()
using Value = std::variant<bool, int64_t, double, std::string, Quantity, Version, Json, List, Record, Records>;

struct Failure {
  std::string message;
};

std::string Quote(const std::string& s) { return QuoteString(HeadUtf8(Redact(s), 80)); }

// The text of a value in a string or an argument: the compiler's rule.
std::string Text(const Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* f = std::get_if<double>(&v)) return eval::ShowFloat(*f);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* q = std::get_if<Quantity>(&v)) return eval::ShowQuantity(q->dimension, q->value);
  if (auto* ver = std::get_if<Version>(&v)) return ver->text;
  if (auto* j = std::get_if<Json>(&v)) return j->is_string() ? j->get<std::string>() : j->dump();
  if (auto* list = std::get_if<List>(&v)) {
    std::string out;
    for (const std::string& item : *list) out += (out.empty() ? "" : "\n") + item;
    return out;
  }
  throw Failure{"a probe result has no text"};
}

std::string Show(const Value& v) {
  if (std::holds_alternative<std::string>(v)) return Quote(std::get<std::string>(v));
  if (auto* j = std::get_if<Json>(&v)) return HeadUtf8(Redact(j->dump()), 80);
  if (auto* r = std::get_if<Record>(&v)) return r->kind;
  if (auto* list = std::get_if<Records>(&v)) return fmt::format("a list of {} records", list->size());
  return Redact(Text(v));
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

Dimension DimensionOf(const std::string& type, bool& found) {
  found = true;
  for (Dimension d : {Dimension::Duration, Dimension::Size, Dimension::Cpu, Dimension::Bandwidth})
    if (type == DimensionName(d)) return d;
  found = false;
  return Dimension::Duration;
}

// An output's value back from its journaled form.
Value Decode(const OutputValue& out) {
  std::string error;
  bool quantity = false;
  Dimension dim = DimensionOf(out.type, quantity);
  if (out.type == "string") return out.encoded;
  if (out.type == "bool") return out.encoded == "true";
  if (out.type == "int" || quantity) {
    int64_t n = 0;
    if (!convert::ToInt(out.encoded, n, error)) throw Failure{"a journaled output does not read back: " + error};
    if (quantity) return Quantity{dim, n};
    return n;
  }
  if (out.type == "float") {
    double f = 0;
    if (!convert::ToFloat(out.encoded, f, error)) throw Failure{"a journaled output does not read back: " + error};
    return f;
  }
  if (out.type == "version") {
    Version v;
    if (!convert::ToVersion(out.encoded, v.parts, v.text, error))
      throw Failure{"a journaled output does not read back: " + error};
    return v;
  }
  if (out.type == "json") {
    Json j;
    if (!convert::ToJson(out.encoded, j, error)) throw Failure{"a journaled output does not read back: " + error};
    return j;
  }
  throw Failure{fmt::format("an output of type `{}`; re-plan with this sparkc", out.type)};
}

// The journaled form of a value of `type`; false when the value is not one.
bool Encode(const Value& v, const std::string& type, std::string& out) {
  bool quantity = false;
  Dimension dim = DimensionOf(type, quantity);
  if (quantity) {
    auto* q = std::get_if<Quantity>(&v);
    if (q == nullptr || q->dimension != dim) return false;
    out = std::to_string(q->value);
    return true;
  }
  if (type == "float") {
    auto* f = std::get_if<double>(&v);
    if (f == nullptr) return false;
    out = fmt::format("{}", *f);  // the shortest text that reads back the same double
    return true;
  }
  bool fits = (type == "string" && std::holds_alternative<std::string>(v)) ||
              (type == "int" && std::holds_alternative<int64_t>(v)) ||
              (type == "bool" && std::holds_alternative<bool>(v)) ||
              (type == "version" && std::holds_alternative<Version>(v));
  if (type == "json" && std::holds_alternative<Json>(v)) {
    out = std::get<Json>(v).dump();
    return true;
  }
  if (!fits) return false;
  out = Text(v);
  return true;
}

class Evaluator {
 public:
  // The probes share one deadline, the step's timeout: a check with three
  // probes takes no longer than one, which the hard time bounds count on.
  Evaluator(const Module& module, int64_t timeout_ms, const OutputTable* outputs,
            const std::map<std::string, Value>* names = nullptr)
      : module_(module), timeout_ms_(timeout_ms), outputs_(outputs), names_(names),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}

  // The first comparison that came out false, with its values.
  const std::string& failure() const { return failure_; }

  Value Eval(ExprId id) {
    const Expr& e = module_.expr(id);
    switch (e.kind) {
      case ExprKind::Bool: return e.int_value != 0;
      case ExprKind::Int: return e.int_value;
      case ExprKind::String: return e.text;
      case ExprKind::Float: {
        double f = 0;
        std::string error;
        if (!convert::ToFloat(e.text, f, error)) throw Failure{error};
        return f;
      }
      case ExprKind::Version: {
        Version v;
        std::string error;
        if (!convert::ToVersion(e.text, v.parts, v.text, error)) throw Failure{error};
        return v;
      }
      case ExprKind::Quantity: {
        Quantity q;
        if (MakeQuantity(e.text, e.unit, q) != QuantityError::None)
          throw Failure{fmt::format("invalid quantity `{} {}`", e.text, e.unit)};
        return q;
      }
      case ExprKind::Name: {
        if (names_ != nullptr)
          if (auto it = names_->find(e.text); it != names_->end()) return it->second;
        throw Failure{fmt::format("`{}` is not known here", e.text)};
      }
      case ExprKind::Call: return Call(e);
      case ExprKind::Member: return Member(Eval(e.children[0]), e.text);
      case ExprKind::Index: return Index(Eval(e.children[0]), Eval(e.children[1]));
      case ExprKind::Unary: {
        Value v = Eval(e.children[0]);
        if (e.text == "not") return !std::get<bool>(v);
        if (auto* q = std::get_if<Quantity>(&v)) return Quantity{q->dimension, Checked(0, q->value, '-')};
        if (auto* f = std::get_if<double>(&v)) return -*f;
        return Checked(0, std::get<int64_t>(v), '-');
      }
      case ExprKind::Binary: return Binary(e);
      default: throw Failure{"this expression cannot be evaluated at run time"};
    }
  }

  // An expression that must give text: an argument, a variable, a path.
  std::string TextArg(ExprId id) {
    const Expr& e = module_.expr(id);
    if (e.kind == ExprKind::Call && e.children.size() == 2) {
      std::string callee = PrintExpr(module_, e.children[0]);
      if (callee == "env" || callee == "file") {
        std::string ref = callee + ":" + module_.expr(e.children[1]).text;
        std::string value, error;
        if (!ResolveSecret(ref, value, error)) throw Failure{error};
        return value;
      }
    }
    return Text(Eval(id));
  }

 private:
  Value Member(const Value& object, const std::string& name) {
    if (auto* record = std::get_if<Record>(&object)) {
      auto field = record->fields.find(name);
      if (auto why = record->unknown.find(name); why != record->unknown.end())
        throw Failure{fmt::format("`.{}`: {}", name, why->second)};
      if (field == record->fields.end()) throw Failure{fmt::format("{} has no field `{}`", record->kind, name)};
      return std::visit([](const auto& x) -> Value { return x; }, field->second);
    }
    if (auto* j = std::get_if<Json>(&object)) {
      if (!j->is_object()) throw Failure{fmt::format("`.{}` of JSON that is not an object: {}", name, Show(object))};
      auto it = j->find(name);
      if (it == j->end()) throw Failure{fmt::format("the JSON object has no member `{}`: {}", name, Show(object))};
      return *it;
    }
    if (auto* v = std::get_if<Version>(&object)) {
      if (name == "bare") return v->text.substr(1);
      size_t k = name == "major" ? 0 : name == "minor" ? 1 : 2;
      return k < v->parts.size() ? v->parts[k] : int64_t{0};
    }
    throw Failure{fmt::format("`.{}` of a value that has no members", name)};
  }

  Value Index(const Value& object, const Value& index) {
    auto item = [&](const auto& list) -> Value {
      int64_t k = std::get<int64_t>(index);
      if (k < 0 || static_cast<size_t>(k) >= list.size())
        throw Failure{fmt::format("index {} is out of range: the list has {} items", k, list.size())};
      return list[k];
    };
    if (auto* list = std::get_if<List>(&object)) return item(*list);
    if (auto* records = std::get_if<Records>(&object)) return item(*records);
    const Json& j = std::get<Json>(object);
    if (auto* k = std::get_if<int64_t>(&index)) {
      if (!j.is_array()) throw Failure{fmt::format("`[{}]` of JSON that is not an array: {}", *k, Show(object))};
      if (*k < 0 || static_cast<size_t>(*k) >= j.size())
        throw Failure{fmt::format("index {} is out of range: the JSON array has {} items", *k, j.size())};
      return j[*k];
    }
    return Member(object, std::get<std::string>(index));
  }

  // The text a conversion reads: a string, or a JSON string or number.
  std::string Source(const Value& v) {
    if (auto* j = std::get_if<Json>(&v)) {
      if (j->is_string()) return j->get<std::string>();
      if (j->is_number() || j->is_boolean()) return j->dump();
      throw Failure{fmt::format("expected a JSON string or number, found {}", Show(v))};
    }
    return std::get<std::string>(v);
  }

  Value Conversion(const std::string& name, const std::vector<Value>& args) {
    std::string error;
    auto fail = [&] { return Failure{fmt::format("`{}` cannot convert this: {}", name, Redact(error))}; };
    const Value& arg = args.at(0);
    if (name == "string") return Text(arg);
    if (name == "int") {
      if (auto* i = std::get_if<int64_t>(&arg)) return *i;
      int64_t n = 0;
      if (!convert::ToInt(Source(arg), n, error)) throw fail();
      return n;
    }
    if (name == "float") {
      if (auto* i = std::get_if<int64_t>(&arg)) return static_cast<double>(*i);
      if (auto* f = std::get_if<double>(&arg)) return *f;
      double f = 0;
      if (!convert::ToFloat(Source(arg), f, error)) throw fail();
      return f;
    }
    if (name == "size" || name == "duration") {
      Dimension dim = name == "size" ? Dimension::Size : Dimension::Duration;
      int64_t amount = 0;
      if (!convert::ToQuantity(Source(arg), dim, amount, error)) throw fail();
      return Quantity{dim, amount};
    }
    if (name == "version") {
      if (auto* v = std::get_if<Version>(&arg)) return *v;
      Version v;
      if (!convert::ToVersion(Source(arg), v.parts, v.text, error)) throw fail();
      return v;
    }
    if (name == "json") {
      Json j;
      if (!convert::ToJson(std::get<std::string>(arg), j, error)) throw fail();
      return j;
    }
    if (name == "trim") return convert::Trim(std::get<std::string>(arg));
    if (name == "lines") return convert::Lines(std::get<std::string>(arg));
    if (name == "split") {
      List parts;
      if (!convert::Split(std::get<std::string>(arg), std::get<std::string>(args.at(1)), parts, error)) throw fail();
      return parts;
    }
    // len
    if (auto* s = std::get_if<std::string>(&arg)) return static_cast<int64_t>(s->size());
    if (auto* list = std::get_if<List>(&arg)) return static_cast<int64_t>(list->size());
    if (auto* records = std::get_if<Records>(&arg)) return static_cast<int64_t>(records->size());
    const Json& j = std::get<Json>(arg);
    if (j.is_string()) return static_cast<int64_t>(j.get<std::string>().size());
    if (!j.is_array() && !j.is_object()) throw Failure{fmt::format("`len` of JSON {}", Show(arg))};
    return static_cast<int64_t>(j.size());
  }

  Value Output(const Expr& e) {
    std::string input =
        plan::InputName(module_.expr(e.children.at(1)).text, module_.expr(e.children.at(2)).text);
    const OutputValue* found = nullptr;
    if (outputs_ != nullptr)
      if (auto it = outputs_->find(input); it != outputs_->end()) found = &it->second;
    if (found == nullptr)
      throw Failure{fmt::format("the output `{}` is not known: its step has not succeeded in this run", input)};
    return Decode(*found);
  }

  Value Call(const Expr& e) {
    std::string callee = PrintExpr(module_, e.children[0]);
    static const std::vector<std::string> kConversions = {"int",  "float", "size",  "duration", "version", "json",
                                                          "trim", "lines", "split", "len",      "string"};
    if (callee == kOutputFunction) return Output(e);
    if (callee == "gpu.devices") return GpuRecords(ReadDevices());
    if (callee == "gpu.conforms") return Conforms(e);
    if (std::find(kConversions.begin(), kConversions.end(), callee) != kConversions.end()) {
      std::vector<Value> args;
      for (size_t i = 1; i < e.children.size(); ++i) args.push_back(Eval(e.children[i]));
      return Conversion(callee, args);
    }
    std::vector<std::string> args;
    for (size_t i = 1; i < e.children.size(); ++i) args.push_back(TextArg(e.children[i]));
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
    if (callee != "exec" && callee != "shell")
      throw Failure{fmt::format("this runtime cannot evaluate the probe `{}` yet; re-plan with a newer sparkc",
                                callee)};
    ProcessSpec spec;
    spec.argv = callee == "shell" ? std::vector<std::string>{"/bin/sh", "-c", args.at(0)} : args;
    spec.timeout_ms = left;
    for (const Field& option : e.fields) {
      const Expr& value = module_.expr(option.value);
      if (option.name == "cwd") spec.cwd = TextArg(option.value);
      if (option.name == "stdin") {
        spec.has_stdin = true;
        spec.stdin_text = TextArg(option.value);
      }
      if (option.name == "env")
        for (const Field& var : value.fields) spec.env.emplace_back(var.name, TextArg(var.value));
    }
    ProcessResult r = RunProcess(spec, &ProbesAbandoned());
    if (r.cancelled) throw Failure{kProbeAbandoned};
    if (!r.started || r.timed_out) throw Failure{fmt::format("{}(\"{}\"): {}", callee, args[0], r.Summary())};
    int64_t exit = r.signal != 0 ? 128 + r.signal : r.exit_code;
    return Record{"exec result", {{"exit", exit}, {"stdout", r.out}, {"stderr", r.err}}};
  }

  std::vector<GpuDevice> ReadDevices() {
    std::vector<GpuDevice> devices;
    std::string error;
    if (!ReadGpuDevices(Left(), &ProbesAbandoned(), devices, error))
      throw Failure{ProbesAbandoned().load() ? kProbeAbandoned : error};
    return devices;
  }

  static Version VersionOf(const GpuVersion& v) { return {v.parts, v.text}; }

  static Records GpuRecords(const std::vector<GpuDevice>& devices) {
    Records out;
    for (const GpuDevice& d : devices) {
      Record r{"gpu device",
               {{"index", d.index},
                {"uuid", d.uuid},
                {"name", d.name},
                {"memory", Quantity{Dimension::Size, d.memory_bytes}},
                {"driver", VersionOf(d.driver)},
                {"mig", d.mig}},
               {}};
      if (d.cuda) r.fields["cuda"] = VersionOf(*d.cuda);
      else r.unknown["cuda"] = fmt::format("nvidia-smi reports no CUDA version (\"{}\")", d.cuda_reported);
      if (d.compute_capability) r.fields["compute_capability"] = VersionOf(*d.compute_capability);
      else r.unknown["compute_capability"] = fmt::format("nvidia-smi reports no compute capability for GPU {}", d.index);
      out.push_back(std::move(r));
    }
    return out;
  }

  // gpu.conforms(hardware = ..., model = ..., ...), as the compiler wrote it
  // (compiler/eval/builtins.cpp): a false result explains every mismatch.
  Value Conforms(const Expr& e) {
    DeclaredGpus declared;
    std::string hardware;
    auto version = [&](ExprId id) {
      Version v = std::get<Version>(Eval(id));
      return GpuVersion{std::move(v.parts), std::move(v.text)};
    };
    for (size_t k = 1; k < e.children.size(); ++k) {
      const std::string& name = e.arg_names.at(k - 1);
      ExprId arg = e.children[k];
      if (name == "hardware") hardware = std::get<std::string>(Eval(arg));
      else if (name == "model") declared.model = std::get<std::string>(Eval(arg));
      else if (name == "names")
        for (ExprId item : module_.expr(arg).children) declared.reported.push_back(std::get<std::string>(Eval(item)));
      else if (name == "count") declared.count = std::get<int64_t>(Eval(arg));
      else if (name == "memory") declared.memory_bytes = std::get<Quantity>(Eval(arg)).value;
      else if (name == "driver") declared.driver = version(arg);
      else if (name == "cuda") declared.cuda = version(arg);
      else if (name == "min_driver") declared.min_driver = version(arg);
      else if (name == "mig") declared.mig = std::get<bool>(Eval(arg));
      else throw Failure{fmt::format("gpu.conforms has no argument `{}`; re-plan with this sparkc", name)};
    }
    std::vector<std::string> mismatches = GpuMismatches(declared, ReadDevices());
    if (mismatches.empty()) return true;
    if (failure_.empty()) {
      failure_ = fmt::format("the GPUs of this machine do not conform to `{}`", hardware);
      for (const std::string& m : mismatches) failure_ += "; " + m;
    }
    return false;
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
    if (op == "+" && std::holds_alternative<std::string>(lhs)) {
      std::string joined = std::get<std::string>(lhs) + std::get<std::string>(rhs);
      if (joined.size() > kMaxStringBytes) throw Failure{"a string built at run time is longer than 1 MiB"};
      return joined;
    }
    if (std::holds_alternative<double>(lhs) || std::holds_alternative<double>(rhs)) {
      auto real = [](const Value& v) {
        if (auto* f = std::get_if<double>(&v)) return *f;
        return static_cast<double>(std::get<int64_t>(v));
      };
      double a = real(lhs), b = real(rhs);
      if (op == "/" && b == 0) throw Failure{"division by zero"};
      return op == "+" ? a + b : op == "-" ? a - b : op == "*" ? a * b : a / b;
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
    if (std::holds_alternative<double>(a) || std::holds_alternative<double>(b)) {
      auto real = [](const Value& v) {
        if (auto* f = std::get_if<double>(&v)) return *f;
        return static_cast<double>(std::get<int64_t>(v));
      };
      return three_way(real(a), real(b));
    }
    if (auto* i = std::get_if<int64_t>(&a)) return three_way(*i, std::get<int64_t>(b));
    if (auto* v = std::get_if<Version>(&a)) return convert::CompareVersions(v->parts, std::get<Version>(b).parts);
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
  const OutputTable* outputs_;
  const std::map<std::string, Value>* names_;
  std::chrono::steady_clock::time_point deadline_;
  std::string failure_;
};

bool Parse(const std::string& text, Module& module, ExprId& root, std::string& error) {
  if (ParseExpression(text, module, root, error)) return true;
  error = "the expression does not parse: " + error + "; re-plan with this sparkc";
  return false;
}

}  // namespace

CheckOutcome EvaluateCheck(const std::string& text, int64_t timeout_ms, const OutputTable* outputs) {
  if (ProbesAbandoned().load()) return {false, kProbeAbandoned, true};
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!Parse(text, module, root, error)) return {false, error};
  Evaluator evaluator(module, timeout_ms, outputs);
  try {
    Value v = evaluator.Eval(root);
    bool passed = std::get<bool>(v);
    if (passed) return {true, {}};
    return {false, Redact(evaluator.failure().empty() ? fmt::format("{} is false", text) : evaluator.failure())};
  } catch (const Failure& f) {
    return {false, Redact(f.message), f.message == kProbeAbandoned, true};
  } catch (const std::bad_variant_access&) {
    return {false, "the check has a type error; re-plan with this sparkc", false, true};
  }
}

bool EvaluateOutputs(const plan::Step& step, const ActionOutput& result, const OutputTable& known,
                     std::vector<std::pair<std::string, OutputValue>>& values, std::string& error) {
  std::map<std::string, Value> names;
  if (result.http) {
    names = {{"status", result.status}, {"body", result.body}};
  } else {
    names = {{"stdout", convert::CommandOutput(result.out)},
             {"stderr", convert::CommandOutput(result.err)},
             {"exit", result.exit}};
  }
  values.clear();
  if (result.truncated) {
    error = fmt::format("its output is longer than the {} KiB sparkc keeps of each stream, so its outputs cannot be "
                        "read from it", kDefaultOutputCap / 1024);
    return false;
  }
  for (const plan::Output& out : step.outputs) {
    Module module;
    ExprId root = kNoExpr;
    if (!Parse(out.expr, module, root, error)) return false;
    Evaluator evaluator(module, step.timeout_ms, &known, &names);
    OutputValue value{out.type, {}, out.secret};
    try {
      if (!Encode(evaluator.Eval(root), out.type, value.encoded))
        throw Failure{fmt::format("it is not a {}; re-plan with this sparkc", out.type)};
    } catch (const Failure& f) {
      error = fmt::format("output `{}` ({}): {}", out.name, out.expr, Redact(f.message));
      return false;
    } catch (const std::bad_variant_access&) {
      error = fmt::format("output `{}` ({}) has a type error; re-plan with this sparkc", out.name, out.expr);
      return false;
    }
    if (out.secret) {
      std::string why;
      for (const std::string& text : {value.encoded, OutputText(value)})
        if (!RememberSecretValue(text, why)) {
          error = fmt::format("output `{}` is a secret (its step read one), and {}", out.name, why);
          return false;
        }
    }
    values.emplace_back(out.name, std::move(value));
  }
  return true;
}

bool ResolveInputs(plan::Action& action, const OutputTable& outputs, int64_t timeout_ms, std::string& error) {
  return plan::ExpandAction(
      action,
      [&](std::string_view expr, std::string& out, std::string& why) {
        Module module;
        ExprId root = kNoExpr;
        if (!Parse(std::string(expr), module, root, why)) return false;
        Evaluator evaluator(module, timeout_ms, &outputs);
        try {
          out = evaluator.TextArg(root);
          return true;
        } catch (const Failure& f) {
          why = Redact(f.message);
        } catch (const std::bad_variant_access&) {
          why = fmt::format("`{}` has a type error; re-plan with this sparkc", expr);
        }
        return false;
      },
      error);
}

std::string OutputText(const OutputValue& value) {
  try {
    return Text(Decode(value));
  } catch (const Failure&) {
    return value.encoded;
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
