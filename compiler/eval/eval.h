// The constant evaluator: computes every static value of a program, and the
// residual expression of everything that depends on probes. It is also the
// type checker: every operation checks its operands and reports with spans.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/compile/compile.h"
#include "compiler/eval/value.h"
#include "compiler/resolve/resolve.h"

namespace sparkc::eval {

// Local names: fn and template parameters, fan-out and comprehension variables.
struct Scope {
  const Scope* parent = nullptr;
  std::vector<std::pair<std::string, Value>> vars;

  const Value* Find(std::string_view name) const;
};

// One element of a comprehension: the item of the source list and the value
// the element expression gave for it.
struct Element {
  Value item;
  Value value;
};

// The type a runtime value carries for `step.outputs` (its `s` is the step).
constexpr const char* kStepOutputsType = "step outputs";
// "string", "int", "size", "json", ...: an output's type in the plan; "" for
// a value no output can have.
std::string OutputType(const Value& v);
// A runtime value whose residual reads outputs of steps.
bool UsesOutputs(const Value& v);

// The built-in functions and probes (`exec`, `file.exists`, ...).
const std::vector<std::string>& BuiltinNames();
// The options block of `exec` and `shell` (`{ env = ..., cwd = ... }`), or of
// `http.request`.
const std::vector<std::string>& ActionOptionNames(bool http);

// The longest list a spec may build, and the work evaluation may take
// beyond what the spec's size accounts for (Evaluator::max_work_).
constexpr size_t kMaxListItems = 1u << 18;
constexpr uint64_t kBaseWork = 4'000'000;

class Evaluator {
 public:
  Evaluator(const Program& program, const Names& names, Diagnostics& diags);

  Value Eval(uint32_t module, ExprId id, const Scope* scope = nullptr);
  // The value of a declaration, computed once.
  Value Global(uint32_t module, uint32_t decl);
  // The id a step or gate declaration gives its plan step(s).
  std::string StepId(uint32_t module, const Decl& decl) const;

  // Checks `v` against a written type; records get their defaults and every
  // field checked. Reports at v.span and returns an Error value on mismatch.
  Value Coerce(const Value& v, const TypeRef& type, uint32_t module);
  // `Hardware`, `Service`, `Environment`: the prelude's schemas.
  Value CoerceToRecord(const Value& v, const std::string& record, uint32_t module, Span at);

  // Reports a value that must be known at compile time but depends on a probe.
  bool RequireStatic(const Value& v, const char* where);

  // The elements of a comprehension (Aggregate or ListComp expression).
  std::vector<Element> Elements(uint32_t module, const Expr& e, const Scope* scope);
  Value Aggregate(const std::string& name, const std::vector<Value>& values, Span span);
  // Binds call arguments to a fn's or template's parameters, with defaults.
  bool BindArguments(const Decl& decl, uint32_t module, const std::vector<Value>& args,
                     const std::vector<std::string>& arg_names, Span span, Scope& scope);

  // The outputs a step declares, for `step.outputs.name` (step.cpp computes
  // them on first use); null when the step declares none.
  using OutputsOf = std::function<const std::vector<plan::Output>*(const std::string& step)>;
  void SetOutputsOf(OutputsOf outputs_of) { outputs_of_ = std::move(outputs_of); }
  // While an `outputs` field is evaluated: outputs come from the step's own
  // result, so `other.outputs` is refused.
  void EvaluatingOutputs(bool on) { evaluating_outputs_ = on; }
  // An output as later steps see it: a runtime value of its type.
  static Value OutputValue(const std::string& step, const plan::Output& out, Span span);
  // A value for an action's string (argv, env, stdin, cwd, URL, prompt): a
  // string as is (a literal `${{` escaped), a value known only at run time
  // that uses outputs as a placeholder (compiler/plan/template.h).
  bool ActionText(const Value& v, const std::string& what, std::string& out);

  void SetParams(const ParamValues* params) { params_ = params; }

  Diagnostics& diags() { return diags_; }
  const Program& program() const { return program_; }
  const Names& names() const { return names_; }

 private:
  Value Literal(const Module& ast, const Expr& e);
  Value Name(uint32_t module, const Expr& e, const Scope* scope);
  Value Lookup(uint32_t module, const std::string& name, Span span, bool report);
  bool Qualified(uint32_t module, ExprId id, Value& out);
  Value Member(const Value& object, const std::string& name, Span span);
  Value Index(const Value& object, const Value& index, Span span);
  Value Call(uint32_t module, const Expr& e, const Scope* scope);
  Value CallFunction(const Value& fn, const std::vector<Value>& args,
                     const std::vector<std::string>& names, Span span);
  Value Builtin(const std::string& name, uint32_t module, const Expr& e, const Scope* scope);
  enum class TextUse { Argv, Interpolation };
  bool TextOf(const Value& v, TextUse use, std::string& out);
  bool ArgvOf(const std::vector<Value>& args, std::vector<std::string>& argv);
  bool ActionOptions(uint32_t module, const Expr& call, const Scope* scope, plan::Action& out);
  bool StringOrSecret(const Value& v, const std::string& what, std::string& text, std::string& secret);
  bool StringOrSecretMap(const Value& v, const char* what, std::vector<std::pair<std::string, std::string>>& plain,
                         std::vector<std::pair<std::string, std::string>>& secret);
  Value Interpolate(uint32_t module, const Expr& e, const Scope* scope);
  Value Comprehension(uint32_t module, const Expr& e, const Scope* scope);
  Value Collection(const std::string& name, Span span);
  Value Unary(const std::string& op, const Value& operand, Span span);
  Value Binary(const std::string& op, const Value& lhs, const Value& rhs, Span span);
  Value Arithmetic(const std::string& op, const Value& lhs, const Value& rhs, Span span);
  Value GlobalUncached(uint32_t module, uint32_t decl);
  Value FanOut(uint32_t module, const Decl& decl);
  Value RecordOf(uint32_t module, const Decl& decl);
  bool FindRecord(uint32_t module, const std::string& name, uint32_t& rec_module, uint32_t& rec_decl);
  Value Overflow(Span span);
  Value StepOutputs(const Value& step, Span span);
  Value StepOutput(const Value& outputs, const std::string& name, Span span);
  bool RuntimeMember(const Value& object, const std::string& name, Span span, Value& out);
  bool RuntimeIndex(const Value& object, const Value& index, Span span, Value& out);
  Value Conversion(const std::string& name, const std::vector<Value>& args, Span span);
  Value GpuConforms(uint32_t module, const Expr& e, const Scope* scope);
  OutputsOf outputs_of_;
  const ParamValues* params_ = nullptr;
  Value ParamOf(uint32_t module, const Decl& decl);
  bool evaluating_outputs_ = false;

  const Program& program_;
  const Names& names_;
  Diagnostics& diags_;
  // Per module and declaration: its value once computed, or `computing`
  // while it is (reaching it again then is a cycle). Sized once, indexed
  // directly: every step's `after` looks its dependencies up here.
  struct GlobalSlot {
    std::optional<Value> value;
    bool computing = false;
  };
  std::vector<std::vector<GlobalSlot>> globals_;
  int call_depth_ = 0;
  // Work done so far, in expressions evaluated and list items built; past
  // max_work_ every evaluation fails at once (one E0110, no cascade).
  uint64_t work_ = 0;
  uint64_t max_work_ = kBaseWork;
  bool exhausted_ = false;
  bool Spend(uint64_t units, Span span);
};

}  // namespace sparkc::eval
