#include <catch2/catch.hpp>

#include <mutex>
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
  std::atomic<bool> zero_done{false}, idle_while_one_ran{false}, one_running{false};
  WalkOptions options = Options(2, true);
  options.idle = [&] {
    if (zero_done && one_running) idle_while_one_ran = true;
  };
  auto task = [&](uint32_t v) {
    if (v == 1) {
      one_running = true;
      for (int i = 0; i < 200 && !idle_while_one_ran; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      one_running = false;
    }
    if (v == 0) zero_done = true;
    return true;
  };
  auto outcome = Walk(deps, runnable, options, task);
  CHECK(idle_while_one_ran);
  CHECK(outcome[2] == NodeOutcome::Succeeded);
}
