#include "compiler/diagnostics/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include <llvm/ADT/StringRef.h>

namespace sparkc {
namespace {

struct KindInfo {
  std::string_view code, summary, explanation;
};

constexpr KindInfo kKinds[] = {
#define DIAGNOSTIC(code, summary, explanation) {#code, summary, explanation},
#include "compiler/diagnostics/diagnostic_kinds.def"
};

}  // namespace

std::string_view CodeOf(DiagnosticKind kind) { return kKinds[static_cast<int>(kind)].code; }
std::string_view SummaryOf(DiagnosticKind kind) { return kKinds[static_cast<int>(kind)].summary; }
std::string_view ExplanationOf(DiagnosticKind kind) {
  return kKinds[static_cast<int>(kind)].explanation;
}

bool FindDiagnostic(std::string_view code, DiagnosticKind& kind) {
  for (size_t i = 0; i < std::size(kKinds); ++i) {
    if (llvm::StringRef(kKinds[i].code).equals_insensitive(llvm::StringRef(code.data(), code.size()))) {
      kind = static_cast<DiagnosticKind>(i);
      return true;
    }
  }
  return false;
}

Diagnostic& Diagnostic::DidYouMean(Span where, const std::string& close) {
  Suggest(fmt::format("did you mean `{}`?", close));
  return Fix(where, close, fmt::format("Change to `{}`", close));
}

Diagnostic& Diagnostics::Error(DiagnosticKind kind, Span span, std::string message) {
  ++errors_;
  return list_.emplace_back(Diagnostic{kind, Severity::Error, span, std::move(message), {}, {}, {}});
}

Diagnostic& Diagnostics::Warning(DiagnosticKind kind, Span span, std::string message) {
  return list_.emplace_back(Diagnostic{kind, Severity::Warning, span, std::move(message), {}, {}, {}});
}

namespace {

// Edits between two names, a swap of neighbours counting as one (`exce` is
// one from `exec`) and a change of case as none (`mTLS` is `mtls`): the
// typos people make. Optimal string alignment distance over folded case.
unsigned TypoDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::vector<unsigned>> d(a.size() + 1, std::vector<unsigned>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<unsigned>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<unsigned>(j);
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      unsigned cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string ClosestMatch(std::string_view name, const std::vector<std::string>& candidates) {
  // A third of the name, at least one edit: "deplo" finds "deploy", "x" finds nothing.
  unsigned limit = std::max<unsigned>(1, static_cast<unsigned>(name.size()) / 3);
  std::string best;
  unsigned best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    // Names far apart in length cannot be close; skip the table for them.
    size_t gap = candidate.size() > name.size() ? candidate.size() - name.size() : name.size() - candidate.size();
    if (gap > limit) continue;
    unsigned distance = TypoDistance(name, candidate);
    if (distance < best_distance || (distance == best_distance && candidate < best)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best_distance <= limit ? best : std::string();
}

}  // namespace sparkc
