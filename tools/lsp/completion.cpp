// Completion: what may be written at the cursor, read from the text before
// it (the buffer being typed rarely parses) and the names of the document's
// last analysis that did.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "compiler/check/check.h"
#include "compiler/check/units.h"
#include "compiler/eval/eval.h"
#include "tools/lsp/server.h"

namespace sparkc::lsp {
namespace {

// LSP CompletionItemKind numbers.
enum ItemKind { kFunction = 3, kField = 5, kVariable = 6, kClass = 7, kModule = 9, kUnit = 11, kEnum = 13,
                kKeyword = 14, kEnumMember = 20, kConstant = 21, kStruct = 22, kEvent = 23 };

int ItemKindOf(DeclKind kind) {
  switch (kind) {
    case DeclKind::Step:
    case DeclKind::Gate: return kEvent;
    case DeclKind::Fn: return kFunction;
    case DeclKind::Template: return kClass;
    case DeclKind::Record: return kStruct;
    case DeclKind::Enum: return kEnum;
    case DeclKind::Phase: return kModule;
    case DeclKind::Const: return kConstant;
    default: return kVariable;
  }
}

const char* const kKeywords[] = {"module", "import", "as", "phase", "objective", "step", "gate", "template", "enum",
                                 "record", "const", "fn", "hardware", "environment", "service", "secret",
                                 "invariant", "require", "window", "param", "true", "false", "none",
                                 "irreversible", "and", "or", "not", "in", "contains", "if", "then", "else", "for"};

// Where an unmatched `{` before `at` opens, or npos. Strings and comments
// are skipped well enough for a line being typed.
size_t OpenBrace(std::string_view text, size_t at) {
  int depth = 0;
  for (size_t i = at; i-- > 0;) {
    char c = text[i];
    if (c == '}' || c == ']' || c == ')') ++depth;
    else if (c == '{' || c == '[' || c == '(') {
      if (depth == 0) return c == '{' ? i : std::string_view::npos;
      --depth;
    }
  }
  return std::string_view::npos;
}

std::string Tail(std::string_view text, size_t at, size_t max = 400) {
  size_t from = at > max ? at - max : 0;
  return std::string(text.substr(from, at - from));
}

class Completer {
 public:
  Completer(const Analysis* a, int module, const SourceManager& sources) : a_(a), module_(module), sources_(sources) {}

  Json Items(const std::string& text, uint32_t offset) {
    std::string before = Tail(text, offset);
    std::string line = before.substr(before.rfind('\n') == std::string::npos ? 0 : before.rfind('\n') + 1);
    std::smatch m;
    static const std::regex import_std(R"(^\s*import\s+std\.\w*$)");
    static const std::regex unit(R"((^|[^\w.])\d+(\.\d+)?\s*[A-Za-z_]*$)");
    static const std::regex member(R"(([A-Za-z_]\w*(\.[A-Za-z_]\w*)*)\.\w*$)");
    static const std::regex after_list(R"(\bafter\s*=\s*\[[^\]]*$)");
    static const std::regex phase_field(R"(\bphase\s*=\s*\w*$)");
    static const std::regex field_start(R"((^|[{;,])\s*\w*$)");
    if (std::regex_search(line, import_std)) return StdModules();
    if (std::regex_search(line, unit)) return Units();
    if (std::regex_search(line, m, member)) return Members(m[1].str());
    if (std::regex_search(before, after_list)) return Names({DeclKind::Step, DeclKind::Gate});
    if (std::regex_search(line, phase_field)) return Names({DeclKind::Phase});
    if (std::regex_search(line, field_start)) {
      size_t brace = OpenBrace(text, offset);
      if (brace != std::string_view::npos) {
        Json fields = BlockFields(text, brace);
        if (fields.is_object()) return fields;
      }
    }
    return Everything();
  }

 private:
  void Add(const std::string& label, int kind, const std::string& detail = "", const std::string& insert = "") {
    if (!seen_.insert(label).second) return;
    Json item = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) item["detail"] = detail;
    if (!insert.empty()) item["insertText"] = insert;
    items_.push_back(std::move(item));
  }

  Json Done() { return {{"isIncomplete", false}, {"items", std::move(items_)}}; }

  Json StdModules() {
    std::error_code ec;
    for (const std::string& dir : StdlibDirs())
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".spark" && entry.path().stem() != "prelude")
          Add(entry.path().stem().string(), kModule, "std." + entry.path().stem().string());
    return Done();
  }

