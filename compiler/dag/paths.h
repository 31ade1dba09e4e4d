// Longest paths by node weight: the critical path of a plan (estimates), of
// its rollback (undo estimates over the inverted graph), and inside a window.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/dag/dag.h"

namespace sparkc::dag {

struct Path {
  int64_t total = 0;
  std::vector<uint32_t> nodes;  // in the order they run
};

// `order` is a topological order of `graph`. With `inverted`, edges count
// backwards (the rollback order). Among equally long paths the one found
// first in `order` wins, so the result is deterministic. Totals saturate at
// INT64_MAX instead of overflowing.
Path LongestPath(const Graph& graph, const std::vector<uint32_t>& order,
                 const std::vector<int64_t>& weight, bool inverted = false);

// The longest path that starts at `from` and ends at `to`; no nodes when
// `to` cannot be reached from `from`.
Path LongestPathBetween(const Graph& graph, const std::vector<uint32_t>& order,
                        const std::vector<int64_t>& weight, uint32_t from, uint32_t to);

}  // namespace sparkc::dag
