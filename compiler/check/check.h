// The checker: lowers every step of a resolved program into a typed plan
// step (actions, durations, checks), reporting type, unit and field errors.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan/plan.h"
#include "compiler/resolve/resolve.h"

namespace sparkc {

struct CheckedSpec {
  std::string module;               // the root module's name
  int64_t rto_ms = -1, rpo_ms = -1;
  std::vector<plan::Phase> phases;  // in declaration order
  std::vector<plan::Step> steps;    // parallel to Names::steps; `after` sorted
  std::vector<Span> step_spans;     // each step's name, for later diagnostics
};

// Timeout of a step that states none.
constexpr int64_t kDefaultTimeoutMs = 3'600'000;
constexpr int64_t kMaxRetries = 100;

bool CheckProgram(const Program& program, const Names& names, Diagnostics& diags,
                  CheckedSpec& spec);

}  // namespace sparkc
