#include "tools/lsp/index.h"

#include <algorithm>
#include <optional>
#include <string>

#include "compiler/eval/eval.h"

namespace sparkc::lsp {
namespace {

// The record the prelude gives the blocks of `hardware`, `service` and
// `environment` declarations.
const char* SchemaOf(DeclKind kind) {
  switch (kind) {
    case DeclKind::Hardware: return "Hardware";
    case DeclKind::Service: return "Service";
    case DeclKind::Environment: return "Environment";
    default: return nullptr;
  }
}

struct RecordRef {
  uint32_t module;
  uint32_t decl;
};

}  // namespace

class IndexBuilder {
 public:
  IndexBuilder(const Program& program, const Names& names, Diagnostics& scratch, std::vector<Occurrence>& out)
      : program_(program), names_(names), ev_(program, names, scratch), out_(out) {}

  void Run() {
    for (uint32_t m = 0; m < program_.modules.size(); ++m)
      for (uint32_t d = 0; d < program_.modules[m].ast.decls.size(); ++d) Declaration(m, d);
  }

 private:
  struct Local {
    std::string name;
    Span definition;
  };
  using Locals = std::vector<Local>;

  const Module& Ast(uint32_t m) const { return program_.modules[m].ast; }

  void Add(Span span, const Symbol& symbol, bool declaration = false) {
    if (span.valid() && span.end > span.begin) out_.push_back({span, symbol, declaration});
  }

  Symbol DeclSymbol(uint32_t m, uint32_t d) const {
    return {Symbol::Kind::Decl, m, d, 0, Ast(m).decls[d].name_span};
  }

  Symbol ModuleSymbol(uint32_t m) const {
    return {Symbol::Kind::Module, m, 0, 0, {Ast(m).file, 0, 0}};
  }

  void Declaration(uint32_t m, uint32_t d) {
    const Decl& decl = Ast(m).decls[d];
    Locals locals;
    std::optional<RecordRef> record;
    switch (decl.kind) {
      case DeclKind::Module:
        return;
      case DeclKind::Import: {
        auto it = program_.modules[m].imports.find(ImportAlias(decl));
        if (it != program_.modules[m].imports.end()) Add(decl.name_span, ModuleSymbol(it->second));
        return;
      }
      case DeclKind::Objective:
        break;
      case DeclKind::Record:
        Add(decl.name_span, DeclSymbol(m, d), true);
        for (uint32_t i = 0; i < decl.params.size(); ++i) {
          const Param& p = decl.params[i];
          Add(p.span, {Symbol::Kind::RecordField, m, d, i, p.span}, true);
          Type(m, p.type);
          if (p.default_value != kNoExpr) Walk(m, p.default_value, locals, RecordOfType(m, p.type));
        }
        return;
      case DeclKind::Enum:
        Add(decl.name_span, DeclSymbol(m, d), true);
        for (uint32_t i = 0; i < decl.member_spans.size(); ++i)
          Add(decl.member_spans[i], {Symbol::Kind::EnumMember, m, d, i, decl.member_spans[i]}, true);
        return;
      case DeclKind::Fn:
      case DeclKind::Template:
        Add(decl.name_span, DeclSymbol(m, d), true);
        for (const Param& p : decl.params) {
          Type(m, p.type);
          if (p.default_value != kNoExpr) Walk(m, p.default_value, locals, RecordOfType(m, p.type));
          Symbol local{Symbol::Kind::Local, m, d, 0, p.span};
          Add(p.span, local, true);
          locals.push_back({p.name, p.span});
        }
        Type(m, decl.type);
        break;
      case DeclKind::Step:
        Add(decl.name_span, DeclSymbol(m, d), true);
        if (decl.fan_source != kNoExpr) Walk(m, decl.fan_source, locals, std::nullopt);
        if (!decl.fan_var.empty()) {
          Add(decl.fan_var_span, {Symbol::Kind::Local, m, d, 0, decl.fan_var_span}, true);
          locals.push_back({decl.fan_var, decl.fan_var_span});
        }
        break;
      case DeclKind::Const:
      case DeclKind::Param:
        Add(decl.name_span, DeclSymbol(m, d), true);
        Type(m, decl.type);
        record = RecordOfType(m, decl.type);
        break;
      default:
        Add(decl.name_span, DeclSymbol(m, d), true);
        if (const char* schema = SchemaOf(decl.kind)) record = FindRecord(m, schema);
        break;
    }
    if (decl.value != kNoExpr) Walk(m, decl.value, locals, record);
    if (decl.has_block) Fields(m, decl.block.fields, locals, record);
  }

