// How long one step can take: the figures every time bound is made of, by
// its estimates or by its timeouts, and the backoff the runtime sleeps
// between attempts. One place, so that the compiler's proofs and the
// runtime's behaviour cannot drift apart.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

// A process that outlives its timeout gets SIGTERM, then SIGKILL this much later.
constexpr int64_t kKillGraceMs = 2000;

// The pause after failed attempt `attempt` (1-based) before the next one.
int64_t RetryBackoffMs(int64_t attempt);

enum class Basis {
  Estimate,  // every attempt takes at most the step's estimate
  Timeout,   // whatever the durations: what timeouts enforce
};

struct StepTime {
  int64_t ms = 0;         // kUnbounded when nothing bounds it
  std::string unbounded;  // why, when it is unbounded
  bool bounded() const { return ms != kUnbounded; }
};

// A step's `do` and `check`, every attempt of it and the backoff between them.
StepTime ForwardTime(const Step& step, Basis basis);
// A step's undo and its `undo_check` (an undo runs once).
StepTime UndoTime(const Step& step, Basis basis);

}  // namespace sparkc::plan
