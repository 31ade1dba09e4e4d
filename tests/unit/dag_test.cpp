#include <catch2/catch.hpp>

#include "compiler/dag/dag.h"

using sparkc::dag::Graph;

TEST_CASE("topological order breaks ties by rank") {
  Graph g(4);
  g.AddEdge(3, 1);  // 3 before 1
  // ranks: node 0 -> 2, node 1 -> 0, node 2 -> 3, node 3 -> 1
  std::vector<uint32_t> order = g.TopologicalOrder({2, 0, 3, 1});
  CHECK(order == std::vector<uint32_t>{3, 1, 0, 2});
}

TEST_CASE("a cycle is found as a path") {
  Graph g(5);
  g.AddEdge(0, 1);
  g.AddEdge(1, 2);
  g.AddEdge(2, 3);
  g.AddEdge(3, 1);
  g.AddEdge(3, 4);
  std::vector<uint32_t> cycle = g.FindCycle();
  CHECK(cycle == std::vector<uint32_t>{1, 2, 3});
  Graph acyclic(3);
  acyclic.AddEdge(0, 1);
  acyclic.AddEdge(0, 2);
  acyclic.AddEdge(1, 2);
  CHECK(acyclic.FindCycle().empty());
  CHECK(acyclic.Successors(0).size() == 2);
  CHECK(acyclic.Predecessors(2).size() == 2);
}

TEST_CASE("a self-loop is a cycle of one") {
  Graph g(2);
  g.AddEdge(1, 1);
  CHECK(g.FindCycle() == std::vector<uint32_t>{1});
}
