#include "compiler/dag/dag.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <algorithm>
#include <functional>
#include <queue>

namespace sparkc::dag {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
using Vertex = boost::graph_traits<BoostGraph>::vertex_descriptor;
using Edge = boost::graph_traits<BoostGraph>::edge_descriptor;

struct Graph::Impl {
  explicit Impl(uint32_t n) : graph(n) {}
  BoostGraph graph;
};

Graph::Graph(uint32_t nodes) : impl_(std::make_unique<Impl>(nodes)) {}
Graph::~Graph() = default;
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&&) noexcept = default;

void Graph::AddEdge(uint32_t from, uint32_t to) { boost::add_edge(from, to, impl_->graph); }
uint32_t Graph::size() const { return static_cast<uint32_t>(boost::num_vertices(impl_->graph)); }

namespace {

// Records the DFS tree and stops at the first back edge, which closes a cycle.
struct CycleFinder : boost::default_dfs_visitor {
  std::vector<Vertex>* parent;
  std::vector<uint32_t>* cycle;
  void tree_edge(Edge e, const BoostGraph& g) const { (*parent)[boost::target(e, g)] = boost::source(e, g); }
  void back_edge(Edge e, const BoostGraph& g) const {
    if (!cycle->empty()) return;
    Vertex from = boost::source(e, g), to = boost::target(e, g);
    for (Vertex v = from; v != to; v = (*parent)[v]) cycle->push_back(static_cast<uint32_t>(v));
    cycle->push_back(static_cast<uint32_t>(to));
    std::reverse(cycle->begin(), cycle->end());
  }
};

}  // namespace

std::vector<uint32_t> Graph::FindCycle() const {
  const BoostGraph& g = impl_->graph;
  std::vector<Vertex> parent(boost::num_vertices(g));
  std::vector<uint32_t> cycle;
  CycleFinder finder;
  finder.parent = &parent;
  finder.cycle = &cycle;
  std::vector<boost::default_color_type> colors(boost::num_vertices(g));
  boost::depth_first_search(
      g, boost::visitor(finder).color_map(
             boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g))));
  return cycle;
}

std::vector<uint32_t> Graph::TopologicalOrder(const std::vector<uint32_t>& rank) const {
  const BoostGraph& g = impl_->graph;
  uint32_t n = size();
  std::vector<uint32_t> waiting(n);
  auto later = [&](uint32_t a, uint32_t b) { return rank[a] > rank[b]; };
  std::priority_queue<uint32_t, std::vector<uint32_t>, decltype(later)> ready(later);
  for (uint32_t v = 0; v < n; ++v) {
    waiting[v] = static_cast<uint32_t>(boost::in_degree(v, g));
    if (waiting[v] == 0) ready.push(v);
  }
  std::vector<uint32_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    uint32_t v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      auto t = static_cast<uint32_t>(boost::target(*it, g));
      if (--waiting[t] == 0) ready.push(t);
    }
  }
  return order;
}

std::vector<uint32_t> Graph::Successors(uint32_t node) const {
  std::vector<uint32_t> out;
  for (auto [it, end] = boost::out_edges(node, impl_->graph); it != end; ++it)
    out.push_back(static_cast<uint32_t>(boost::target(*it, impl_->graph)));
  return out;
}

std::vector<uint32_t> Graph::Predecessors(uint32_t node) const {
  std::vector<uint32_t> out;
  for (auto [it, end] = boost::in_edges(node, impl_->graph); it != end; ++it)
    out.push_back(static_cast<uint32_t>(boost::source(*it, impl_->graph)));
  return out;
}

}  // namespace sparkc::dag
