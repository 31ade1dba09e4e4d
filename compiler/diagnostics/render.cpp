// Rendering is a cold path: line/column lookups happen here only.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <clocale>
#include <cwchar>
#include <locale.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/diagnostics/github.h"
#include "compiler/source/color.h"

namespace sparkc {
namespace {

// The columns `text` takes on a terminal: each code point's wcwidth in a
// UTF-8 locale (2 for East Asian wide and fullwidth ones and most emoji, 0
// for combining marks), a tab as one (the caret line keeps the tab).
size_t Columns(std::string_view text) {
  static locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  locale_t previous = utf8 != static_cast<locale_t>(0) ? uselocale(utf8) : static_cast<locale_t>(0);
  size_t columns = 0;
  for (size_t k = 0; k < text.size();) {
    auto c = static_cast<unsigned char>(text[k]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    char32_t point = n == 1 ? c : c & (0x7F >> n);
    for (size_t j = 1; j < n && k + j < text.size(); ++j) point = (point << 6) | (text[k + j] & 0x3F);
    int width = utf8 != static_cast<locale_t>(0) ? wcwidth(static_cast<wchar_t>(point)) : 1;
    columns += point == '\t' ? 1 : width < 0 ? 1 : static_cast<size_t>(width);
    k += n;
  }
  if (previous != static_cast<locale_t>(0)) uselocale(previous);
  return columns;
}

// Spaces as wide as `text` on a terminal, its tabs kept so that the caret
// lines up however tabs render.
std::string Blank(std::string_view text) {
  std::string out;
  size_t begin = 0;
  for (size_t k = 0; k <= text.size(); ++k) {
    if (k < text.size() && text[k] != '\t') continue;
    out += std::string(Columns(text.substr(begin, k - begin)), ' ');
    if (k < text.size()) out += '\t';
    begin = k + 1;
  }
  return out;
}

// A span over several lines shows each (at most kSpanLines, then the last),
// marked from where it starts to where it ends.
constexpr uint32_t kSpanLines = 4;

}  // namespace

void RenderSnippet(const SourceFile& file, Span span, std::ostream& out) {
  uint32_t end = std::max(span.end, span.begin);
  LineCol start = file.Locate(span.begin), stop = file.Locate(end);
  // A span that ends at the start of a line ends on the line before.
  if (stop.line > start.line && stop.column == 1) stop = file.Locate(end - 1);
  std::string gutter_width(std::to_string(stop.line).size(), ' ');
  auto show = [&](uint32_t number, uint32_t from, uint32_t to, bool first) {
    std::string_view line = file.LineText(number);
    auto line_begin = static_cast<uint32_t>(line.data() - file.text().data());
    auto line_end = line_begin + static_cast<uint32_t>(line.size());
    from = std::clamp(from, line_begin, line_end);
    to = std::clamp(to, from, line_end);
    std::string gutter = std::to_string(number);
    out << fmt::format(" {}{} | {}\n", std::string(gutter_width.size() - gutter.size(), ' '), gutter, line);
    size_t width = std::max<size_t>(1, Columns(file.text().substr(from, to - from)));
    std::string marks = (first ? "^" : "~") + std::string(width - 1, '~');
    out << fmt::format(" {} | {}{}\n", gutter_width, Blank(file.text().substr(line_begin, from - line_begin)),
                       Painted(Stream::Err, Paint::Error, marks));
  };
  if (stop.line == start.line) {
    show(start.line, span.begin, end, true);
    return;
  }
  for (uint32_t number = start.line; number <= stop.line; ++number) {
    if (number - start.line == kSpanLines - 1 && stop.line - number > 1) {
      out << fmt::format(" {} | ...\n", gutter_width);
      number = stop.line - 1;
      continue;
    }
    std::string_view line = file.LineText(number);
    auto line_begin = static_cast<uint32_t>(line.data() - file.text().data());
    // A continuation line from its first non-blank character: the code, not
    // the indentation.
    size_t code = std::min(line.find_first_not_of(" \t"), line.size());
    uint32_t from = number == start.line ? span.begin : line_begin + static_cast<uint32_t>(code);
    uint32_t to = number == stop.line ? end : line_begin + static_cast<uint32_t>(line.size());
    show(number, from, to, number == start.line);
  }
}

namespace {

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

// A relative path stays relative (to the directory sparkc ran in, which
// SARIF calls %SRCROOT%); everything outside RFC 3986's unreserved set and
// `/` is percent-encoded.
std::string FileUri(std::string_view path) {
  std::string uri = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::string_view("-._~/").find(static_cast<char>(c)) != std::string_view::npos)
      uri += static_cast<char>(c);
    else
      uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

nlohmann::ordered_json SarifLocation(const SourceManager& sources, Span span) {
  const SourceFile& file = sources.file(span.file);
  LineCol begin = file.Locate(span.begin), end = file.Locate(std::max(span.end, span.begin));
  nlohmann::ordered_json artifact = {{"uri", FileUri(file.display())}};
  if (!file.display().starts_with('/')) artifact["uriBaseId"] = "%SRCROOT%";
  nlohmann::ordered_json region = {{"startLine", begin.line}, {"startColumn", begin.column},
                                   {"endLine", end.line}, {"endColumn", end.column}};
  if (end.line == begin.line && end.column == begin.column) region["endColumn"] = begin.column + 1;
  return {{"physicalLocation", {{"artifactLocation", std::move(artifact)}, {"region", std::move(region)}}}};
}

}  // namespace

void RenderText(const Diagnostics& diags, std::ostream& out) {
  const SourceManager& sources = diags.sources();
  for (const Diagnostic* diagnostic : InSourceOrder(diags)) {
    const Diagnostic& d = *diagnostic;
    bool error = d.severity == Severity::Error;
    std::string label = fmt::format("{}[{}]", error ? "error" : "warning", CodeOf(d.kind));
    out << fmt::format("{}: {}: {}\n", Painted(Stream::Err, Paint::Bold, Location(sources, d.span)),
                       Painted(Stream::Err, error ? Paint::Error : Paint::Warning, label),
                       Painted(Stream::Err, Paint::Bold, d.message));
    if (d.span.valid()) RenderSnippet(sources.file(d.span.file), d.span, out);
    std::string note_label = Painted(Stream::Err, Paint::Note, "note");
    for (const DiagnosticNote& note : d.notes) {
      if (note.span.valid()) {
        out << fmt::format("{}: {}: {}\n", Location(sources, note.span), note_label, note.message);
        RenderSnippet(sources.file(note.span.file), note.span, out);
      } else {
        out << fmt::format("  {}: {}\n", note_label, note.message);
      }
    }
    if (!d.suggestion.empty())
      out << fmt::format("  {}: {}\n", Painted(Stream::Err, Paint::Help, "help"), d.suggestion);
  }
  if (diags.error_count() > 0)
    out << Painted(Stream::Err, Paint::Error,
                   fmt::format("{} error{} generated", diags.error_count(), diags.error_count() == 1 ? "" : "s"))
        << "\n";
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

void RenderGithub(const Diagnostics& diags, std::ostream& out) {
  const SourceManager& sources = diags.sources();
  for (const Diagnostic* diagnostic : InSourceOrder(diags)) {
    const Diagnostic& d = *diagnostic;
    std::vector<std::pair<std::string, std::string>> properties;
    // An error inside the stdlib is annotated where the user's spec calls
    // it: the runner can only place annotations on the repository's files.
    Span at = d.span;
    auto in_stdlib = [&](Span span) { return span.valid() && sources.file(span.file).display().starts_with("std/"); };
    if (in_stdlib(at))
      for (const DiagnosticNote& note : d.notes)
        if (note.span.valid() && !in_stdlib(note.span)) at = note.span;
    if (at.valid()) {
      const SourceFile& file = sources.file(at.file);
      LineCol begin = file.Locate(at.begin), end = file.Locate(at.end);
      properties = {{"file", file.display()},
                    {"line", std::to_string(begin.line)},
                    {"col", std::to_string(begin.column)},
                    {"endLine", std::to_string(end.line)},
                    {"endColumn", std::to_string(end.column)}};
    }
    properties.emplace_back("title", fmt::format("sparkc {}", CodeOf(d.kind)));
    std::string message = d.message;
    if (at.file != d.span.file && d.span.valid())
      message += fmt::format("\nin {}:{}", sources.file(d.span.file).display(),
                             sources.file(d.span.file).Locate(d.span.begin).line);
    for (const DiagnosticNote& note : d.notes) {
      std::string at;
      if (note.span.valid()) {
        const SourceFile& file = sources.file(note.span.file);
        at = fmt::format("{}:{}: ", file.display(), file.Locate(note.span.begin).line);
      }
      message += fmt::format("\nnote: {}{}", at, note.message);
    }
    if (!d.suggestion.empty()) message += "\nhelp: " + d.suggestion;
    out << GithubCommand(d.severity == Severity::Error ? "error" : "warning", properties, message);
  }
}

void RenderSarif(const Diagnostics& diags, std::string_view tool_version, std::ostream& out) {
  const SourceManager& sources = diags.sources();
  std::vector<const Diagnostic*> ordered = InSourceOrder(diags);
  // Rules: the codes that occur, in code order, so the output is the same
  // whatever order the phases reported in.
  auto by_code = [](DiagnosticKind a, DiagnosticKind b) { return CodeOf(a) < CodeOf(b); };
  std::vector<DiagnosticKind> kinds;
  for (const Diagnostic* d : ordered) kinds.push_back(d->kind);
  std::sort(kinds.begin(), kinds.end(), by_code);
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (DiagnosticKind kind : kinds)
    rules.push_back({{"id", CodeOf(kind)},
                     {"shortDescription", {{"text", SummaryOf(kind)}}},
                     {"fullDescription", {{"text", ExplanationOf(kind)}}},
                     {"help", {{"text", fmt::format("{}\n\nsparkc explain {}", ExplanationOf(kind), CodeOf(kind))}}}});
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const Diagnostic* diagnostic : ordered) {
    const Diagnostic& d = *diagnostic;
    // SARIF's message is plain text; what has no location of its own (notes
    // without a span, the suggestion) is part of it, as in the text output.
    std::string text = d.message;
    nlohmann::ordered_json related = nlohmann::ordered_json::array();
    for (const DiagnosticNote& note : d.notes) {
      if (!note.span.valid()) {
        text += "\nnote: " + note.message;
        continue;
      }
      nlohmann::ordered_json location = SarifLocation(sources, note.span);
      location["id"] = related.size();
      location["message"] = {{"text", note.message}};
      related.push_back(std::move(location));
    }
    if (!d.suggestion.empty()) text += "\nhelp: " + d.suggestion;
    auto rule = std::lower_bound(kinds.begin(), kinds.end(), d.kind, by_code);
    nlohmann::ordered_json result = {{"ruleId", CodeOf(d.kind)},
                                     {"ruleIndex", rule - kinds.begin()},
                                     {"level", d.severity == Severity::Error ? "error" : "warning"},
                                     {"message", {{"text", text}}}};
    result["locations"] = d.span.valid() ? nlohmann::ordered_json::array({SarifLocation(sources, d.span)})
                                         : nlohmann::ordered_json::array();
    if (!related.empty()) result["relatedLocations"] = std::move(related);
    results.push_back(std::move(result));
  }
  nlohmann::ordered_json driver = {{"name", "sparkc"}, {"version", tool_version}, {"rules", std::move(rules)}};
  nlohmann::ordered_json run = {{"tool", {{"driver", std::move(driver)}}},
                                {"columnKind", "unicodeCodePoints"},
                                {"results", std::move(results)}};
  nlohmann::ordered_json root = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                                 {"version", "2.1.0"},
                                 {"runs", nlohmann::ordered_json::array({std::move(run)})}};
  out << root.dump(2) << "\n";
}

}  // namespace sparkc
