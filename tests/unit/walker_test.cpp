#include <catch2/catch.hpp>

#include <mutex>
#include <stdexcept>
#include <thread>

#include "runtime/apply/walker.h"

using namespace sparkc::runtime;

WalkOptions Options(int jobs, bool stop) {
  WalkOptions options;
  options.jobs = jobs;
  options.stop_on_failure = stop;
  return options;
}

TEST_CASE("nodes run after their dependencies, at most `jobs` at a time") {
  // 0 -> {1, 2, 3} -> 4
  std::vector<std::vector<uint32_t>> deps = {{}, {0}, {0}, {0}, {1, 2, 3}};
  std::vector<bool> runnable(5, true);
  std::mutex mutex;
  std::vector<uint32_t> order;
  std::atomic<int> running{0}, peak{0};
  auto task = [&](uint32_t v) {
    int now = ++running;
    peak = std::max(peak.load(), now);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
      std::lock_guard lock(mutex);
      order.push_back(v);
    }
    --running;
    return true;
  };
  auto outcome = Walk(deps, runnable, Options(2, true), task);
  CHECK(order.front() == 0);
  CHECK(order.back() == 4);
  CHECK(peak.load() == 2);
  for (NodeOutcome o : outcome) CHECK(o == NodeOutcome::Succeeded);
}

TEST_CASE("after a failure no new node starts") {
  std::vector<std::vector<uint32_t>> deps = {{}, {0}, {1}, {}};
  std::vector<bool> runnable(4, true);
  auto outcome = Walk(deps, runnable, Options(1, true), [](uint32_t v) { return v != 1; });
  CHECK(outcome[0] == NodeOutcome::Succeeded);
  CHECK(outcome[1] == NodeOutcome::Failed);
  CHECK(outcome[2] == NodeOutcome::NotRun);
  CHECK(outcome[3] == NodeOutcome::NotRun);  // index order: 3 would start after 1
}

TEST_CASE("without stop-on-failure independent branches continue") {
  std::vector<std::vector<uint32_t>> deps = {{}, {0}, {}, {2}};
  std::vector<bool> runnable = {true, true, true, false};
  auto outcome = Walk(deps, runnable, Options(1, false), [](uint32_t v) { return v != 0; });
  CHECK(outcome[0] == NodeOutcome::Failed);
  CHECK(outcome[1] == NodeOutcome::NotRun);
  CHECK(outcome[2] == NodeOutcome::Succeeded);
  CHECK(outcome[3] == NodeOutcome::NotRun);  // not runnable: left alone
}

