#include "compiler/dag/bound.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace sparkc::dag {
namespace {

using Wide = __int128;

// Fixed point, 1/1000 ms: every fraction is rounded up, so the bound only
// ever grows by rounding.
constexpr Wide kScale = 1000;
// Beyond this many nodes the DAG's width is not computed (it costs n^3/64):
// the workers are then taken to limit it, which is sound.
constexpr size_t kMaxWidthNodes = 2048;

Wide CeilDiv(Wide a, Wide b) { return (a + b - 1) / b; }

int32_t GroupOf(const Schedule& s, size_t v) { return v < s.group.size() ? s.group[v] : -1; }

int64_t Saturate(Wide v) {
  return v > std::numeric_limits<int64_t>::max() ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v);
}

// For each node, the nodes that come after it, as bit sets over a dense
// numbering of the members.
class Closure {
 public:
  Closure(const Schedule& s, const std::vector<uint32_t>& nodes) : words_((nodes.size() + 63) / 64) {
    std::vector<int64_t> dense(s.preds.size(), -1);
    for (size_t i = 0; i < nodes.size(); ++i) dense[nodes[i]] = static_cast<int64_t>(i);
    bits_.assign(nodes.size() * words_, 0);
    // Predecessors are below, so walking down finishes each row before it is used.
    for (size_t i = nodes.size(); i-- > 0;) {
      for (uint32_t p : s.preds[nodes[i]]) {
        if (dense[p] < 0) continue;
        auto from = static_cast<size_t>(dense[p]);
        uint64_t* row = Row(from);
        const uint64_t* below = Row(i);
        for (size_t w = 0; w < words_; ++w) row[w] |= below[w];
        row[i / 64] |= uint64_t{1} << (i % 64);
      }
    }
  }
  size_t words() const { return words_; }
  const uint64_t* Row(size_t i) const { return &bits_[i * words_]; }
  uint64_t* Row(size_t i) { return &bits_[i * words_]; }

 private:
  size_t words_;
  std::vector<uint64_t> bits_;
};

// Kuhn's augmenting paths over the closure: a node u matched to a later v
// puts both on one chain, so the width is n minus the matching (Dilworth).
class ChainCover {
 public:
  explicit ChainCover(const Closure& c, size_t n) : closure_(c), match_(n, -1), seen_(c.words()) {}
  size_t Matching() {
    size_t matched = 0;
    for (size_t u = 0; u < match_.size(); ++u) {
      std::fill(seen_.begin(), seen_.end(), 0);
      matched += Augment(u) ? 1 : 0;
    }
    return matched;
  }

 private:
  bool Augment(size_t u) {
    const uint64_t* row = closure_.Row(u);
    for (size_t w = 0; w < seen_.size(); ++w) {
      uint64_t open = row[w] & ~seen_[w];
      while (open != 0) {
        size_t v = w * 64 + static_cast<size_t>(__builtin_ctzll(open));
        open &= open - 1;
        seen_[w] |= uint64_t{1} << (v % 64);
        if (match_[v] < 0 || Augment(static_cast<size_t>(match_[v]))) {
          match_[v] = static_cast<int64_t>(u);
          return true;
        }
      }
    }
    return false;
  }
  const Closure& closure_;
  std::vector<int64_t> match_;  // right side: the node matched before it
  std::vector<uint64_t> seen_;
};

// Members of a group that runs at most `limit` at once and have the same
// predecessors and successors (fan-out instances, as a rule) are
// interchangeable: no more than `limit` of them are ever running, so for
// counting how many nodes can run at once, `limit` of them stand for all.
std::vector<uint32_t> WithoutSurplusTwins(const Schedule& s, const std::vector<uint32_t>& nodes,
                                          const std::vector<bool>& in) {
  std::vector<std::vector<uint32_t>> succs(s.preds.size());
  for (uint32_t v : nodes)
    for (uint32_t p : s.preds[v])
      if (in[p]) succs[p].push_back(v);
  std::map<std::tuple<int32_t, std::vector<uint32_t>, std::vector<uint32_t>>, int64_t> kept;
  std::vector<uint32_t> out;
  for (uint32_t v : nodes) {
    int32_t g = GroupOf(s, v);
    if (g >= 0 && s.limit[g] > 0) {
      std::vector<uint32_t> preds;
      for (uint32_t p : s.preds[v])
        if (in[p]) preds.push_back(p);
      std::sort(preds.begin(), preds.end());
      std::sort(succs[v].begin(), succs[v].end());
      if (++kept[{g, std::move(preds), succs[v]}] > s.limit[g]) continue;
    }
    out.push_back(v);
  }
  return out;
}

