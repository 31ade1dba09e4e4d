// The time bounds of a plan, for the schedule the runtime runs: the plan's
// parallelism, fan-out concurrency, every retry and its backoff, by
// estimate and by timeout. The compiler proves them and the loader checks
// that a plan's stated bounds are the ones its steps give.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/dag/bound.h"
#include "compiler/plan/plan.h"
#include "compiler/plan/step_time.h"

namespace sparkc::plan {

// Each step's fan-out as an index into `limit` (-1 for none) and each
// fan-out's `concurrency` (0: none): the groups of the walker and of the bound.
struct FanOutGroups {
  std::vector<int32_t> group;  // by step
  std::vector<int64_t> limit;  // by fan-out, in plan order
};
FanOutGroups GroupsOf(const std::vector<Step>& steps, const std::vector<FanOut>& fanouts);

// What the bounds promise, as the plan states it.
extern const char* const kTimeContract;

class TimeModel {
 public:
  // `order` is a topological order of `steps` (by their `after`); the
  // models keep references to steps and fanouts.
  TimeModel(const std::vector<Step>& steps, const std::vector<FanOut>& fanouts, std::vector<uint32_t> order,
            int64_t parallelism);

  Bounds Forward() const;
  // From the moment a step fails: what is in flight finishes, then the undos.
  Bounds Rollback() const;
  // From the start of step `from` to the end of step `to` (indices into
  // steps); `to` must come after `from`.
  Bounds Window(uint32_t from, uint32_t to) const;

 private:
  struct Timeline {
    dag::Schedule schedule;
    std::vector<uint32_t> step;  // node -> step
    std::vector<uint32_t> node;  // step -> node
    std::string unbounded;       // why some step's time has no bound
  };
  Timeline Build(bool backward, Basis basis) const;
  const Timeline& Get(bool backward, Basis basis) const {
    return timelines_[(backward ? 2 : 0) + (basis == Basis::Timeout ? 1 : 0)];
  }
  Bound Named(const Timeline& t, const dag::MakespanBound& b) const;
  Bound RollbackBound(Basis basis) const;
  Bound WindowBound(Basis basis, uint32_t from, uint32_t to) const;

  const std::vector<Step>& steps_;
  const std::vector<FanOut>& fanouts_;
  std::vector<uint32_t> order_;
  std::vector<std::vector<uint32_t>> preds_, succs_;
  int64_t parallelism_;
  std::vector<Timeline> timelines_;  // forward and backward, by estimate and by timeout
};

// "42 min", or "no bound (`approve` is a gate: it waits for a person)".
std::string BoundText(const Bound& bound);

// The bounds the plan's own steps give (plan order is topological): its
// forward, rollback and window bounds, recomputed.
void ComputeTimeBounds(Plan& plan);

}  // namespace sparkc::plan
