#include "compiler/dag/paths.h"

#include <algorithm>
#include <limits>

namespace sparkc::dag {
namespace {

constexpr int64_t kUnreached = -1;

int64_t Add(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

// best[v]: the longest path ending at v that starts at `source` (any node
// when source < 0); prev[v] its previous node.
Path Longest(const Graph& graph, const std::vector<uint32_t>& order, const std::vector<int64_t>& weight,
             bool inverted, int64_t source, int64_t target) {
  uint32_t n = graph.size();
  std::vector<int64_t> best(n, kUnreached);
  std::vector<int64_t> prev(n, -1);
  auto visit = [&](uint32_t v) {
    if (source < 0 || v == source) best[v] = weight[v];
    for (uint32_t p : inverted ? graph.Successors(v) : graph.Predecessors(v)) {
      if (best[p] == kUnreached) continue;
      int64_t through = Add(best[p], weight[v]);
      if (through > best[v]) {
        best[v] = through;
        prev[v] = p;
      }
    }
  };
  if (inverted)
    for (auto it = order.rbegin(); it != order.rend(); ++it) visit(*it);
  else
    for (uint32_t v : order) visit(v);
  int64_t end = target;
  if (end < 0) {
    const auto& sequence = order;
    for (size_t k = 0; k < sequence.size(); ++k) {
      uint32_t v = inverted ? sequence[sequence.size() - 1 - k] : sequence[k];
      if (end < 0 || best[v] >= best[end]) end = v;  // ties: the path that reaches furthest
    }
  }
  Path path;
  if (end < 0 || best[end] == kUnreached) return path;
  path.total = best[end];
  for (int64_t v = end; v >= 0; v = prev[v]) path.nodes.push_back(static_cast<uint32_t>(v));
  std::reverse(path.nodes.begin(), path.nodes.end());
  return path;
}

}  // namespace

Path LongestPath(const Graph& graph, const std::vector<uint32_t>& order, const std::vector<int64_t>& weight,
                 bool inverted) {
  return Longest(graph, order, weight, inverted, -1, -1);
}

Path LongestPathBetween(const Graph& graph, const std::vector<uint32_t>& order,
                        const std::vector<int64_t>& weight, uint32_t from, uint32_t to) {
  return Longest(graph, order, weight, false, from, to);
}

}  // namespace sparkc::dag