// Whether `workers` can ever all be busy while a ready node waits: only
// if more than `workers` members can run at once, which needs an antichain
// (a set of mutually unordered nodes) bigger than that.
bool WorkersCanLimit(const Schedule& s, const std::vector<uint32_t>& all, const std::vector<bool>& in) {
  if (s.workers <= 0 || static_cast<size_t>(s.workers) >= all.size()) return false;
  // One worker: the bound is the sum of all, however the nodes are ordered.
  if (s.workers == 1) return true;
  std::vector<uint32_t> nodes = WithoutSurplusTwins(s, all, in);
  if (static_cast<size_t>(s.workers) >= nodes.size()) return false;
  std::vector<bool> kept(s.preds.size(), false);
  for (uint32_t v : nodes) kept[v] = true;
  // Nodes of equal depth are unordered: a cheap antichain to try first.
  // (Depth over every member, so that removed twins do not shorten paths.)
  std::vector<uint32_t> depth(s.preds.size(), 0);
  std::vector<size_t> at_depth(all.size() + 1, 0);
  for (uint32_t v : all) {
    for (uint32_t p : s.preds[v])
      if (in[p]) depth[v] = std::max(depth[v], depth[p] + 1);
    if (kept[v] && ++at_depth[depth[v]] > static_cast<size_t>(s.workers)) return true;
  }
  if (nodes.size() > kMaxWidthNodes) return true;
  Closure closure(s, nodes);
  size_t width = nodes.size() - ChainCover(closure, nodes.size()).Matching();
  return width > static_cast<size_t>(s.workers);
}

}  // namespace

