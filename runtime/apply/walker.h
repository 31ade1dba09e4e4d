// A generic parallel DAG walker: runs a node once everything it depends on
// has succeeded, up to `jobs` at a time. Used forward for apply and over the
// inverted graph for rollback.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

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
  // Called by a worker that finds nothing to start, before it waits.
  std::function<void()> idle;
};

// deps[v]: the nodes v waits for. Nodes with runnable[v] false are not run
// and count as succeeded (done in an earlier run, or outside the walk).
// Ready nodes start in index order.
std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps,
                              const std::vector<bool>& runnable, const WalkOptions& options,
                              const std::function<bool(uint32_t)>& task);

}  // namespace sparkc::runtime
