#include "runtime/apply/walker.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <queue>

namespace sparkc::runtime {
namespace {

class Walker {
 public:
  Walker(const std::vector<std::vector<uint32_t>>& deps, const std::vector<bool>& runnable,
         const WalkOptions& options, Executor& executor)
      : options_(options), executor_(executor), outcome_(deps.size(), NodeOutcome::NotRun),
        waiting_(deps.size(), 0), dependents_(deps.size()), group_running_(options.limit.size(), 0),
        started_at_(deps.size()) {
    auto n = static_cast<uint32_t>(deps.size());
    for (uint32_t v = 0; v < n; ++v)
      for (uint32_t d : deps[v]) {
        if (!runnable[d] || !runnable[v]) continue;
        ++waiting_[v];
        dependents_[d].push_back(v);
      }
    for (uint32_t v = 0; v < n; ++v)
      if (runnable[v] && waiting_[v] == 0) ready_.push(v);
  }

  std::vector<NodeOutcome> Run() {
    int jobs = std::max(1, options_.jobs);
    while (true) {
      if (!Halted()) StartWhatFits(jobs);
      if (running_ == 0) break;
      if (running_ < jobs && options_.idle) Guarded(options_.idle);
      Finish(executor_.Wait());
    }
    unstarted_.insert(unstarted_.end(), claimed_.begin(), claimed_.end());
    if (!unstarted_.empty() && options_.release) {
      std::sort(unstarted_.begin(), unstarted_.end());
      Guarded([&] { options_.release(unstarted_); });
    }
    if (error_) std::rethrow_exception(error_);
    return outcome_;
  }

 private:
  using Clock = std::chrono::steady_clock;

  bool Halted() const { return stopped_ || (options_.interrupt != nullptr && options_.interrupt->load()); }
  int GroupOf(uint32_t v) const { return v < options_.group.size() ? options_.group[v] : -1; }
  bool Fits(uint32_t v) const {
    int g = GroupOf(v);
    return g < 0 || options_.limit[g] <= 0 || group_running_[g] < options_.limit[g];
  }
  // A claimed node counts against its fan-out from the moment it is claimed.
  void Count(uint32_t v, int delta) {
    if (GroupOf(v) >= 0) group_running_[GroupOf(v)] += delta;
  }

  // The lowest ready node whose fan-out has room; the others stay ready.
  bool Take(uint32_t& out) {
    std::vector<uint32_t> skipped;
    bool found = false;
    while (!ready_.empty() && !found) {
      uint32_t v = ready_.top();
      ready_.pop();
      if (Fits(v)) {
        out = v;
        found = true;
      } else {
        skipped.push_back(v);
      }
    }
    for (uint32_t v : skipped) ready_.push(v);
    if (found) Count(out, +1);
    return found;
  }

  // An exception stops the walk; the first is kept.
  template <typename Hook>
  bool Guarded(Hook&& hook) {
    try {
      hook();
      return true;
    } catch (...) {
      if (!error_) error_ = std::current_exception();
      stopped_ = true;
      return false;
    }
  }

  void Launch(uint32_t v) {
    started_at_[v] = Clock::now();
    ++running_;
    executor_.Start(v);
  }

  // Claimed nodes first (they were begun already), then ready ones: every
  // free worker gets a node while one fits. While tasks are short, a batch
  // claims more than the free workers, begun in the same commit.
  void StartWhatFits(int jobs) {
    while (running_ < jobs && !claimed_.empty()) {
      Launch(claimed_.front());
      claimed_.pop_front();
    }
    if (running_ >= jobs) return;
    std::vector<uint32_t> batch;
    size_t free = static_cast<size_t>(jobs - running_);
    size_t extra = options_.begin && typical_task_ < options_.claim_below
                       ? static_cast<size_t>(std::max(0, options_.claim_ahead))
                       : 0;
    uint32_t v = 0;
    while (batch.size() < free + extra && Take(v)) batch.push_back(v);
    if (batch.empty()) return;
    bool begun = !options_.begin || Guarded([&] { options_.begin(batch); });
    if (!begun || Halted()) {
      for (uint32_t u : batch) Count(u, -1);
      // What the hook began but nothing started is released; a hook that
      // threw began nothing the walk can vouch for.
      if (begun) unstarted_.insert(unstarted_.end(), batch.begin(), batch.end());
      return;
    }
    for (size_t k = 0; k < batch.size(); ++k) {
      if (k < free) Launch(batch[k]);
      else claimed_.push_back(batch[k]);
    }
  }

  void Finish(const Ended& e) {
    --running_;
    Count(e.node, -1);
    typical_task_ += (Clock::now() - started_at_[e.node] - typical_task_) / 8;
    if (e.error) {
      if (!error_) error_ = e.error;
      stopped_ = true;
    }
    bool ok = e.ok && !e.error;
    outcome_[e.node] = ok ? NodeOutcome::Succeeded : NodeOutcome::Failed;
    if (ok) {
      for (uint32_t d : dependents_[e.node])
        if (--waiting_[d] == 0) ready_.push(d);
    } else if (options_.stop_on_failure) {
      stopped_ = true;
    }
  }

  const WalkOptions& options_;
  Executor& executor_;
  std::vector<NodeOutcome> outcome_;
  std::vector<uint32_t> waiting_;
  std::vector<std::vector<uint32_t>> dependents_;
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready_;
  std::vector<int> group_running_;
  std::vector<Clock::time_point> started_at_;
  std::deque<uint32_t> claimed_;    // begun with another node, not started
  std::vector<uint32_t> unstarted_;  // begun, never started: for `release`
  int running_ = 0;
  bool stopped_ = false;
  std::exception_ptr error_;
  // A running average of how long tasks take; claiming waits for a measure.
  Clock::duration typical_task_ = options_.claim_below;
};

}  // namespace

std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps, const std::vector<bool>& runnable,
                              const WalkOptions& options, Executor& executor) {
  return Walker(deps, runnable, options, executor).Run();
}

std::vector<NodeOutcome> Walk(const std::vector<std::vector<uint32_t>>& deps, const std::vector<bool>& runnable,
                              const WalkOptions& options, const std::function<bool(uint32_t)>& task) {
  ThreadExecutor executor(options.jobs, task);
  return Walk(deps, runnable, options, executor);
}

}  // namespace sparkc::runtime
