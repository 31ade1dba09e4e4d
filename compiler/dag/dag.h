// A directed graph of numbered nodes over Boost.Graph. It knows nothing of
// steps or plans; Boost types stay in dag.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace sparkc::dag {

class Graph {
 public:
  explicit Graph(uint32_t nodes);
  ~Graph();
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;

  // `from` must finish before `to` starts.
  void AddEdge(uint32_t from, uint32_t to);
  uint32_t size() const;

  // Some cycle as [a, b, ..., z] meaning a -> b -> ... -> z -> a; empty when
  // the graph is acyclic. Deterministic for a given insertion order.
  std::vector<uint32_t> FindCycle() const;

  // Kahn's algorithm; among ready nodes the one with the smallest rank comes
  // first. Requires an acyclic graph.
  std::vector<uint32_t> TopologicalOrder(const std::vector<uint32_t>& rank) const;

  std::vector<uint32_t> Successors(uint32_t node) const;
  std::vector<uint32_t> Predecessors(uint32_t node) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sparkc::dag