  Json Units() {
    for (const std::string& u : UnitNames()) {
      Quantity q;
      std::string detail;
      if (MakeQuantity("1", u, q) == QuantityError::None) detail = std::string(DimensionName(q.dimension));
      Add(u, kUnit, detail);
    }
    return Done();
  }

  const Module* Ast(uint32_t m) const { return &a_->program.modules[m].ast; }
  bool Ready() const { return a_ != nullptr && module_ >= 0 && a_->names.globals.size() == a_->program.modules.size(); }

  // The members of what `chain` (`spark.gpu`, `std.gpu`, `Tier`) names.
  Json Members(const std::string& chain) {
    if (!Ready()) return Done();
    auto m = static_cast<uint32_t>(module_);
    const ModuleUnit& unit = a_->program.modules[m];
    if (auto it = unit.imports.find(chain); it != unit.imports.end()) return ModuleMembers(it->second);
    std::vector<std::string> parts;
    for (size_t at = 0;;) {
      size_t dot = chain.find('.', at);
      parts.push_back(chain.substr(at, dot - at));
      if (dot == std::string::npos) break;
      at = dot + 1;
    }
    // The longest prefix that is an import's alias, then a declaration in it.
    uint32_t target = m;
    size_t first = 0;
    for (size_t k = parts.size(); k-- > 1;) {
      std::string prefix;
      for (size_t i = 0; i < k; ++i) prefix += (i ? "." : "") + parts[i];
      if (auto it = unit.imports.find(prefix); it != unit.imports.end()) {
        target = it->second;
        first = k;
        break;
      }
    }
    const sparkc::Names& names = a_->names;
    auto find = [&](uint32_t module, const std::string& name, uint32_t& decl) {
      auto it = names.globals[module].find(name);
      if (it == names.globals[module].end()) return false;
      decl = it->second;
      return true;
    };
    uint32_t decl = 0, decl_module = target;
    if (!find(target, parts[first], decl)) {
      if (target != m || a_->program.prelude < 0 || !find(static_cast<uint32_t>(a_->program.prelude), parts[first], decl))
        return Done();
      decl_module = static_cast<uint32_t>(a_->program.prelude);
    }
    const Decl& d = Ast(decl_module)->decls[decl];
    if (d.kind == DeclKind::Enum && first + 1 == parts.size()) {
      for (const std::string& member : d.members) Add(member, kEnumMember, d.name);
      return Done();
    }
    Diagnostics scratch(sources_);
    eval::Evaluator ev(a_->program, a_->names, scratch);
    eval::Value v = ev.Global(decl_module, decl);
    for (size_t k = first + 1; k < parts.size() && v.ok(); ++k) {
      const eval::Value* field = v.Field(parts[k]);
      v = field != nullptr ? *field : eval::Value{};
    }
    if (v.kind == eval::Kind::Map && v.fields)
      for (const eval::Entry& e : *v.fields) Add(e.key, kField, eval::TypeName(e.value) + " = " + HeadUtf8(eval::Show(e.value), 80));
    else if (v.kind == eval::Kind::Step)
      Add("outputs", kField, "what the step's `outputs` declares");
    return Done();
  }

  Json ModuleMembers(uint32_t module) {
    for (const Decl& d : Ast(module)->decls)
      if (!d.name.empty() && d.kind != DeclKind::Import && d.kind != DeclKind::Module)
        Add(d.name, ItemKindOf(d.kind), DeclKeyword(d.kind));
    return Done();
  }

  Json Names(std::initializer_list<DeclKind> kinds) {
    if (!Ready()) return Done();
    auto m = static_cast<uint32_t>(module_);
    for (const Decl& d : Ast(m)->decls)
      if (std::find(kinds.begin(), kinds.end(), d.kind) != kinds.end()) Add(d.name, ItemKindOf(d.kind), DeclKeyword(d.kind));
    for (const auto& [alias, target] : a_->program.modules[m].imports)
      for (const Decl& d : Ast(target)->decls)
        if (std::find(kinds.begin(), kinds.end(), d.kind) != kinds.end())
          Add(alias + "." + d.name, ItemKindOf(d.kind), DeclKeyword(d.kind));
    return Done();
  }

