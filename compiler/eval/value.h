// Values of the constant evaluator. Everything a spec declares is computed at
// compile time; what depends on the live system (probes) stays a Runtime
// value: its type is known and its residual expression goes into the plan.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/check/units.h"
#include "compiler/plan/plan.h"
#include "compiler/source/source.h"

namespace sparkc::eval {

enum class Kind {
  Error,         // already reported; every operation on it is silent
  None,
  Bool,          // i
  Int,           // i
  Float,         // f
  String,        // s
  Quantity,      // i in the base unit of dim
  Percent,       // i whole percent
  Version,       // version
  Secret,        // s = "env:NAME" or "file:PATH"
  List,          // list
  Map,           // fields; type = record name once checked against a record
  Enum,          // type = enum name, s = member
  Step,          // s = step id
  StepGroup,     // s = fan-out id, list = its instances (Step values)
  Phase,         // s = phase id
  Action,        // action
  Irreversible,  // s = reason
  Json,          // only as a Runtime value's kind: a JSON document read at run time
  Runtime,       // s = residual expression; rt, dim, type describe its value
  Module,        // i = module index
  Type,          // type = record or enum name, i = module index, s = decl index
  Function,      // i = module index, s = decl index
  Template,      // i = module index, s = decl index
};

struct Entry;

struct Value {
  Kind kind = Kind::Error;
  Span span;
  int64_t i = 0;
  Dimension dim = Dimension::Duration;
  double f = 0;
  std::string s;
  std::string type;
  std::vector<int64_t> version;
  std::shared_ptr<const std::vector<Value>> list;
  std::shared_ptr<const std::vector<Entry>> fields;
  std::shared_ptr<const plan::Action> action;
  Kind rt = Kind::Error;  // Runtime: the kind it evaluates to (Map: a probe result named by type)
  int prec = 9;           // Runtime: precedence of the residual's top operator

  bool ok() const { return kind != Kind::Error; }
  const Value* Field(std::string_view name) const;
};

struct Entry {
  std::string key;
  Span key_span;
  Value value;
};

Value MakeBool(bool b, Span span = {});
Value MakeInt(int64_t i, Span span = {});
Value MakeString(std::string s, Span span = {});
Value MakeQuantity(Dimension dim, int64_t amount, Span span = {});
Value MakeList(std::vector<Value> items, Span span = {});
Value MakeRuntime(Kind rt, std::string residual, int prec, Span span = {});

// "int", "size", "record Service", "list", "secret": how messages name a type.
std::string TypeName(const Value& v);
// A value as a user reads it: `10 GiB`, `"text"`, `[1, 2]`, `v12.4`.
std::string Show(const Value& v);
// "size `10 GiB`": a type and its value, for "expected X, found Y".
std::string Describe(const Value& v);
// The literal text of a static value inside a residual expression; it parses
// back to the same value.
std::string Literal(const Value& v);
// A float as the language writes it: `0.5`, `3.0`.
std::string ShowFloat(double f);
// The exact, human form of a quantity: the largest unit that divides it.
std::string ShowQuantity(Dimension dim, int64_t amount);

// The static type a Runtime value will have (a placeholder value of that
// kind), to type-check operations on it; any other value as is.
Value Shape(const Value& v);

bool Equal(const Value& a, const Value& b);
// -1, 0, 1; only for values Orderable() accepts with the same type.
int Compare(const Value& a, const Value& b);
bool Orderable(const Value& a, const Value& b);
bool SameType(const Value& a, const Value& b);

// `env("NAME")` or `file("path")`: how a secret reference is written back.
std::string SecretLiteral(const std::string& ref);

// An action as the canonical expression the runtime parses back
// (`exec("a") { env = { K = "v" } }`), for probes built from `exec`.
std::string PrintAction(const plan::Action& action);

// How fan-out instances are named: a string or enum as is, a record by its
// `name` field, a number in decimal.
std::string InstanceKey(const Value& v);

}  // namespace sparkc::eval
