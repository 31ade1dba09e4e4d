#include <catch2/catch.hpp>

#include "compiler/dag/dag.h"
#include "compiler/dag/paths.h"

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

TEST_CASE("longest paths: forward, inverted, and between two nodes") {
  // 0 -> 1 -> 3, 0 -> 2 -> 3; weights make 0-2-3 the critical path.
  sparkc::dag::Graph g(4);
  g.AddEdge(0, 1);
  g.AddEdge(0, 2);
  g.AddEdge(1, 3);
  g.AddEdge(2, 3);
  std::vector<uint32_t> order = {0, 1, 2, 3};
  std::vector<int64_t> w = {1, 2, 5, 1};
  auto forward = sparkc::dag::LongestPath(g, order, w);
  CHECK(forward.total == 7);
  CHECK(forward.nodes == std::vector<uint32_t>{0, 2, 3});
  std::vector<int64_t> undo = {1, 9, 0, 1};
  auto back = sparkc::dag::LongestPath(g, order, undo, true);
  CHECK(back.total == 11);
  CHECK(back.nodes == std::vector<uint32_t>{3, 1, 0});
  auto between = sparkc::dag::LongestPathBetween(g, order, w, 1, 3);
  CHECK(between.total == 3);
  CHECK(between.nodes == std::vector<uint32_t>{1, 3});
  CHECK(sparkc::dag::LongestPathBetween(g, order, w, 1, 2).nodes.empty());
}
