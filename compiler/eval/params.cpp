// `param NAME: TYPE = default`: a value given when the plan is made, read
// with its type's rules (the conversions of compiler/eval/convert.h).
#include <fmt/format.h>

#include "compiler/eval/convert.h"
#include "compiler/eval/eval.h"

namespace sparkc::eval {

Value Evaluator::ParamOf(uint32_t module, const Decl& decl) {
  const ParamValue* given = nullptr;
  if (params_ != nullptr && module == 0)
    if (auto it = params_->find(decl.name); it != params_->end()) given = &it->second;
  if (given == nullptr) {
    if (decl.value != kNoExpr) return Coerce(Eval(module, decl.value), decl.type, module);
    diags_.Error(DiagnosticKind::E0214, decl.name_span, fmt::format("parameter `{}` has no value", decl.name))
        .Suggest(fmt::format("give it: --var {}=VALUE, `{}: VALUE` in a --var-file, or SPARKC_VAR_{}=VALUE; or a "
                             "default: param {}: {} = ...",
                             decl.name, decl.name, decl.name, decl.name, decl.type.name));
    return {};
  }
  const std::string& type = decl.type.name;
  std::string error;
  auto refuse = [&](const std::string& why) {
    diags_.Error(DiagnosticKind::E0208, decl.name_span,
                 fmt::format("parameter `{}` ({}): {}", decl.name, given->source, why));
    return Value{};
  };
  Value v;
  v.span = decl.name_span;
  if (type == "string") return MakeString(given->text, decl.name_span);
  if (type == "bool") {
    if (given->text != "true" && given->text != "false") return refuse("expected true or false");
    return MakeBool(given->text == "true", decl.name_span);
  }
  if (type == "int") {
    if (!convert::ToInt(given->text, v.i, error)) return refuse(error);
    v.kind = Kind::Int;
    return v;
  }
  if (type == "float") {
    if (!convert::ToFloat(given->text, v.f, error)) return refuse(error);
    v.kind = Kind::Float;
    return v;
  }
  if (type == "version") {
    if (!convert::ToVersion(given->text, v.version, v.s, error)) return refuse(error);
    v.kind = Kind::Version;
    return v;
  }
  for (Dimension dim : {Dimension::Duration, Dimension::Size, Dimension::Cpu, Dimension::Bandwidth}) {
    if (type != DimensionName(dim)) continue;
    if (!convert::ToQuantity(given->text, dim, v.i, error)) return refuse(error);
    v.kind = Kind::Quantity;
    v.dim = dim;
    return v;
  }
  // An enum: the member the text names.
  Value named = Lookup(module, type, decl.type.span, false);
  if (named.kind == Kind::Type) {
    const Decl& target = program_.modules[named.i].ast.decls[std::stoul(named.s)];
    if (target.kind == DeclKind::Enum) {
      if (std::find(target.members.begin(), target.members.end(), given->text) == target.members.end()) {
        std::string close = ClosestMatch(given->text, target.members);
        std::string members;
        for (const std::string& m : target.members) members += (members.empty() ? "" : ", ") + m;
        return refuse(fmt::format("`{}` is not a member of enum `{}` ({}){}", given->text, type, members,
                                  close.empty() ? "" : fmt::format("; did you mean `{}`?", close)));
      }
      v.kind = Kind::Enum;
      v.type = target.name;
      v.s = given->text;
      return v;
    }
  }
  diags_.Error(DiagnosticKind::E0202, decl.type.span,
               fmt::format("a parameter is a string, int, float, bool, quantity, version or enum, found `{}`", type));
  return {};
}

}  // namespace sparkc::eval
