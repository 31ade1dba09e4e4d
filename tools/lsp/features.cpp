// The requests about one document: hover, definition, references, outline,
// formatting, quick fixes and semantic tokens.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "compiler/eval/eval.h"
#include "compiler/format/format.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/diff.h"
#include "tools/lsp/server.h"

namespace sparkc::lsp {
namespace {

// What a hover shows of a value: its first lines, not a whole inventory.
constexpr size_t kMaxHoverValue = 2000;

std::string Code(const std::string& text) { return "```spark\n" + text + "\n```"; }

// LSP SymbolKind numbers.
int SymbolKindOf(DeclKind kind) {
  switch (kind) {
    case DeclKind::Phase: return 3;        // Namespace
    case DeclKind::Step: return 12;        // Function
    case DeclKind::Gate: return 24;        // Event
    case DeclKind::Template: return 5;     // Class
    case DeclKind::Fn: return 12;          // Function
    case DeclKind::Enum: return 10;        // Enum
    case DeclKind::Record: return 23;      // Struct
    case DeclKind::Const: return 14;       // Constant
    case DeclKind::Param: return 13;       // Variable
    case DeclKind::Secret: return 20;      // Key
    case DeclKind::Invariant:
    case DeclKind::Require: return 17;     // Boolean
    case DeclKind::Window: return 18;      // Array (a stretch of the plan)
    case DeclKind::Hardware:
    case DeclKind::Service:
    case DeclKind::Environment:
    case DeclKind::Objective: return 19;   // Object
    default: return 2;                     // Module
  }
}

// The semantic token type (index into the legend) of what a name refers to.
int TokenTypeOf(const Symbol& symbol, const Decl* decl) {
  enum { kNamespace, kType, kEnum, kStruct, kEnumMember, kProperty, kFunction, kEvent, kParameter, kVariable };
  switch (symbol.kind) {
    case Symbol::Kind::Module: return kNamespace;
    case Symbol::Kind::RecordField: return kProperty;
    case Symbol::Kind::EnumMember: return kEnumMember;
    case Symbol::Kind::Local: return kParameter;
    case Symbol::Kind::Decl: break;
  }
  if (decl == nullptr) return kVariable;
  switch (decl->kind) {
    case DeclKind::Step:
    case DeclKind::Gate: return kEvent;
    case DeclKind::Fn: return kFunction;
    case DeclKind::Template: return 15;  // macro
    case DeclKind::Record: return kStruct;
    case DeclKind::Enum: return kEnum;
    case DeclKind::Phase: return kNamespace;  // "type" is for units
    default: return kVariable;
  }
}

}  // namespace

int Server::ModuleOf(const Analysis& a, const Document& doc) const {
  for (uint32_t m = 0; m < a.program.modules.size(); ++m) {
    FileId file = a.program.modules[m].ast.file;
    if (file != kNoFile && sources_.file(file).path() == doc.path) return static_cast<int>(m);
  }
  return -1;
}

std::string Server::HoverText(const Analysis& a, const Document& doc, uint32_t module, uint32_t offset,
                              Span& range) const {
  std::vector<std::string> parts;
  const Module& ast = a.program.modules[module].ast;
  Diagnostics scratch(sources_);
  eval::Evaluator ev(a.program, a.names, scratch);
  auto value_of = [&](eval::Value v) -> std::string {
    if (!v.ok() || v.kind == eval::Kind::Module || v.kind == eval::Kind::Function || v.kind == eval::Kind::Template)
      return "";
    return eval::TypeName(v) + " = " + HeadUtf8(eval::Show(v), kMaxHoverValue);
  };

  const Occurrence* occ = a.index ? a.index->At(ast.file, offset) : nullptr;
  if (occ != nullptr) {
    range = occ->span;
    const Symbol& s = occ->symbol;
    const Decl* decl = a.index->DeclOf(s);
    switch (s.kind) {
      case Symbol::Kind::Module:
        parts.push_back(Code(fmt::format("module {}", sources_.file(s.definition.file).display())));
        if (!a.program.modules[s.module].ast.decls.empty()) {
          for (const Decl& d : a.program.modules[s.module].ast.decls)
            if (d.kind == DeclKind::Module && !d.doc.empty()) parts.push_back(d.doc);
        }
        break;
      case Symbol::Kind::RecordField: {
        const Param& p = decl->params[s.member];
        std::string line = fmt::format("(field) {}.{}: {}", decl->name, p.name, p.type.name);
        if (p.default_value != kNoExpr)
          line += " = " + PrintExpr(a.program.modules[s.module].ast, p.default_value);
        parts.push_back(Code(line));
        break;
      }
      case Symbol::Kind::EnumMember:
        parts.push_back(Code(fmt::format("(enum member) {}.{}", decl->name, decl->members[s.member])));
        break;
      case Symbol::Kind::Local:
        parts.push_back(Code(fmt::format("(local) {}", sources_.file(s.definition.file).text().substr(
                                                           s.definition.begin, s.definition.end - s.definition.begin))));
        break;
      case Symbol::Kind::Decl: {
        std::string head = fmt::format("{} {}", DeclKeyword(decl->kind), decl->name);
        if (decl->kind == DeclKind::Phase && !decl->title.empty()) head += " " + QuoteString(decl->title);
        if (decl->kind == DeclKind::Const || decl->kind == DeclKind::Param || decl->kind == DeclKind::Hardware ||
            decl->kind == DeclKind::Service || decl->kind == DeclKind::Environment) {
          std::string v = value_of(ev.Global(s.module, s.decl));
          if (!v.empty()) head += ": " + v;
        }
        parts.push_back(Code(head));
        if (!decl->doc.empty()) parts.push_back(decl->doc);
        if (decl->kind == DeclKind::Step || decl->kind == DeclKind::Gate) {
          std::string id = a.program.modules[s.module].prefix + decl->name;
          const plan::Plan& plan = a.plan;
          const std::vector<std::string>& path = plan.forward.estimate.steps;
          for (const plan::Step& step : plan.steps) {
            if (step.id != id && !step.id.starts_with(id + "[")) continue;
            std::vector<std::string> lines;
            lines.push_back(fmt::format("**{}**{}", step.id, step.phase.empty() ? "" : " · phase `" + step.phase + "`"));
            if (!step.gate) {
              lines.push_back("do: `" + plan::ShowField("do", plan::ActionToJson(step.action)) + "`");
              lines.push_back("undo: `" + plan::ShowField("undo", plan::UndoToJson(step.undo)) + "`");
            }
            lines.push_back(fmt::format("estimate {} · timeout {} · retries {}", plan::HumanDuration(step.estimate_ms),
                                        plan::HumanDuration(step.timeout_ms), step.retries));
            if (!step.after.empty()) lines.push_back(fmt::format("after: {}", fmt::join(step.after, ", ")));
            auto on = std::find(path.begin(), path.end(), step.id);
            if (on != path.end())
              lines.push_back(fmt::format("on the critical path: step {} of {} (the run takes at most {} by estimate)",
                                          on - path.begin() + 1, path.size(),
                                          plan::HumanDuration(plan.forward.estimate.total_ms)));
            else if (!path.empty())
              lines.push_back("not on the critical path");
            parts.push_back(fmt::format("{}", fmt::join(lines, "  \n")));
            if (parts.size() > 8) break;  // a wide fan-out: its first instances
          }
          if (!a.planned) parts.push_back("*the spec does not compile yet: no plan to show*");
        }
        break;
      }
    }
  }

  // The value of the expression under the cursor: `spark.gpu.memory`.
  const Expr* best = nullptr;
  for (const Expr& e : ast.exprs) {
    if (e.kind != ExprKind::Name && e.kind != ExprKind::Member) continue;
    if (e.span.file != ast.file || offset < e.span.begin || offset > e.span.end) continue;
    if (best == nullptr || e.span.end - e.span.begin < best->span.end - best->span.begin) best = &e;
  }
  if (best != nullptr && !(occ != nullptr && occ->declaration)) {
    std::string v = value_of(ev.Eval(module, ast.id_of(*best)));
    if (!v.empty()) {
      parts.insert(parts.begin(), Code(PrintExpr(ast, ast.id_of(*best)) + ": " + v));
      if (occ == nullptr) range = best->span;
    }
  }

  // A diagnostic here: what its code means.
  if (auto it = analyses_.find(doc.uri); it != analyses_.end()) {
    for (const Diagnostic& d : it->second->diags.all()) {
      if (!d.span.valid() || d.span.file != ast.file || offset < d.span.begin || offset > d.span.end) continue;
      parts.push_back(fmt::format("**{}** {}\n\n{}", CodeOf(d.kind), SummaryOf(d.kind), ExplanationOf(d.kind)));
      break;
    }
  }
  return fmt::format("{}", fmt::join(parts, "\n\n---\n\n"));
}

Json Server::Hover(const Json& params) {
  Document& doc = DocumentOf(params);
  uint32_t offset = Offset(doc, params.at("position"));
  const Analysis& a = AnalysisOf(doc);
  int m = ModuleOf(a, doc);
  if (m < 0) return nullptr;
  Span range;
  std::string text = HoverText(a, doc, static_cast<uint32_t>(m), offset, range);
  if (text.empty()) return nullptr;
  Json hover = {{"contents", {{"kind", "markdown"}, {"value", text}}}};
  if (range.valid()) hover["range"] = Range(range.file, range.begin, range.end);
  return hover;
}

Json Server::Definition(const Json& params) {
  Document& doc = DocumentOf(params);
  uint32_t offset = Offset(doc, params.at("position"));
  const Analysis& a = AnalysisOf(doc);
  int m = ModuleOf(a, doc);
  if (m < 0 || !a.index) return nullptr;
  const Occurrence* occ = a.index->At(a.program.modules[m].ast.file, offset);
  if (occ == nullptr || !occ->symbol.definition.valid()) return nullptr;
  return LocationOf(occ->symbol.definition);
}

Json Server::References(const Json& params) {
  Document& doc = DocumentOf(params);
  uint32_t offset = Offset(doc, params.at("position"));
  bool declaration = params.contains("context") && params["context"].value("includeDeclaration", true);
  const Analysis& a = AnalysisOf(doc);
  int m = ModuleOf(a, doc);
  Json result = Json::array();
  if (m < 0 || !a.index) return result;
  const Occurrence* occ = a.index->At(a.program.modules[m].ast.file, offset);
  if (occ == nullptr) return result;
  for (const Occurrence& use : a.index->Uses(occ->symbol))
    if (declaration || !use.declaration) result.push_back(LocationOf(use.span));
  return result;
}

Json Server::Symbols(const Json& params) {
  Document& doc = DocumentOf(params);
  const Analysis& a = AnalysisOf(doc);
  int m = ModuleOf(a, doc);
  Json result = Json::array();
  if (m < 0) return result;
  const Module& ast = a.program.modules[m].ast;
  auto symbol = [&](const Decl& d) {
    std::string name = d.kind == DeclKind::Objective ? "objective" : d.name;
    Span selection = d.name_span.valid() ? d.name_span : d.span;
    Json s = {{"name", name.empty() ? DeclKeyword(d.kind) : name},
              {"detail", d.kind == DeclKind::Phase ? d.title : DeclKeyword(d.kind)},
              {"kind", SymbolKindOf(d.kind)},
              {"range", Range(ast.file, d.span.begin, d.span.end)},
              {"selectionRange", Range(ast.file, selection.begin, selection.end)}};
    return s;
  };
  // Steps and gates nest under the phase they name.
  std::map<std::string, size_t> phase_at;
  for (const Decl& d : ast.decls) {
    if (d.kind == DeclKind::Import || d.kind == DeclKind::Module) continue;
    if (d.kind == DeclKind::Phase) phase_at[d.name] = result.size();
    result.push_back(symbol(d));
  }
  Json top = Json::array();
  std::vector<bool> nested(result.size(), false);
  for (size_t i = 0, k = 0; i < ast.decls.size(); ++i) {
    const Decl& d = ast.decls[i];
    if (d.kind == DeclKind::Import || d.kind == DeclKind::Module) continue;
    size_t at = k++;
    if (d.kind != DeclKind::Step && d.kind != DeclKind::Gate) continue;
    for (const Field& f : d.block.fields) {
      if (f.name != "phase" || f.value == kNoExpr || ast.expr(f.value).kind != ExprKind::Name) continue;
      auto p = phase_at.find(ast.expr(f.value).text);
      if (p == phase_at.end()) continue;
      result[p->second]["children"].push_back(result[at]);
      nested[at] = true;
    }
  }
  for (size_t i = 0; i < result.size(); ++i)
    if (!nested[i]) top.push_back(result[i]);
  return top;
}

Json Server::Formatting(const Json& params) {
  Document& doc = DocumentOf(params);
  SourceManager scratch_sources;
  FileId file = scratch_sources.Add(doc.path, doc.path, doc.text);
  Diagnostics scratch(scratch_sources);
  Module parsed = ParseFile(scratch_sources, file, scratch);
  if (scratch.has_errors())
    Fail(kRequestFailed, "the file has syntax errors; fix them before formatting");
  std::string formatted = format::Format(doc.text);
  if (!format::SameButLayout(doc.text, formatted))
    Fail(kRequestFailed, "the formatter would change more than the layout; please report this file");
  Json edits = Json::array();
  if (formatted != doc.text) {
    LineMap lines(doc.text);
    Position end = lines.ToPosition(static_cast<uint32_t>(doc.text.size()), encoding_);
    edits.push_back({{"range", {{"start", {{"line", 0}, {"character", 0}}},
                                {"end", {{"line", end.line}, {"character", end.character}}}}},
                     {"newText", formatted}});
  }
  return edits;
}

Json Server::CodeActions(const Json& params) {
  Document& doc = DocumentOf(params);
  const Json& range = params.at("range");
  uint32_t begin = Offset(doc, range.at("start")), end = Offset(doc, range.at("end"));
  Json actions = Json::array();
  auto it = analyses_.find(doc.uri);
  if (it == analyses_.end()) return actions;
  for (const Diagnostic& d : it->second->diags.all()) {
    if (d.fixes.empty() || !d.span.valid() || sources_.file(d.span.file).path() != doc.path) continue;
    if (d.span.end < begin || d.span.begin > end) continue;
    Json edits = Json::array();
    for (const DiagnosticFix& fix : d.fixes)
      edits.push_back({{"range", Range(fix.span.file, fix.span.begin, fix.span.end)}, {"newText", fix.text}});
    actions.push_back({{"title", d.fixes.front().title},
                       {"kind", "quickfix"},
                       {"isPreferred", true},
                       {"diagnostics", {DiagnosticJson(d, d.span.file)}},
                       {"edit", {{"changes", {{doc.uri, edits}}}}}});
  }
  return actions;
}

Json Server::SemanticTokens(const Json& params) {
  Document& doc = DocumentOf(params);
  bool is_nul = false;
  Json data = Json::array();
  if (FindInvalidText(doc.text, is_nul) >= 0) return {{"data", data}};
  std::vector<ClassifiedToken> tokens = Highlight(doc.text);
  const Analysis* a = nullptr;
  if (auto it = analyses_.find(doc.uri); it != analyses_.end() && it->second->parsed) a = it->second.get();
  int m = a != nullptr ? ModuleOf(*a, doc) : -1;
  FileId file = m >= 0 ? a->program.modules[m].ast.file : kNoFile;
  LineMap lines(doc.text);
  uint32_t last_line = 0, last_char = 0;
  auto emit = [&](uint32_t begin, uint32_t end, int type, int modifiers) {
    // A token may not span lines: a block comment is sent line by line.
    while (begin < end) {
      size_t nl = doc.text.find('\n', begin);
      uint32_t stop = nl == std::string::npos || nl >= end ? end : static_cast<uint32_t>(nl);
      if (stop > begin) {
        Position p = lines.ToPosition(begin, encoding_);
        uint32_t length = UnitsOf(std::string_view(doc.text).substr(begin, stop - begin), encoding_);
        uint32_t delta_line = p.line - last_line;
        uint32_t delta_char = delta_line == 0 ? p.character - last_char : p.character;
        data.insert(data.end(), {delta_line, delta_char, length, type, modifiers});
        last_line = p.line;
        last_char = p.character;
      }
      begin = stop + 1;
    }
  };
  enum { kDeclaration = 1, kReadonly = 2, kDocumentation = 4, kDefaultLibrary = 8 };
  for (const ClassifiedToken& t : tokens) {
    int type = -1, modifiers = 0;
    switch (t.cls) {
      case TokenClass::Keyword: type = 10; break;
      case TokenClass::String: type = 11; break;
      case TokenClass::Number:
      case TokenClass::Version: type = 12; break;
      case TokenClass::Unit: type = 1; break;
      case TokenClass::Comment: type = 13; break;
      case TokenClass::DocComment: type = 13; modifiers = kDocumentation; break;
      case TokenClass::Operator: type = 14; break;
      case TokenClass::Field: type = 5; break;
      case TokenClass::Identifier: type = 9; break;
    }
    if ((t.cls == TokenClass::Identifier || t.cls == TokenClass::Field) && file != kNoFile && a->index) {
      const Occurrence* occ = a->index->At(file, t.begin);
      if (occ != nullptr && occ->span.begin <= t.begin && occ->span.end >= t.end) {
        type = TokenTypeOf(occ->symbol, a->index->DeclOf(occ->symbol));
        if (occ->declaration) modifiers |= kDeclaration;
        if (occ->symbol.kind == Symbol::Kind::Decl && a->program.prelude >= 0 &&
            occ->symbol.module == static_cast<uint32_t>(a->program.prelude))
          modifiers |= kDefaultLibrary;
      }
    }
    emit(t.begin, t.end, type, modifiers);
  }
  return {{"data", data}};
}

}  // namespace sparkc::lsp
