// Evaluates a step's `check` (the canonical text stored in the plan) against
// the live system. The compiler has type-checked it (compiler/check).
#pragma once

#include <string>

namespace sparkc::runtime {

struct CheckOutcome {
  bool passed = false;
  std::string detail;  // why it failed: the failing comparison and its values
};

// Relative paths in probes resolve against the current directory, like the
// actions of the step.
CheckOutcome EvaluateCheck(const std::string& text, int64_t timeout_ms);

}  // namespace sparkc::runtime
