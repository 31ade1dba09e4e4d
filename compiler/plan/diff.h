// A semantic diff of two plans for reviewers: steps added, removed and
// changed (field by field), and dependency edges added and removed.
#pragma once

#include <string>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

// Writes the differences in a stable order (by step id, then field, then
// edge); returns false when the plans are equal.
bool Diff(const Plan& old_plan, const Plan& new_plan, std::string& out);

}  // namespace sparkc::plan
