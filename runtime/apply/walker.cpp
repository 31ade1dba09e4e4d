#include "runtime/apply/walker.h"

#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>

namespace sparkc::runtime {

std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps,
                              const std::vector<bool>& runnable, const WalkOptions& options,
                              const std::function<bool(uint32_t)>& task) {
  auto n = static_cast<uint32_t>(deps.size());
  std::vector<NodeOutcome> outcome(n, NodeOutcome::NotRun);
  std::vector<uint32_t> waiting(n, 0);
  std::vector<std::vector<uint32_t>> dependents(n);
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t d : deps[v]) {
      if (!runnable[d] || !runnable[v]) continue;
      ++waiting[v];
      dependents[d].push_back(v);
    }
  }
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t v = 0; v < n; ++v)
    if (runnable[v] && waiting[v] == 0) ready.push(v);

  std::mutex mutex;
  std::condition_variable changed;
  int running = 0;
  std::vector<int> group_running(options.limit.size(), 0);
  auto group_of = [&](uint32_t v) { return v < options.group.size() ? options.group[v] : -1; };
  auto fits = [&](uint32_t v) {
    int g = group_of(v);
    return g < 0 || options.limit[g] <= 0 || group_running[g] < options.limit[g];
  };
  // The lowest ready node whose fan-out has room; the others stay ready.
  auto take = [&](uint32_t& out) {
    std::vector<uint32_t> skipped;
    bool found = false;
    while (!ready.empty() && !found) {
      uint32_t v = ready.top();
      ready.pop();
      if (fits(v)) {
        out = v;
        found = true;
      } else {
        skipped.push_back(v);
      }
    }
    for (uint32_t v : skipped) ready.push(v);
    return found;
  };
  auto startable = [&] {
    if (ready.empty()) return false;
    if (options.group.empty()) return true;
    uint32_t v = 0;
    if (!take(v)) return false;
    ready.push(v);
    return true;
  };
  bool stopped = false;
  auto halted = [&] {
    return stopped || (options.interrupt != nullptr && options.interrupt->load());
  };
  auto can_go = [&] { return (startable() && !halted()) || running == 0; };
  auto worker = [&] {
    std::unique_lock lock(mutex);
    while (true) {
      if (!can_go() && options.idle) {
        lock.unlock();
        options.idle();
        lock.lock();
      }
      changed.wait(lock, can_go);
      uint32_t v = 0;
      if (halted() || !take(v)) {
        if (running == 0) {
          changed.notify_all();
          return;
        }
        continue;
      }
      ++running;
      if (group_of(v) >= 0) ++group_running[group_of(v)];
      lock.unlock();
      bool ok = task(v);
      lock.lock();
      --running;
      if (group_of(v) >= 0) --group_running[group_of(v)];
      outcome[v] = ok ? NodeOutcome::Succeeded : NodeOutcome::Failed;
      if (ok) {
        for (uint32_t d : dependents[v])
          if (--waiting[d] == 0) ready.push(d);
      } else if (options.stop_on_failure) {
        stopped = true;
      }
      changed.notify_all();
    }
  };
  int jobs = std::max(1, options.jobs);
  std::vector<std::thread> threads;
  for (int i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  return outcome;
}

}  // namespace sparkc::runtime
