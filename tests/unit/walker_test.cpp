#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "runtime/apply/walker.h"

using namespace sparkc::runtime;

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
  auto outcome = Walk(deps, runnable, {2, true, nullptr}, task);
  CHECK(order.front() == 0);
  CHECK(order.back() == 4);
  CHECK(peak.load() == 2);
  for (NodeOutcome o : outcome) CHECK(o == NodeOutcome::Succeeded);
}

TEST_CASE("after a failure no new node starts") {
  std::vector<std::vector<uint32_t>> deps = {{}, {0}, {1}, {}};
  std::vector<bool> runnable(4, true);
  auto outcome = Walk(deps, runnable, {1, true, nullptr}, [](uint32_t v) { return v != 1; });
  CHECK(outcome[0] == NodeOutcome::Succeeded);
  CHECK(outcome[1] == NodeOutcome::Failed);
  CHECK(outcome[2] == NodeOutcome::NotRun);
  CHECK(outcome[3] == NodeOutcome::NotRun);  // index order: 3 would start after 1
}

TEST_CASE("without stop-on-failure independent branches continue") {
  std::vector<std::vector<uint32_t>> deps = {{}, {0}, {}, {2}};
  std::vector<bool> runnable = {true, true, true, false};
  auto outcome = Walk(deps, runnable, {1, false, nullptr}, [](uint32_t v) { return v != 0; });
  CHECK(outcome[0] == NodeOutcome::Failed);
  CHECK(outcome[1] == NodeOutcome::NotRun);
  CHECK(outcome[2] == NodeOutcome::Succeeded);
  CHECK(outcome[3] == NodeOutcome::NotRun);  // not runnable: left alone
}
