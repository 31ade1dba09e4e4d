// The one diagnostics engine every phase reports into. Phases record
// diagnostics; rendering (text or JSON) happens once, at the end.
#pragma once

#include <deque>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source.h"

namespace sparkc {

enum class DiagnosticKind {
#define DIAGNOSTIC(code, summary, explanation) code,
#include "compiler/diagnostics/diagnostic_kinds.def"
};

std::string_view CodeOf(DiagnosticKind kind);
std::string_view SummaryOf(DiagnosticKind kind);
// Finds a kind by its code ("E0301"); false when no such code exists.
bool FindDiagnostic(std::string_view code, DiagnosticKind& kind);
std::string_view ExplanationOf(DiagnosticKind kind);

enum class Severity { Error, Warning };

struct DiagnosticNote {
  Span span;  // may be invalid: a note without a location
  std::string message;
};

// An edit that carries out the suggestion: `text` in place of `span` (an
// empty span inserts). What an editor offers as a quick fix.
struct DiagnosticFix {
  Span span;
  std::string text;
  std::string title;  // "Change to `x`", "Add `undo = none`"
};

struct Diagnostic {
  DiagnosticKind kind;
  Severity severity;
  Span span;
  std::string message;
  std::vector<DiagnosticNote> notes;
  std::string suggestion;
  std::vector<DiagnosticFix> fixes;

  Diagnostic& Note(Span where, std::string text) {
    notes.push_back({where, std::move(text)});
    return *this;
  }
  Diagnostic& Suggest(std::string text) {
    suggestion = std::move(text);
    return *this;
  }
  Diagnostic& Fix(Span where, std::string text, std::string title) {
    fixes.push_back({where, std::move(text), std::move(title)});
    return *this;
  }
  // "did you mean `close`?", with the fix that writes `close` over `where`.
  Diagnostic& DidYouMean(Span where, const std::string& close);
};

class Diagnostics {
 public:
  explicit Diagnostics(const SourceManager& sources) : sources_(sources) {}

  // The returned reference stays valid while more diagnostics are added.
  Diagnostic& Error(DiagnosticKind kind, Span span, std::string message);
  Diagnostic& Warning(DiagnosticKind kind, Span span, std::string message);
  // One recorded before (a cached parse's), again.
  void Add(const Diagnostic& d) {
    errors_ += d.severity == Severity::Error;
    list_.push_back(d);
  }

  size_t error_count() const { return errors_; }
  size_t size() const { return list_.size(); }
  // Forgets every diagnostic after the first `n`: a phase that retries its
  // work a slower way takes back what the fast way reported.
  void Truncate(size_t n) {
    while (list_.size() > n) {
      errors_ -= list_.back().severity == Severity::Error;
      list_.pop_back();
    }
  }
  bool has_errors() const { return errors_ > 0; }
  const std::deque<Diagnostic>& all() const { return list_; }
  Diagnostic& at(size_t i) { return list_[i]; }
  const SourceManager& sources() const { return sources_; }

 private:
  const SourceManager& sources_;
  std::deque<Diagnostic> list_;
  size_t errors_ = 0;
};

// `file:line:col: error[E0102]: message`, the source line, a caret underline,
// notes the same way, then `help:` with the suggestion.
void RenderText(const Diagnostics& diags, std::ostream& out);
// The line `span` starts on, with a caret under the span: for a file that is
// not a spec (a plan) whose errors still point at what they are about.
void RenderSnippet(const SourceFile& file, Span span, std::ostream& out);
// {"diagnostics": [...], "errors": N} with 1-based lines and columns.
void RenderJson(const Diagnostics& diags, std::ostream& out);
// SARIF 2.1.0 for code-scanning tools: one run, the codes used as rules (with
// their explanations), notes with a location as related locations, columns
// in code points.
void RenderSarif(const Diagnostics& diags, std::string_view tool_version, std::ostream& out);
// GitHub Actions annotations (compiler/diagnostics/github.h), one per
// diagnostic, its notes and suggestion in the message.
void RenderGithub(const Diagnostics& diags, std::ostream& out);

// "did you mean" support: the candidate closest to `name` by edit distance,
// or "" when none is close enough to be a plausible typo.
std::string ClosestMatch(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace sparkc
