// A generic parallel DAG walker: runs a node once everything it depends on
// has succeeded, up to `jobs` at a time. Used forward for apply and over the
// inverted graph for rollback.
//
// It is greedy, which the time bounds rely on (plan::TimeModel): while a
// node is ready, its fan-out has room and fewer than `jobs` run, it starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "runtime/apply/executor.h"

namespace sparkc::runtime {

enum class NodeOutcome { NotRun, Succeeded, Failed };

struct WalkOptions {
  int jobs = 1;
  bool stop_on_failure = true;                  // no new node starts after a failure
  const std::atomic<bool>* interrupt = nullptr; // no new node starts once set
  // Fan-out concurrency: group[v] is v's group or -1; at most limit[g]
  // nodes of group g run at once (0: no bound beyond `jobs`).
  std::vector<int> group;
  std::vector<int> limit;
  // Called when a worker is free but nothing can start, before the walk
  // waits for a node to end.
  std::function<void()> idle;
  // When set, called for every node before its task. While tasks are short
  // (their running average below `claim_below`), up to `claim_ahead` more
  // ready nodes come alongside: one durable commit for several starts.
  // Those wait, claimed, for the next free workers; no node is claimed while
  // any do. Claimed nodes the walk never starts (it stopped first) go to
  // `release` once, before Walk returns.
  std::function<void(std::span<const uint32_t>)> begin;
  std::function<void(std::span<const uint32_t>)> release;
  int claim_ahead = 0;
  std::chrono::microseconds claim_below{10'000};
};

// deps[v]: the nodes v waits for. Nodes with runnable[v] false are not run
// and count as succeeded (done in an earlier run, or outside the walk).
// Ready nodes start in index order, on `executor`; the hooks run on the
// calling thread. An exception from a hook or a task stops the walk like a
// failure and is rethrown once every started node has ended.
std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps,
                              const std::vector<bool>& runnable, const WalkOptions& options, Executor& executor);
// The same on a ThreadExecutor of `jobs` threads running `task`.
std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps,
                              const std::vector<bool>& runnable, const WalkOptions& options,
                              const std::function<bool(uint32_t)>& task);

}  // namespace sparkc::runtime