  void Fields(uint32_t m, const std::vector<Field>& fields, const Locals& locals, std::optional<RecordRef> record) {
    for (const Field& f : fields) {
      std::optional<RecordRef> inner;
      if (record) {
        const Decl& rec = Ast(record->module).decls[record->decl];
        for (uint32_t i = 0; i < rec.params.size(); ++i) {
          if (rec.params[i].name != f.name) continue;
          Add(f.name_span, {Symbol::Kind::RecordField, record->module, record->decl, i, rec.params[i].span});
          inner = RecordOfType(record->module, rec.params[i].type);
        }
      }
      if (f.value != kNoExpr) Walk(m, f.value, locals, inner);
    }
  }

  // The record a written type names, itself or as the items of a list.
  std::optional<RecordRef> RecordOfType(uint32_t m, const TypeRef& type) {
    if (type.name.empty()) return std::nullopt;
    if ((type.name == "list" || type.name == "map") && !type.args.empty()) return RecordOfType(m, type.args[0]);
    return FindRecord(m, type.name);
  }

  std::optional<RecordRef> FindRecord(uint32_t m, const std::string& qualified) {
    std::string name = qualified.substr(qualified.rfind('.') + 1);
    auto in = [&](uint32_t module) -> std::optional<RecordRef> {
      auto it = names_.globals[module].find(name);
      if (it == names_.globals[module].end() || Ast(module).decls[it->second].kind != DeclKind::Record)
        return std::nullopt;
      return RecordRef{module, it->second};
    };
    if (auto r = in(m)) return r;
    if (program_.prelude >= 0)
      if (auto r = in(static_cast<uint32_t>(program_.prelude))) return r;
    for (uint32_t k = 0; k < program_.modules.size(); ++k)
      if (auto r = in(k)) return r;
    return std::nullopt;
  }

  void Type(uint32_t m, const TypeRef& type) {
    if (type.name.empty()) return;
    for (const TypeRef& arg : type.args) Type(m, arg);
    std::string name = type.name.substr(type.name.rfind('.') + 1);
    for (uint32_t module : {m, static_cast<uint32_t>(std::max(program_.prelude, 0))}) {
      auto it = names_.globals[module].find(name);
      if (it == names_.globals[module].end()) continue;
      DeclKind kind = Ast(module).decls[it->second].kind;
      if (kind != DeclKind::Record && kind != DeclKind::Enum) continue;
      const Span& at = type.span;
      Add({at.file, at.begin, std::min(at.end, static_cast<uint32_t>(at.begin + type.name.size()))},
          DeclSymbol(module, it->second));
      return;
    }
  }

  std::optional<Symbol> ResolveName(uint32_t m, const std::string& name, const Locals& locals) const {
    for (auto it = locals.rbegin(); it != locals.rend(); ++it)
      if (it->name == name) return Symbol{Symbol::Kind::Local, m, 0, 0, it->definition};
    if (auto it = names_.globals[m].find(name); it != names_.globals[m].end()) return DeclSymbol(m, it->second);
    if (auto it = program_.modules[m].imports.find(name); it != program_.modules[m].imports.end())
      return ModuleSymbol(it->second);
    if (program_.prelude >= 0) {
      auto p = static_cast<uint32_t>(program_.prelude);
      if (auto it = names_.globals[p].find(name); it != names_.globals[p].end()) return DeclSymbol(p, it->second);
    }
    for (uint32_t module : {m, static_cast<uint32_t>(std::max(program_.prelude, 0))}) {
      const std::vector<Decl>& decls = Ast(module).decls;
      for (uint32_t d = 0; d < decls.size(); ++d) {
        if (decls[d].kind != DeclKind::Enum) continue;
        auto at = std::find(decls[d].members.begin(), decls[d].members.end(), name);
        if (at == decls[d].members.end()) continue;
        auto i = static_cast<uint32_t>(at - decls[d].members.begin());
        return Symbol{Symbol::Kind::EnumMember, module, d, i, decls[d].member_spans[i]};
      }
    }
    return std::nullopt;
  }

