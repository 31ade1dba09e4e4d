// Evaluates a step's `check` (the canonical text stored in the plan) against
// the live system. The compiler has type-checked it (compiler/check).
#pragma once

#include <string>
#include <vector>

namespace sparkc::runtime {

struct CheckOutcome {
  bool passed = false;
  std::string detail;  // why it failed: the failing comparison and its values
  bool abandoned = false;  // a second signal stopped it: nothing is known
};

// Relative paths in probes resolve against the current directory, like the
// actions of the step.
// The detail is redacted: it may quote what a probe returned.
CheckOutcome EvaluateCheck(const std::string& text, int64_t timeout_ms);

// The secret references (`env("X")` as "env:X", `file("p")` as "file:p") a
// check reads, appended to `refs`.
void CollectSecretRefs(const std::string& text, std::vector<std::string>& refs);

}  // namespace sparkc::runtime