MakespanBound BoundMakespan(const Schedule& s, const std::vector<bool>& member, int64_t last) {
  size_t n = s.preds.size();
  std::vector<bool> in = member.empty() ? std::vector<bool>(n, true) : member;
  std::vector<uint32_t> nodes;
  for (uint32_t v = 0; v < n; ++v)
    if (in[v]) nodes.push_back(v);
  MakespanBound out;
  if (nodes.empty()) return out;

  bool limited = WorkersCanLimit(s, nodes, in);
  Wide m = limited ? s.workers : 0;  // 0: the workers never make a node wait
  Wide work = 0;
  std::vector<Wide> group_work(s.limit.size(), 0);
  std::vector<size_t> group_size(s.limit.size(), 0);
  for (uint32_t v : nodes) {
    work += s.ms[v];
    if (int32_t g = GroupOf(s, v); g >= 0) {
      group_work[g] += s.ms[v];
      ++group_size[g];
    }
  }
  // A group's limit makes a member wait only if more members than the
  // limit exist, and only beyond what the workers already impose.
  auto binds = [&](int32_t g) {
    Wide l = s.limit[g];
    return l > 0 && static_cast<size_t>(l) < group_size[g] && (m == 0 || l < m);
  };
  // A chain node's share of the bound: its own time, less the part the
  // workers' term already counts, plus the waits its group can cause: the
  // group's other work spread over its limit, less the workers' share.
  auto weight = [&](uint32_t v) {
    Wide d = s.ms[v];
    Wide own = m == 0 ? d * kScale : CeilDiv(d * (m - 1) * kScale, m);
    int32_t g = GroupOf(s, v);
    if (g < 0 || !binds(g)) return own;
    Wide l = s.limit[g], others = group_work[g] - d;
    return own + (m == 0 ? CeilDiv(others * kScale, l) : CeilDiv(others * (m - l) * kScale, l * m));
  };

  // The heaviest chain; among equally heavy ones (at one worker every chain
  // weighs the same) the one whose own time is longest, which is the one a
  // reader expects to see.
  std::vector<Wide> best(n, 0), own(n, 0);
  std::vector<int64_t> prev(n, -1);
  auto heavier = [&](uint32_t a, Wide weight_b, Wide own_b) {
    return best[a] != weight_b ? best[a] > weight_b : own[a] > own_b;
  };
  int64_t end = -1;
  for (uint32_t v : nodes) {
    Wide before = 0, before_own = 0;
    for (uint32_t p : s.preds[v]) {
      if (!in[p]) continue;
      if (prev[v] < 0 || heavier(p, before, before_own)) {
        before = best[p];
        before_own = own[p];
        prev[v] = p;
      }
    }
    best[v] = before + weight(v);
    own[v] = before_own + s.ms[v];
    if (last < 0 && (end < 0 || !heavier(static_cast<uint32_t>(end), best[v], own[v]))) end = v;
  }
  if (last >= 0) end = last;

  Wide total = (m == 0 ? 0 : CeilDiv(work * kScale, m)) + best[end];
  out.total_ms = Saturate(CeilDiv(total, kScale));
  Wide chain_ms = 0;
  for (int64_t v = end; v >= 0; v = prev[v]) {
    out.chain.push_back(static_cast<uint32_t>(v));
    chain_ms += s.ms[v];
    int32_t g = GroupOf(s, static_cast<size_t>(v));
    if (g >= 0 && binds(g) && group_work[g] > s.ms[v]) out.groups.push_back(g);
  }
  std::reverse(out.chain.begin(), out.chain.end());
  std::sort(out.groups.begin(), out.groups.end());
  out.groups.erase(std::unique(out.groups.begin(), out.groups.end()), out.groups.end());
  out.chain_ms = Saturate(chain_ms);
  out.workers_limit = m != 0 && work > chain_ms;
  return out;
}

int64_t LongestInFlight(const Schedule& s) {
  size_t n = s.preds.size();
  if (n < 2 || s.workers == 1) return 0;
  if (n > kMaxWidthNodes) return *std::max_element(s.ms.begin(), s.ms.end());
  std::vector<uint32_t> nodes(n);
  for (uint32_t v = 0; v < n; ++v) nodes[v] = v;
  Closure closure(s, nodes);
  // What cannot overlap v: what comes after it, what comes before it, and
  // the other members of a group that runs one at a time.
  size_t words = closure.words();
  std::vector<uint64_t> apart(n * words, 0);
  auto bit = [](std::vector<uint64_t>& bits, size_t row, size_t words, size_t v) {
    bits[row * words + v / 64] |= uint64_t{1} << (v % 64);
  };
  for (size_t u = 0; u < n; ++u) {
    const uint64_t* row = closure.Row(u);
    for (size_t w = 0; w < words; ++w) {
      apart[u * words + w] |= row[w];
      for (uint64_t bits = row[w]; bits != 0; bits &= bits - 1)
        bit(apart, w * 64 + static_cast<size_t>(__builtin_ctzll(bits)), words, u);
    }
  }
  std::vector<std::vector<size_t>> serial(s.limit.size());
  for (size_t v = 0; v < n; ++v)
    if (int32_t g = GroupOf(s, v); g >= 0 && s.limit[g] == 1) serial[g].push_back(v);
  for (const std::vector<size_t>& members : serial)
    for (size_t u : members)
      for (size_t v : members) bit(apart, u, words, v);
  int64_t longest = 0;
  for (size_t v = 0; v < n; ++v) {
    bit(apart, v, words, v);
    size_t count = 0;
    for (size_t w = 0; w < words; ++w) count += static_cast<size_t>(__builtin_popcountll(apart[v * words + w]));
    if (count < n) longest = std::max(longest, s.ms[v]);
  }
  return longest;
}

}  // namespace sparkc::dag
