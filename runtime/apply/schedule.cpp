#include "runtime/apply/schedule.h"

#include "compiler/plan/time_bounds.h"
#include "runtime/apply/executor.h"

#include <algorithm>
#include <map>
#include <string>

namespace sparkc::runtime {
namespace {

// `concurrency` of a fan-out bounds its instances, forward and in rollback.
void LimitFanOuts(const plan::Plan& plan, WalkOptions& walk) {
  plan::FanOutGroups groups = plan::GroupsOf(plan.steps, plan.fanouts);
  walk.group.assign(groups.group.begin(), groups.group.end());
  walk.limit.assign(groups.limit.begin(), groups.limit.end());
}

}  // namespace

std::vector<std::vector<uint32_t>> Dependencies(const plan::Plan& plan) {
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < plan.steps.size(); ++i) index[plan.steps[i].id] = i;
  std::vector<std::vector<uint32_t>> deps(plan.steps.size());
  for (uint32_t i = 0; i < plan.steps.size(); ++i)
    for (const std::string& id : plan.steps[i].after) deps[i].push_back(index.at(id));
  return deps;
}

PlannedWalk ForwardWalk(const plan::Plan& plan, int jobs, std::vector<bool> runnable) {
  PlannedWalk walk{Dependencies(plan), std::move(runnable), {}};
  walk.options.jobs = jobs;
  // While steps take milliseconds, a start claims more ready steps with it:
  // one commit makes all their `running` durable (see WalkOptions::begin).
  walk.options.claim_ahead = 4 * jobs;
  LimitFanOuts(plan, walk.options);
  return walk;
}

PlannedWalk RollbackWalk(const plan::Plan& plan, int jobs, const std::vector<bool>& undo) {
  auto n = static_cast<uint32_t>(plan.steps.size());
  std::vector<std::vector<uint32_t>> deps = Dependencies(plan);
  PlannedWalk walk{std::vector<std::vector<uint32_t>>(n), std::vector<bool>(n), {}};
  for (uint32_t i = 0; i < n; ++i) {
    walk.runnable[RollbackStep(n, i)] = undo[i];
    for (uint32_t d : deps[i])
      if (undo[i]) walk.deps[RollbackStep(n, d)].push_back(RollbackStep(n, i));
  }
  walk.options.jobs = jobs;
  walk.options.stop_on_failure = false;
  LimitFanOuts(plan, walk.options);
  std::reverse(walk.options.group.begin(), walk.options.group.end());
  return walk;
}

Simulation SimulateRun(const plan::Plan& plan, int jobs) {
  size_t n = plan.steps.size();
  PlannedWalk walk = ForwardWalk(plan, jobs, std::vector<bool>(n, true));
  SimulatedExecutor clock([&](uint32_t i) { return Simulated{plan.steps[i].estimate_ms, true}; });
  Walk(walk.deps, walk.runnable, walk.options, clock);
  return {clock.started_ms(), clock.now_ms()};
}

}  // namespace sparkc::runtime