  // What a Name or Member expression names.
  std::optional<Symbol> SymbolOf(uint32_t m, ExprId id, const Locals& locals) {
    const Expr& e = Ast(m).expr(id);
    if (e.kind == ExprKind::Name) return ResolveName(m, e.text, locals);
    if (e.kind != ExprKind::Member) return std::nullopt;
    // `std.gpu` as a whole may be an import's alias.
    std::string dotted = DottedName(Ast(m), id);
    if (!dotted.empty()) {
      std::string root = dotted.substr(0, dotted.find('.'));
      bool shadowed = names_.globals[m].contains(root) ||
                      std::any_of(locals.begin(), locals.end(), [&](const Local& l) { return l.name == root; });
      if (!shadowed)
        if (auto it = program_.modules[m].imports.find(dotted); it != program_.modules[m].imports.end())
          return ModuleSymbol(it->second);
    }
    std::optional<Symbol> object = SymbolOf(m, e.children[0], locals);
    if (!object) return std::nullopt;
    switch (object->kind) {
      case Symbol::Kind::Module: {
        auto it = names_.globals[object->module].find(e.text);
        if (it == names_.globals[object->module].end()) return std::nullopt;
        return DeclSymbol(object->module, it->second);
      }
      case Symbol::Kind::Decl: {
        const Decl& decl = Ast(object->module).decls[object->decl];
        if (decl.kind == DeclKind::Enum) {
          auto at = std::find(decl.members.begin(), decl.members.end(), e.text);
          if (at == decl.members.end()) return std::nullopt;
          auto i = static_cast<uint32_t>(at - decl.members.begin());
          return Symbol{Symbol::Kind::EnumMember, object->module, object->decl, i, decl.member_spans[i]};
        }
        bool valued = decl.kind == DeclKind::Const || decl.kind == DeclKind::Param || SchemaOf(decl.kind);
        if (!valued) return std::nullopt;
        return FieldOf(m, e.children[0], e.text);
      }
      case Symbol::Kind::RecordField:
        return FieldOf(m, e.children[0], e.text);
      default:
        return std::nullopt;
    }
  }

  // The field `name` of the record value `object` evaluates to.
  std::optional<Symbol> FieldOf(uint32_t m, ExprId object, const std::string& name) {
    eval::Value v = ev_.Eval(m, object);
    if (v.kind != eval::Kind::Map || v.type.empty()) return std::nullopt;
    std::optional<RecordRef> record = FindRecord(m, v.type);
    if (!record) return std::nullopt;
    const Decl& rec = Ast(record->module).decls[record->decl];
    for (uint32_t i = 0; i < rec.params.size(); ++i)
      if (rec.params[i].name == name)
        return Symbol{Symbol::Kind::RecordField, record->module, record->decl, i, rec.params[i].span};
    return std::nullopt;
  }

  // Where the loop variable of a comprehension is written: after its `for`.
  Span LoopVariable(uint32_t m, const Expr& e) {
    const SourceFile& file = ev_.diags().sources().file(Ast(m).file);
    std::string_view text = file.text().substr(e.span.begin, e.span.end - e.span.begin);
    for (size_t at = text.find("for"); at != std::string_view::npos; at = text.find("for", at + 3)) {
      size_t var = text.find_first_not_of(" \t\r\n", at + 3);
      if (var != std::string_view::npos && text.substr(var, e.text.size()) == e.text)
        return {Ast(m).file, static_cast<uint32_t>(e.span.begin + var),
                static_cast<uint32_t>(e.span.begin + var + e.text.size())};
    }
    return e.span;
  }

