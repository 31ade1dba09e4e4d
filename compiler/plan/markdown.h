// A plan as a reviewer reads it in a pull request (`sparkc plan --format
// markdown`): what it does, who approves what, where it cannot be undone,
// how long it is proven to take against its windows and RTO, and what is
// proven now and what is checked when it runs.
#pragma once

#include <string>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

std::string PlanMarkdown(const Plan& plan);

// Text as a Markdown table cell shows it: inline code, `|` escaped, on one
// line (DiffMarkdown's cells too).
std::string MarkdownCode(const std::string& text);

}  // namespace sparkc::plan
