#include "compiler/plan/time_bounds.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <map>

namespace sparkc::plan {

const char* const kTimeContract =
    "if every attempt of every step takes at most its estimate, the run ends within `estimate`, and a "
    "rollback within `estimate` of the failure that starts it, whatever order the scheduler picks; `hard` "
    "holds whatever the durations, from timeouts, retries and backoff; both at `parallelism` steps at once "
    "(or more), not counting sparkc's own bookkeeping between steps";

FanOutGroups GroupsOf(const std::vector<Step>& steps, const std::vector<FanOut>& fanouts) {
  FanOutGroups out;
  std::map<std::string, int32_t> index;
  for (const FanOut& f : fanouts) {
    index[f.id] = static_cast<int32_t>(out.limit.size());
    out.limit.push_back(f.concurrency);
  }
  out.group.assign(steps.size(), -1);
  for (size_t i = 0; i < steps.size(); ++i)
    if (auto it = index.find(steps[i].group); it != index.end()) out.group[i] = it->second;
  return out;
}

TimeModel::TimeModel(const std::vector<Step>& steps, const std::vector<FanOut>& fanouts, std::vector<uint32_t> order,
                     int64_t parallelism)
    : steps_(steps), fanouts_(fanouts), order_(std::move(order)), preds_(steps.size()), succs_(steps.size()),
      parallelism_(parallelism) {
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < steps.size(); ++i) index[steps[i].id] = i;
  for (uint32_t i = 0; i < steps.size(); ++i)
    for (const std::string& id : steps[i].after)
      if (auto it = index.find(id); it != index.end()) {
        preds_[i].push_back(it->second);
        succs_[it->second].push_back(i);
      }
  for (bool backward : {false, true})
    for (Basis basis : {Basis::Estimate, Basis::Timeout}) timelines_.push_back(Build(backward, basis));
}

// Node k is step order[k] forward and order[n-1-k] backward: the rollback
// runs the inverted DAG.
TimeModel::Timeline TimeModel::Build(bool backward, Basis basis) const {
  size_t n = order_.size();
  Timeline t;
  t.step.resize(n);
  t.node.resize(n);
  for (size_t k = 0; k < n; ++k) {
    uint32_t i = order_[backward ? n - 1 - k : k];
    t.step[k] = i;
    t.node[i] = static_cast<uint32_t>(k);
  }
  FanOutGroups groups = GroupsOf(steps_, fanouts_);
  t.schedule.limit = groups.limit;
  t.schedule.workers = parallelism_;
  t.schedule.preds.resize(n);
  t.schedule.ms.resize(n);
  t.schedule.group.assign(n, -1);
  for (size_t k = 0; k < n; ++k) {
    const Step& step = steps_[t.step[k]];
    for (uint32_t p : backward ? succs_[t.step[k]] : preds_[t.step[k]]) t.schedule.preds[k].push_back(t.node[p]);
    // By node: the same plan numbered from the spec or from the plan file
    // must pick the same chain among equal ones.
    std::sort(t.schedule.preds[k].begin(), t.schedule.preds[k].end());
    t.schedule.group[k] = groups.group[t.step[k]];
    StepTime time = backward ? UndoTime(step, basis) : ForwardTime(step, basis);
    t.schedule.ms[k] = time.bounded() ? time.ms : 0;
    if (!time.bounded() && t.unbounded.empty()) t.unbounded = time.unbounded;
  }
  return t;
}

