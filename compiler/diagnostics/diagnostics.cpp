#include "compiler/diagnostics/diagnostics.h"

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

Diagnostic& Diagnostics::Error(DiagnosticKind kind, Span span, std::string message) {
  ++errors_;
  return list_.emplace_back(Diagnostic{kind, Severity::Error, span, std::move(message), {}, {}});
}

Diagnostic& Diagnostics::Warning(DiagnosticKind kind, Span span, std::string message) {
  return list_.emplace_back(Diagnostic{kind, Severity::Warning, span, std::move(message), {}, {}});
}

std::string ClosestMatch(std::string_view name, const std::vector<std::string>& candidates) {
  llvm::StringRef target(name.data(), name.size());
  // A third of the name, at least one edit: "deplo" finds "deploy", "x" finds nothing.
  unsigned limit = std::max<unsigned>(1, static_cast<unsigned>(name.size()) / 3);
  std::string best;
  unsigned best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    unsigned distance = target.edit_distance(candidate, true, limit);
    if (distance < best_distance || (distance == best_distance && candidate < best)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best_distance <= limit ? best : std::string();
}

}  // namespace sparkc
