#include "runtime/apply/walker.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
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
  std::deque<uint32_t> claimed;    // begun together with another node, not started
  std::vector<uint32_t> unstarted;  // begun, never started: for `release`
  std::exception_ptr error;
  std::vector<int> group_running(options.limit.size(), 0);
  auto group_of = [&](uint32_t v) { return v < options.group.size() ? options.group[v] : -1; };
  auto fits = [&](uint32_t v) {
    int g = group_of(v);
    return g < 0 || options.limit[g] <= 0 || group_running[g] < options.limit[g];
  };
  // A claimed node counts against its fan-out from the moment it is claimed.
  auto count_in_group = [&](uint32_t v, int delta) {
    if (group_of(v) >= 0) group_running[group_of(v)] += delta;
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
    if (!claimed.empty()) return true;
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
  // Runs `hook` unlocked; an exception stops the walk, the first is kept.
  auto guarded = [&](std::unique_lock<std::mutex>& lock, auto&& hook) {
    lock.unlock();
    std::exception_ptr thrown;
    try {
      hook();
    } catch (...) {
      thrown = std::current_exception();
    }
    lock.lock();
    if (!thrown) return true;
    if (!error) error = thrown;
    stopped = true;
    changed.notify_all();
    return false;
  };
  // A running average of how long tasks take; claiming waits for a measure.
  using Clock = std::chrono::steady_clock;
  Clock::duration typical_task = options.claim_below;
  // The next node this worker starts, with the nodes to begin first
  // (empty when it was claimed earlier); false when there is none now.
  auto next = [&](uint32_t& v, std::vector<uint32_t>& batch) {
    batch.clear();
    if (halted()) return false;
    if (!claimed.empty()) {
      v = claimed.front();
      claimed.pop_front();
      return true;
    }
    if (!take(v)) return false;
    count_in_group(v, +1);
    if (!options.begin) return true;
    batch.push_back(v);
    size_t extra = typical_task < options.claim_below ? static_cast<size_t>(std::max(0, options.claim_ahead)) : 0;
    uint32_t u = 0;
    while (batch.size() <= extra && take(u)) {
      count_in_group(u, +1);
      batch.push_back(u);
    }
    return true;
  };
  int beginning = 0;  // workers committing a batch: its claimed nodes are about to be ready
  auto worker = [&] {
    std::unique_lock lock(mutex);
    std::vector<uint32_t> batch;
    bool idled = false;
    while (true) {
      if (!can_go()) {
        // Idle once per wait, and not while a batch is being begun: the
        // idle hook's own commit would only queue behind it.
        if (options.idle && !idled && beginning == 0) {
          guarded(lock, options.idle);
          idled = true;
          continue;
        }
        changed.wait(lock);
        continue;
      }
      idled = false;
      uint32_t v = 0;
      if (!next(v, batch)) {
        if (running == 0) {
          changed.notify_all();
          return;
        }
        continue;
      }
      ++running;
      if (!batch.empty()) {
        ++beginning;
        bool begun = guarded(lock, [&] { options.begin(batch); });
        --beginning;
        changed.notify_all();
        if (!begun) {
          for (uint32_t u : batch) count_in_group(u, -1);
          --running;
          continue;
        }
        // What failed meanwhile stops this node too: it has not started.
        if (halted()) {
          for (uint32_t u : batch) count_in_group(u, -1);
          unstarted.insert(unstarted.end(), batch.begin(), batch.end());
          --running;
          continue;
        }
        claimed.insert(claimed.end(), batch.begin() + 1, batch.end());
      }
      bool ok = false;
      Clock::time_point start = Clock::now();
      guarded(lock, [&] { ok = task(v); });
      typical_task += (Clock::now() - start - typical_task) / 8;
      --running;
      count_in_group(v, -1);
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
  if (error) std::rethrow_exception(error);
  unstarted.insert(unstarted.end(), claimed.begin(), claimed.end());
  if (!unstarted.empty() && options.release) {
    std::sort(unstarted.begin(), unstarted.end());
    options.release(unstarted);
  }
  return outcome;
}

}  // namespace sparkc::runtime