Bound TimeModel::Named(const Timeline& t, const dag::MakespanBound& b) const {
  Bound out;
  if (!t.unbounded.empty()) {
    out.total_ms = kUnbounded;
    out.unbounded = t.unbounded;
    return out;
  }
  // Waits shared among several workers are fractions of other steps' time:
  // rounded up to whole seconds (which keeps the bound sound) so that a
  // reader sees no stray milliseconds. One worker's bound is an exact sum.
  out.total_ms = b.total_ms;
  bool fractions = (b.workers_limit && t.schedule.workers > 1) || !b.groups.empty();
  if (fractions && b.total_ms % 1000 != 0 && b.total_ms < INT64_MAX - 1000)
    out.total_ms += 1000 - b.total_ms % 1000;
  out.path_ms = b.chain_ms;
  for (uint32_t v : b.chain) out.steps.push_back(steps_[t.step[v]].id);
  if (b.workers_limit) out.limits.push_back(fmt::format("parallelism = {}", t.schedule.workers));
  for (int32_t g : b.groups)
    out.limits.push_back(fmt::format("concurrency = {} of `{}`", fanouts_[g].concurrency, fanouts_[g].id));
  return out;
}

Bounds TimeModel::Forward() const {
  Bounds out;
  for (Basis basis : {Basis::Estimate, Basis::Timeout}) {
    const Timeline& t = Get(false, basis);
    (basis == Basis::Estimate ? out.estimate : out.hard) = Named(t, dag::BoundMakespan(t.schedule));
  }
  return out;
}

Bound TimeModel::RollbackBound(Basis basis) const {
  const Timeline& backward = Get(true, basis);
  Bound out = Named(backward, dag::BoundMakespan(backward.schedule));
  if (!out.unbounded.empty()) return out;
  const Timeline& forward = Get(false, basis);
  if (!forward.unbounded.empty()) {
    out = {};
    out.total_ms = kUnbounded;
    out.unbounded = forward.unbounded + ", and may be in flight when another step fails";
    return out;
  }
  out.drain_ms = dag::LongestInFlight(forward.schedule);
  if (__builtin_add_overflow(out.total_ms, out.drain_ms, &out.total_ms)) out.total_ms = INT64_MAX;
  return out;
}

Bounds TimeModel::Rollback() const { return {RollbackBound(Basis::Estimate), RollbackBound(Basis::Timeout)}; }

// The steps that can run between the start of `from` and the end of `to`
// are those that come neither before `from` nor after `to`.
Bound TimeModel::WindowBound(Basis basis, uint32_t from, uint32_t to) const {
  const Timeline& t = Get(false, basis);
  size_t n = order_.size();
  auto reach = [&](uint32_t start, const std::vector<std::vector<uint32_t>>& edges) {
    std::vector<bool> seen(n, false);
    std::vector<uint32_t> stack{start};
    while (!stack.empty()) {
      uint32_t i = stack.back();
      stack.pop_back();
      for (uint32_t j : edges[i])
        if (!seen[t.node[j]]) {
          seen[t.node[j]] = true;
          stack.push_back(j);
        }
    }
    return seen;
  };
  std::vector<bool> before = reach(from, preds_), after = reach(to, succs_), member(n);
  for (size_t k = 0; k < n; ++k) member[k] = !before[k] && !after[k];
  return Named(t, dag::BoundMakespan(t.schedule, member, t.node[to]));
}

Bounds TimeModel::Window(uint32_t from, uint32_t to) const {
  return {WindowBound(Basis::Estimate, from, to), WindowBound(Basis::Timeout, from, to)};
}

std::string BoundText(const Bound& bound) {
  return bound.total_ms == kUnbounded ? fmt::format("no bound ({})", bound.unbounded) : HumanDuration(bound.total_ms);
}

void ComputeTimeBounds(Plan& plan) {
  std::vector<uint32_t> order(plan.steps.size());
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    index[plan.steps[i].id] = i;
  }
  TimeModel model(plan.steps, plan.fanouts, std::move(order), plan.parallelism);
  plan.forward = model.Forward();
  plan.rollback = model.Rollback();
  for (Window& w : plan.windows) {
    auto from = index.find(w.from), to = index.find(w.to);
    if (from != index.end() && to != index.end()) w.bound = model.Window(from->second, to->second);
  }
}

}  // namespace sparkc::plan
