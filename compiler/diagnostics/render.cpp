// Rendering is a cold path: line/column lookups happen here only.
#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <ostream>

#include "compiler/diagnostics/diagnostics.h"

namespace sparkc {
namespace {

size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void RenderSnippet(const SourceFile& file, Span span, std::ostream& out) {
  LineCol start = file.Locate(span.begin);
  std::string_view line = file.LineText(start.line);
  std::string gutter = std::to_string(start.line);
  std::string pad(gutter.size(), ' ');
  out << fmt::format(" {} | {}\n", gutter, line);
  // Keep tabs from the source so the caret lines up however tabs render.
  std::string indent;
  auto line_begin = static_cast<uint32_t>(line.data() - file.text().data());
  for (uint32_t i = line_begin; i < span.begin; ++i) {
    unsigned char c = file.text()[i];
    if ((c & 0xC0) == 0x80) continue;
    indent += c == '\t' ? '\t' : ' ';
  }
  uint32_t line_end = line_begin + static_cast<uint32_t>(line.size());
  uint32_t end = std::min(std::max(span.end, span.begin), line_end);
  size_t width = end > span.begin ? CodePoints(file.text().substr(span.begin, end - span.begin)) : 1;
  out << fmt::format(" {} | {}^{}\n", pad, indent, std::string(width > 1 ? width - 1 : 0, '~'));
}

std::string Location(const SourceManager& sources, Span span) {
  if (!span.valid()) return "sparkc";
  const SourceFile& file = sources.file(span.file);
  LineCol at = file.Locate(span.begin);
  return fmt::format("{}:{}:{}", file.display(), at.line, at.column);
}

std::vector<const Diagnostic*> InSourceOrder(const Diagnostics& diags) {
  std::vector<const Diagnostic*> list;
  for (const Diagnostic& d : diags.all()) list.push_back(&d);
  // Phases report in their own order; readers want the file's order. Stable,
  // so diagnostics at one position keep the order they were emitted in.
  std::stable_sort(list.begin(), list.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::pair(a->span.file, a->span.begin) < std::pair(b->span.file, b->span.begin);
  });
  return list;
}

}  // namespace

void RenderText(const Diagnostics& diags, std::ostream& out) {
  const SourceManager& sources = diags.sources();
  for (const Diagnostic* diagnostic : InSourceOrder(diags)) {
    const Diagnostic& d = *diagnostic;
    const char* severity = d.severity == Severity::Error ? "error" : "warning";
    out << fmt::format("{}: {}[{}]: {}\n", Location(sources, d.span), severity, CodeOf(d.kind),
                       d.message);
    if (d.span.valid()) RenderSnippet(sources.file(d.span.file), d.span, out);
    for (const DiagnosticNote& note : d.notes) {
      if (note.span.valid()) {
        out << fmt::format("{}: note: {}\n", Location(sources, note.span), note.message);
        RenderSnippet(sources.file(note.span.file), note.span, out);
      } else {
        out << fmt::format("  note: {}\n", note.message);
      }
    }
    if (!d.suggestion.empty()) out << fmt::format("  help: {}\n", d.suggestion);
  }
  if (diags.error_count() > 0)
    out << fmt::format("{} error{} generated\n", diags.error_count(),
                       diags.error_count() == 1 ? "" : "s");
}

void RenderJson(const Diagnostics& diags, std::ostream& out) {
  const SourceManager& sources = diags.sources();
  auto located = [&](nlohmann::ordered_json& j, Span span) {
    if (!span.valid()) return;
    const SourceFile& file = sources.file(span.file);
    LineCol begin = file.Locate(span.begin), end = file.Locate(span.end);
    j["file"] = file.display();
    j["line"] = begin.line;
    j["column"] = begin.column;
    j["end_line"] = end.line;
    j["end_column"] = end.column;
  };
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Diagnostic* diagnostic : InSourceOrder(diags)) {
    const Diagnostic& d = *diagnostic;
    nlohmann::ordered_json j;
    j["code"] = CodeOf(d.kind);
    j["severity"] = d.severity == Severity::Error ? "error" : "warning";
    j["message"] = d.message;
    located(j, d.span);
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const DiagnosticNote& note : d.notes) {
      nlohmann::ordered_json n;
      n["message"] = note.message;
      located(n, note.span);
      notes.push_back(std::move(n));
    }
    j["notes"] = std::move(notes);
    if (!d.suggestion.empty()) j["suggestion"] = d.suggestion;
    list.push_back(std::move(j));
  }
  nlohmann::ordered_json root;
  root["diagnostics"] = std::move(list);
  root["errors"] = diags.error_count();
  out << root.dump(2) << "\n";
}

}  // namespace sparkc
