#include "compiler/eval/value.h"

#include <fmt/format.h>

#include "compiler/ast/ast.h"

namespace sparkc::eval {
namespace {

struct Unit {
  const char* name;
  int64_t factor;
};

// Largest first; sizes prefer binary units, then decimal ones.
const std::vector<Unit>& UnitsOf(Dimension dim) {
  static const std::vector<Unit> kDuration = {{"d", 86'400'000}, {"h", 3'600'000}, {"min", 60'000},
                                              {"s", 1000}, {"ms", 1}};
  static const std::vector<Unit> kSize = {
      {"PiB", int64_t{1} << 50}, {"TiB", int64_t{1} << 40}, {"GiB", int64_t{1} << 30},
      {"MiB", int64_t{1} << 20}, {"KiB", int64_t{1} << 10}, {"PB", 1'000'000'000'000'000},
      {"TB", 1'000'000'000'000}, {"GB", 1'000'000'000}, {"MB", 1'000'000}, {"KB", 1000}, {"B", 1}};
  static const std::vector<Unit> kCpu = {{"cpu", 1000}, {"mcpu", 1}};
  static const std::vector<Unit> kBandwidth = {{"Tbps", 1'000'000'000'000}, {"Gbps", 1'000'000'000},
                                               {"Mbps", 1'000'000}, {"Kbps", 1000}, {"bps", 1}};
  switch (dim) {
    case Dimension::Duration: return kDuration;
    case Dimension::Size: return kSize;
    case Dimension::Cpu: return kCpu;
    case Dimension::Bandwidth: return kBandwidth;
  }
  return kDuration;
}

std::string ShowVersion(const std::vector<int64_t>& parts) {
  std::string out = "v";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '.';
    out += std::to_string(parts[k]);
  }
  return out;
}


template <typename F>
std::string JoinList(const Value& v, F&& each) {
  std::string out = "[";
  for (size_t k = 0; k < v.list->size(); ++k) out += (k ? ", " : "") + each((*v.list)[k]);
  return out + "]";
}

template <typename F>
std::string JoinFields(const Value& v, F&& each) {
  if (v.fields->empty()) return "{}";
  std::string out = "{ ";
  for (size_t k = 0; k < v.fields->size(); ++k)
    out += (k ? ", " : "") + (*v.fields)[k].key + " = " + each((*v.fields)[k].value);
  return out + " }";
}

}  // namespace

std::string ShowFloat(double f) {
  std::string out = fmt::format("{}", f);
  if (out.find_first_of(".eE") == std::string::npos && out.find_first_of("ni") == std::string::npos)
    out += ".0";
  return out;
}

const Value* Value::Field(std::string_view name) const {
  if (!fields) return nullptr;
  for (const Entry& e : *fields)
    if (e.key == name) return &e.value;
  return nullptr;
}

Value MakeBool(bool b, Span span) {
  Value v;
  v.kind = Kind::Bool;
  v.i = b;
  v.span = span;
  return v;
}

Value MakeInt(int64_t i, Span span) {
  Value v;
  v.kind = Kind::Int;
  v.i = i;
  v.span = span;
  return v;
}

Value MakeString(std::string s, Span span) {
  Value v;
  v.kind = Kind::String;
  v.s = std::move(s);
  v.span = span;
  return v;
}

Value MakeQuantity(Dimension dim, int64_t amount, Span span) {
  Value v;
  v.kind = Kind::Quantity;
  v.dim = dim;
  v.i = amount;
  v.span = span;
  return v;
}

Value MakeList(std::vector<Value> items, Span span) {
  Value v;
  v.kind = Kind::List;
  v.list = std::make_shared<const std::vector<Value>>(std::move(items));
  v.span = span;
  return v;
}

Value MakeRuntime(Kind rt, std::string residual, int prec, Span span) {
  Value v;
  v.kind = Kind::Runtime;
  v.rt = rt;
  v.s = std::move(residual);
  v.prec = prec;
  v.span = span;
  return v;
}

std::string ShowQuantity(Dimension dim, int64_t amount) {
  if (amount == 0) return dim == Dimension::Duration ? "0 s" : fmt::format("0 {}", UnitsOf(dim).back().name);
  // The unit that divides exactly with the smallest count: 10 GB, not 9765625 KiB.
  const Unit* best = nullptr;
  for (const Unit& u : UnitsOf(dim)) {
    if (amount % u.factor != 0) continue;
    if (best == nullptr || std::abs(amount / u.factor) < std::abs(amount / best->factor)) best = &u;
  }
  return fmt::format("{} {}", amount / best->factor, best->name);
}

std::string TypeName(const Value& v) {
  switch (v.kind) {
    case Kind::Error: return "error";
    case Kind::None: return "none";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Json: return "json";
    case Kind::String: return "string";
    case Kind::Quantity: return std::string(DimensionName(v.dim));
    case Kind::Percent: return "percent";
    case Kind::Version: return "version";
    case Kind::Secret: return "secret";
    case Kind::List: return "list";
    case Kind::Map: return v.type.empty() ? "map" : "record " + v.type;
    case Kind::Enum: return "enum " + v.type;
    case Kind::Step: return "step";
    case Kind::StepGroup: return "fan-out";
    case Kind::Phase: return "phase";
    case Kind::Action: return "action";
    case Kind::Irreversible: return "irreversible";
    case Kind::Runtime: {
      Value shape;
      shape.kind = v.rt;
      shape.dim = v.dim;
      shape.type = v.type;
      if (v.rt == Kind::Map) return v.type;
      return "runtime " + TypeName(shape);
    }
    case Kind::Module: return "module";
    case Kind::Type: return "type";
    case Kind::Function: return "function";
    case Kind::Template: return "template";
  }
  return "?";
}

std::string Show(const Value& v) {
  switch (v.kind) {
    case Kind::Bool: return v.i ? "true" : "false";
    case Kind::Int: return std::to_string(v.i);
    case Kind::Float: return ShowFloat(v.f);
    case Kind::String: return QuoteString(v.s);
    case Kind::Quantity: return ShowQuantity(v.dim, v.i);
    case Kind::Percent: return std::to_string(v.i) + "%";
    case Kind::Version: return v.s.empty() ? ShowVersion(v.version) : v.s;
    case Kind::Secret: return "secret " + v.s;
    case Kind::List: return JoinList(v, Show);
    case Kind::Map: return JoinFields(v, Show);
    case Kind::Enum: return v.type + "." + v.s;
    case Kind::Step: case Kind::StepGroup: case Kind::Phase: return v.s;
    case Kind::Irreversible: return "irreversible " + QuoteString(v.s);
    case Kind::Runtime: return v.s;
    case Kind::None: return "none";
    default: return TypeName(v);
  }
}

std::string Describe(const Value& v) {
  std::string shown = Show(v);
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  switch (v.kind) {
    case Kind::None: case Kind::Error: case Kind::Module: case Kind::Function:
    case Kind::Template: case Kind::Action:
      return TypeName(v);
    default: return fmt::format("{} `{}`", TypeName(v), shown);
  }
}

std::string Literal(const Value& v) {
  switch (v.kind) {
    case Kind::Secret: return SecretLiteral(v.s);
    case Kind::List: return JoinList(v, Literal);
    case Kind::Map: return JoinFields(v, Literal);
    case Kind::Enum: return QuoteString(v.s);
    case Kind::Step: case Kind::StepGroup: case Kind::Phase: return QuoteString(v.s);
    default: return Show(v);
  }
}

Value Shape(const Value& v) {
  if (v.kind != Kind::Runtime) return v;
  Value shape;
  shape.kind = v.rt;
  shape.dim = v.dim;
  shape.type = v.type;
  shape.span = v.span;
  if (shape.kind == Kind::Int || shape.kind == Kind::Quantity) shape.i = 1;
  if (shape.kind == Kind::Float) shape.f = 1;
  if (shape.kind == Kind::Map) shape.fields = std::make_shared<const std::vector<Entry>>();
  return shape;
}

std::string SecretLiteral(const std::string& ref) {
  bool env = ref.starts_with("env:");
  return fmt::format("{}({})", env ? "env" : "file", QuoteString(ref.substr(env ? 4 : 5)));
}

bool SameType(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::Quantity) return a.dim == b.dim;
  if (a.kind == Kind::Enum) return a.type == b.type;
  return true;
}

bool Orderable(const Value& a, const Value& b) {
  bool numbers = (a.kind == Kind::Int || a.kind == Kind::Float) &&
                 (b.kind == Kind::Int || b.kind == Kind::Float);
  if (numbers) return true;
  if (!SameType(a, b)) return false;
  return a.kind == Kind::Quantity || a.kind == Kind::Percent || a.kind == Kind::Version ||
         a.kind == Kind::String;
}

int Compare(const Value& a, const Value& b) {
  auto three = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (a.kind == Kind::Float || b.kind == Kind::Float) {
    double x = a.kind == Kind::Float ? a.f : static_cast<double>(a.i);
    double y = b.kind == Kind::Float ? b.f : static_cast<double>(b.i);
    return three(x, y);
  }
  switch (a.kind) {
    case Kind::String: return three(a.s.compare(b.s), 0);
    case Kind::Version: {
      // Component-wise; a missing component counts as 0, so v12 == v12.0.
      size_t n = std::max(a.version.size(), b.version.size());
      for (size_t k = 0; k < n; ++k) {
        int64_t x = k < a.version.size() ? a.version[k] : 0;
        int64_t y = k < b.version.size() ? b.version[k] : 0;
        if (x != y) return three(x, y);
      }
      return 0;
    }
    default: return three(a.i, b.i);
  }
}

bool Equal(const Value& a, const Value& b) {
  if (!SameType(a, b)) {
    bool numbers = (a.kind == Kind::Int || a.kind == Kind::Float) &&
                   (b.kind == Kind::Int || b.kind == Kind::Float);
    return numbers && Compare(a, b) == 0;
  }
  switch (a.kind) {
    case Kind::None: return true;
    case Kind::List: {
      if (a.list->size() != b.list->size()) return false;
      for (size_t k = 0; k < a.list->size(); ++k)
        if (!Equal((*a.list)[k], (*b.list)[k])) return false;
      return true;
    }
    case Kind::Map: {
      if (a.fields->size() != b.fields->size()) return false;
      for (const Entry& e : *a.fields) {
        const Value* other = b.Field(e.key);
        if (other == nullptr || !Equal(e.value, *other)) return false;
      }
      return true;
    }
    case Kind::Float: case Kind::Version: return Compare(a, b) == 0;
    case Kind::String: case Kind::Secret: case Kind::Enum: case Kind::Step:
    case Kind::StepGroup: case Kind::Phase: case Kind::Irreversible:
      return a.s == b.s;
    default: return a.i == b.i;
  }
}

std::string InstanceKey(const Value& v) {
  if (v.kind == Kind::String || v.kind == Kind::Enum) return v.s;
  if (v.kind == Kind::Map) {
    if (const Value* name = v.Field("name"); name != nullptr && name->kind == Kind::String)
      return name->s;
  }
  if (v.kind == Kind::Runtime) return v.s;
  return Show(v);
}

}  // namespace sparkc::eval
