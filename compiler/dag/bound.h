// A bound on how long a parallel run of a DAG takes, whatever the order a
// greedy scheduler picks and whatever each node's time up to its figure.
//
// The argument is Graham's (1969), extended to groups with their own limit
// (fan-out `concurrency`). Follow the run back from the node that ends last:
// before each node of that chain started, it was ready and waited only
// while every worker was busy or while its group was full. So the run takes
// the chain's own time plus the waits, and the work done during the waits
// bounds them. The bound is monotone in every node's time, which is what
// makes it hold for shorter durations too (list-scheduling anomalies).
// It equals the longest path when nothing limits parallelism and the sum of
// all times on one worker; in between it is within a factor 2 - 1/workers
// of the best schedule.
#pragma once

#include <cstdint>
#include <vector>

namespace sparkc::dag {

struct Schedule {
  // Nodes are numbered in a topological order: every predecessor of v is below v.
  std::vector<std::vector<uint32_t>> preds;
  std::vector<int64_t> ms;      // each node's longest time, >= 0
  std::vector<int32_t> group;   // -1, or the group the node belongs to
  std::vector<int64_t> limit;   // per group: at most this many at once; 0 for no limit
  int64_t workers = 0;          // at most this many nodes at once; 0 for no limit
};

struct MakespanBound {
  int64_t total_ms = 0;          // saturates at INT64_MAX
  std::vector<uint32_t> chain;   // the chain that makes it, in run order
  int64_t chain_ms = 0;
  bool workers_limit = false;    // the workers made it longer than the chain
  std::vector<int32_t> groups;   // the groups whose limit made it longer, ascending
};

// Over the nodes with member[v] (all when empty), from the start of the
// first to the end of the last; with `last` >= 0, up to the end of node
// `last` only. Nodes outside `member` never run at the same time as those
// inside: callers pass a convex set.
MakespanBound BoundMakespan(const Schedule& schedule, const std::vector<bool>& member = {}, int64_t last = -1);

// The longest node that can be running while another one is (the two are
// not ordered by the DAG nor members of a group that runs one at a time):
// what is still in flight when a node fails.
int64_t LongestInFlight(const Schedule& schedule);

}  // namespace sparkc::dag