  // The fields of the block whose `{` is at `brace`: a step's, a gate's,
  // the objective's, a window's, or a record's (`hardware`, a nested
  // `gpu = {`).
  Json BlockFields(const std::string& text, size_t brace) {
    std::string head = Tail(text, brace);
    std::smatch m;
    static const std::regex step(R"(\b(step|gate)\s+\w+(\s*\[[^\]]*\])?(\s*=[^{}]*)?\s*$)");
    static const std::regex objective(R"(\bobjective\s*$)");
    static const std::regex window(R"(\bwindow\s+\w+\s*$)");
    auto fields = [&](DeclKind kind) {
      for (const std::string& f : check::FieldsOf(kind)) Add(f, kField, DeclKeyword(kind), f + " = ");
      return Done();
    };
    if (std::regex_search(head, m, step)) return fields(m[1] == "gate" ? DeclKind::Gate : DeclKind::Step);
    if (std::regex_search(head, objective)) return fields(DeclKind::Objective);
    if (std::regex_search(head, window)) return fields(DeclKind::Window);
    static const std::regex options(R"(\b(exec|shell|http\.request)\s*\([^{}]*\)\s*$)");
    if (std::regex_search(head, m, options)) {
      for (const std::string& o : eval::ActionOptionNames(m[1] == "http.request"))
        Add(o, kField, m[1].str() + " option", o + " = ");
      return Done();
    }
    const Decl* record = BlockRecord(text, brace);
    if (record == nullptr) return Json();
    for (const Param& p : record->params) Add(p.name, kField, p.type.name, p.name + " = ");
    return Done();
  }

  const Decl* Record(const std::string& name) const {
    if (!Ready()) return nullptr;
    for (uint32_t m : {static_cast<uint32_t>(module_), static_cast<uint32_t>(std::max(a_->program.prelude, 0))})
      for (const Decl& d : Ast(m)->decls)
        if (d.kind == DeclKind::Record && d.name == name) return &d;
    return nullptr;
  }

  // The record a block is checked against: the prelude's schema of a
  // `hardware`, `service` or `environment` block, or the type of the field
  // whose `{` it is inside one of those.
  const Decl* BlockRecord(const std::string& text, size_t brace) {
    std::string head = Tail(text, brace);
    std::smatch m;
    static const std::regex entity(R"(\b(hardware|service|environment)\s+\w+\s*$)");
    static const std::regex nested(R"(\b(\w+)\s*=\s*$)");
    if (std::regex_search(head, m, entity)) {
      std::string kind = m[1];
      return Record(kind == "hardware" ? "Hardware" : kind == "service" ? "Service" : "Environment");
    }
    if (!std::regex_search(head, m, nested)) return nullptr;
    size_t up = OpenBrace(text, brace);
    const Decl* outer = up == std::string::npos ? nullptr : BlockRecord(text, up);
    if (outer == nullptr) return nullptr;
    for (const Param& p : outer->params) {
      if (p.name != m[1].str()) continue;
      const TypeRef& t = p.type.args.empty() ? p.type : p.type.args[0];  // list[Volume]: a Volume
      return Record(t.name.substr(t.name.rfind('.') + 1));
    }
    return nullptr;
  }

  Json Everything() {
    if (Ready()) {
      auto m = static_cast<uint32_t>(module_);
      for (const Decl& d : Ast(m)->decls)
        if (!d.name.empty() && d.kind != DeclKind::Import && d.kind != DeclKind::Module)
          Add(d.name, ItemKindOf(d.kind), DeclKeyword(d.kind));
      for (const auto& [alias, target] : a_->program.modules[m].imports) Add(alias, kModule, "import");
      if (a_->program.prelude >= 0)
        for (const Decl& d : Ast(static_cast<uint32_t>(a_->program.prelude))->decls)
          if (!d.name.empty() && d.kind != DeclKind::Module) Add(d.name, ItemKindOf(d.kind), "std.prelude");
    }
    for (const std::string& b : eval::BuiltinNames()) Add(b, kFunction, "built-in");
    for (const char* k : kKeywords) Add(k, kKeyword);
    return Done();
  }

 private:
  const Analysis* a_;
  int module_;
  const SourceManager& sources_;
  Json items_ = Json::array();
  std::set<std::string> seen_;
};

}  // namespace

Json Server::Completion(const Json& params) {
  Document& doc = DocumentOf(params);
  uint32_t offset = Offset(doc, params.at("position"));
  const Analysis* a = nullptr;
  int m = -1;
  if (analyses_.contains(doc.uri) || good_.contains(doc.uri)) {
    a = &AnalysisOf(doc);
    m = ModuleOf(*a, doc);
  }
  return Completer(a, m, sources_).Items(doc.text, offset);
}

}  // namespace sparkc::lsp
