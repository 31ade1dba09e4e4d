#include "compiler/ast/ast.h"

namespace sparkc {
namespace {

// Spans are compared unless the two trees come from two layouts of a file.
struct Compare {
  bool spans;

  bool Same(Span a, Span b) const {
    return !spans || (a.file == b.file && a.begin == b.begin && a.end == b.end);
  }

  bool Same(const std::vector<Field>& a, const std::vector<Field>& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].name != b[i].name || !Same(a[i].name_span, b[i].name_span) || a[i].value != b[i].value) return false;
    return true;
  }

  bool Same(const TypeRef& a, const TypeRef& b) const {
    if (a.name != b.name || !Same(a.span, b.span) || a.args.size() != b.args.size()) return false;
    for (size_t i = 0; i < a.args.size(); ++i)
      if (!Same(a.args[i], b.args[i])) return false;
    return true;
  }

  bool Same(const Expr& a, const Expr& b) const {
    return a.kind == b.kind && Same(a.span, b.span) && a.text == b.text && a.unit == b.unit &&
           a.int_value == b.int_value && a.children == b.children && a.arg_names == b.arg_names &&
           Same(a.fields, b.fields) && a.has_options == b.has_options;
  }

  bool Same(const Decl& a, const Decl& b) const {
    if (a.params.size() != b.params.size() || a.member_spans.size() != b.member_spans.size()) return false;
    for (size_t i = 0; i < a.params.size(); ++i) {
      const Param &p = a.params[i], &q = b.params[i];
      if (p.name != q.name || !Same(p.span, q.span) || !Same(p.type, q.type) || p.default_value != q.default_value)
        return false;
    }
    for (size_t i = 0; i < a.member_spans.size(); ++i)
      if (!Same(a.member_spans[i], b.member_spans[i])) return false;
    return a.kind == b.kind && Same(a.span, b.span) && Same(a.name_span, b.name_span) && a.name == b.name &&
           a.title == b.title && a.alias == b.alias && a.import_is_path == b.import_is_path && a.doc == b.doc &&
           Same(a.block.span, b.block.span) && Same(a.block.fields, b.block.fields) && a.has_block == b.has_block &&
           a.value == b.value && Same(a.type, b.type) && a.members == b.members && a.fan_var == b.fan_var &&
           Same(a.fan_var_span, b.fan_var_span) && a.fan_source == b.fan_source;
  }

  bool Same(const Module& a, const Module& b) const {
    if (a.decls.size() != b.decls.size() || a.exprs.size() != b.exprs.size()) return false;
    for (size_t i = 0; i < a.decls.size(); ++i)
      if (!Same(a.decls[i], b.decls[i])) return false;
    for (size_t i = 0; i < a.exprs.size(); ++i)
      if (!Same(a.exprs[i], b.exprs[i])) return false;
    return true;
  }
};

}  // namespace

bool SameTree(const Module& a, const Module& b) { return a.file == b.file && Compare{true}.Same(a, b); }

bool SameMeaning(const Module& a, const Module& b) { return Compare{false}.Same(a, b); }

}  // namespace sparkc
