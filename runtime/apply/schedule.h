// The walks `apply` and `rollback` run, built in one place: for the
// runtime, and for the tests that check its time bounds against them.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/apply/walker.h"

namespace sparkc::runtime {

struct PlannedWalk {
  std::vector<std::vector<uint32_t>> deps;
  std::vector<bool> runnable;
  WalkOptions options;  // jobs, fan-out concurrency and claiming; the caller adds the hooks
};

// deps[i]: the plan indices step i waits for.
std::vector<std::vector<uint32_t>> Dependencies(const plan::Plan& plan);

// The forward walk: node i is step i; runnable[i] false for steps done before.
PlannedWalk ForwardWalk(const plan::Plan& plan, int jobs, std::vector<bool> runnable);

// The rollback of the steps with undo[i]: node k is step RollbackStep(n, k),
// so that at -j1 the undos run in the plan's reverse order, which is its
// `rollback.order`, fan-out instances included.
PlannedWalk RollbackWalk(const plan::Plan& plan, int jobs, const std::vector<bool>& undo);
inline uint32_t RollbackStep(size_t steps, uint32_t node) { return static_cast<uint32_t>(steps - 1 - node); }

// The forward walk on a simulated clock, every step succeeding at its first
// attempt in its estimate: when each would start, and when the run ends.
// The dry run shows it; the HTML report draws it.
struct Simulation {
  std::vector<int64_t> started_ms;
  int64_t total_ms = 0;
};
Simulation SimulateRun(const plan::Plan& plan, int jobs);

}  // namespace sparkc::runtime