TEST_CASE("a fan-out's concurrency bounds its instances, not the other nodes") {
  // 0..3 form one fan-out limited to 1 at a time; 4 and 5 are free.
  std::vector<std::vector<uint32_t>> deps(6);
  std::vector<bool> runnable(6, true);
  WalkOptions options = Options(4, true);
  options.group = {0, 0, 0, 0, -1, -1};
  options.limit = {1};
  std::atomic<int> in_group{0}, group_peak{0}, running{0}, peak{0};
  Walk(deps, runnable, options, [&](uint32_t v) {
    int now = ++running;
    peak = std::max(peak.load(), now);
    if (v < 4) {
      int g = ++in_group;
      group_peak = std::max(group_peak.load(), g);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (v < 4) --in_group;
    --running;
    return true;
  });
  CHECK(group_peak.load() == 1);
  CHECK(peak.load() >= 2);
}

TEST_CASE("a worker with nothing to start calls the idle hook before it waits") {
  // 0 is quick, 1 is slow and 2 waits for both: once 0 is done, its worker
  // has nothing to start while 1 runs.
  std::vector<std::vector<uint32_t>> deps = {{}, {}, {0, 1}};
  std::vector<bool> runnable(3, true);
  // "While 1 runs": after 0 ended and before 1 ended (1 was started with 0;
  // whether its thread has begun the task yet is the scheduler's business).
  std::atomic<bool> zero_done{false}, idle_while_one_ran{false}, one_done{false};
  WalkOptions options = Options(2, true);
  options.idle = [&] {
    if (zero_done && !one_done) idle_while_one_ran = true;
  };
  auto task = [&](uint32_t v) {
    if (v == 1) {
      for (int i = 0; i < 200 && !idle_while_one_ran; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      one_done = true;
    }
    if (v == 0) zero_done = true;
    return true;
  };
  auto outcome = Walk(deps, runnable, options, task);
  CHECK(idle_while_one_ran);
  CHECK(outcome[2] == NodeOutcome::Succeeded);
}

// Records what the walk begins and releases, and checks every task's node
// was begun first.
struct Claims {
  std::mutex mutex;
  std::vector<std::vector<uint32_t>> batches;
  std::vector<uint32_t> released, ran;
  std::vector<int> begun;
  bool started_unbegun = false;

  explicit Claims(size_t n) : begun(n, 0) {}
  // Walk options whose begin and release hooks record into this.
  WalkOptions Options(int jobs, int claim_ahead) {
    WalkOptions options = ::Options(jobs, true);
    options.claim_ahead = claim_ahead;
    options.begin = [this](std::span<const uint32_t> nodes) {
      std::lock_guard lock(mutex);
      batches.emplace_back(nodes.begin(), nodes.end());
      for (uint32_t v : nodes) ++begun[v];
    };
    options.release = [this](std::span<const uint32_t> nodes) { released.assign(nodes.begin(), nodes.end()); };
    return options;
  }
  void Ran(uint32_t v) {
    std::lock_guard lock(mutex);
    ran.push_back(v);
    started_unbegun |= begun[v] != 1;
  }
  size_t Largest() const {
    size_t largest = 0;
    for (const auto& b : batches) largest = std::max(largest, b.size());
    return largest;
  }
};

TEST_CASE("quick nodes are begun several at a time, each once and before its task") {
  std::vector<std::vector<uint32_t>> deps(40);
  for (uint32_t v = 10; v < 40; ++v) deps[v] = {v - 10};
  std::vector<bool> runnable(40, true);
  Claims claims(40);
  WalkOptions options = claims.Options(2, 3);
  auto outcome = Walk(deps, runnable, options, [&](uint32_t v) {
    claims.Ran(v);
    return true;
  });
  for (NodeOutcome o : outcome) CHECK(o == NodeOutcome::Succeeded);
  CHECK_FALSE(claims.started_unbegun);
  for (int count : claims.begun) CHECK(count == 1);
  CHECK(claims.Largest() == 4);
  CHECK(claims.batches.size() < 40);
  CHECK(claims.released.empty());
}

TEST_CASE("slow nodes are begun no more than the free workers at a time") {
  std::vector<std::vector<uint32_t>> deps(6);
  std::vector<bool> runnable(6, true);
  Claims claims(6);
  WalkOptions options = claims.Options(2, 3);
  options.claim_below = std::chrono::microseconds(500);
  Walk(deps, runnable, options, [&](uint32_t v) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    claims.Ran(v);
    return true;
  });
  // The two first start together (one commit for both free workers); then
  // each freed worker begins the next alone: nothing is claimed ahead.
  CHECK(claims.batches.size() == 5);
  CHECK(claims.batches[0] == std::vector<uint32_t>{0, 1});
  CHECK(claims.Largest() == 2);
  CHECK_FALSE(claims.started_unbegun);
}

TEST_CASE("nodes claimed but not started when a node fails are released, never run") {
  std::vector<std::vector<uint32_t>> deps(10);
  std::vector<bool> runnable(10, true);
  Claims claims(10);
  WalkOptions options = claims.Options(1, 4);
  options.claim_below = std::chrono::seconds(60);  // every task counts as quick
  // 0 is begun alone (no task measured yet); then 1..5 together, and 1 fails.
  auto outcome = Walk(deps, runnable, options, [&](uint32_t v) {
    claims.Ran(v);
    return v != 1;
  });
  REQUIRE(claims.batches.size() == 2);
  CHECK(claims.batches[1] == std::vector<uint32_t>{1, 2, 3, 4, 5});
  CHECK(claims.ran == std::vector<uint32_t>{0, 1});
  CHECK(claims.released == std::vector<uint32_t>{2, 3, 4, 5});
  for (uint32_t v = 2; v < 10; ++v) CHECK(outcome[v] == NodeOutcome::NotRun);
}

TEST_CASE("an exception from a task or from begin ends the walk and reaches the caller") {
  std::vector<std::vector<uint32_t>> deps(8);  // a chain: nothing runs beside the node that throws
  for (uint32_t v = 1; v < 8; ++v) deps[v] = {v - 1};
  std::vector<bool> runnable(8, true);
  std::atomic<int> started{0};
  auto throwing = [&](uint32_t v) -> bool {
    ++started;
    if (v == 2) throw std::runtime_error("disk full");
    return true;
  };
  CHECK_THROWS_WITH(Walk(deps, runnable, Options(2, true), throwing), "disk full");
  CHECK(started.load() == 3);

  WalkOptions options = Options(2, true);
  options.begin = [](std::span<const uint32_t> nodes) {
    for (uint32_t v : nodes)
      if (v == 3) throw std::runtime_error("cannot commit");
  };
  started = 0;
  CHECK_THROWS_WITH(Walk(deps, runnable, options, [&](uint32_t) { return ++started, true; }), "cannot commit");
  CHECK(started.load() == 3);
}