  void Walk(uint32_t m, ExprId id, const Locals& locals, std::optional<RecordRef> record) {
    if (id == kNoExpr) return;
    const Expr& e = Ast(m).expr(id);
    switch (e.kind) {
      case ExprKind::Name:
        if (auto s = ResolveName(m, e.text, locals)) Add(e.span, *s);
        return;
      case ExprKind::Member: {
        if (auto s = SymbolOf(m, id, locals)) {
          Span name{e.span.file, e.span.end - static_cast<uint32_t>(e.text.size()), e.span.end};
          // An import alias names the whole dotted expression.
          Add(s->kind == Symbol::Kind::Module ? e.span : name, *s);
          if (s->kind == Symbol::Kind::Module) return;
        }
        Walk(m, e.children[0], locals, std::nullopt);
        return;
      }
      case ExprKind::Map:
        Fields(m, e.fields, locals, record);
        return;
      case ExprKind::List:
        for (ExprId c : e.children) Walk(m, c, locals, record);
        return;
      case ExprKind::Aggregate:
      case ExprKind::ListComp: {
        size_t first = e.kind == ExprKind::Aggregate ? 1 : 0;  // the element; the source follows it
        if (first == 1) Walk(m, e.children[0], locals, std::nullopt);
        Walk(m, e.children[first + 1], locals, std::nullopt);
        Locals inner = locals;
        Span var = LoopVariable(m, e);
        Add(var, {Symbol::Kind::Local, m, 0, 0, var}, true);
        inner.push_back({e.text, var});
        Walk(m, e.children[first], inner, std::nullopt);
        if (e.children.size() > first + 2) Walk(m, e.children[first + 2], inner, std::nullopt);
        return;
      }
      default:
        for (ExprId c : e.children) Walk(m, c, locals, std::nullopt);
        Fields(m, e.fields, locals, std::nullopt);
        return;
    }
  }

  const Program& program_;
  const Names& names_;
  eval::Evaluator ev_;
  std::vector<Occurrence>& out_;
};

Index::Index(const Program& program, const Names& names, Diagnostics& scratch) : program_(program) {
  if (names.globals.size() == program.modules.size()) IndexBuilder(program, names, scratch, all_).Run();
  std::stable_sort(all_.begin(), all_.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.span.file != b.span.file ? a.span.file < b.span.file : a.span.begin < b.span.begin;
  });
}

const Occurrence* Index::At(FileId file, uint32_t offset) const {
  auto it = std::upper_bound(all_.begin(), all_.end(), std::pair(file, offset), [](auto key, const Occurrence& o) {
    return key.first != o.span.file ? key.first < o.span.file : key.second < o.span.begin;
  });
  // The innermost occurrence that contains the offset (or ends at it: the
  // cursor just after a name is on it).
  const Occurrence* best = nullptr;
  while (it != all_.begin()) {
    --it;
    if (it->span.file != file) break;
    if (offset <= it->span.end && (best == nullptr || it->span.end - it->span.begin < best->span.end - best->span.begin))
      best = &*it;
    if (offset > it->span.end && it->span.end + 4096 < offset) break;
  }
  return best;
}

std::vector<Occurrence> Index::Uses(const Symbol& symbol) const {
  std::vector<Occurrence> uses;
  for (const Occurrence& o : all_)
    if (o.symbol == symbol) uses.push_back(o);
  return uses;
}

const Decl* Index::DeclOf(const Symbol& symbol) const {
  if (symbol.kind == Symbol::Kind::Local || symbol.kind == Symbol::Kind::Module) return nullptr;
  if (symbol.module >= program_.modules.size()) return nullptr;
  const std::vector<Decl>& decls = program_.modules[symbol.module].ast.decls;
  return symbol.decl < decls.size() ? &decls[symbol.decl] : nullptr;
}

}  // namespace sparkc::lsp
