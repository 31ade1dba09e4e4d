#include "runtime/apply/executor.h"

#include <algorithm>

namespace sparkc::runtime {

ThreadExecutor::ThreadExecutor(int threads, std::function<bool(uint32_t)> task) : task_(std::move(task)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

ThreadExecutor::~ThreadExecutor() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ThreadExecutor::Start(uint32_t v) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(v);
  }
  work_.notify_one();
}

Ended ThreadExecutor::Wait() {
  std::unique_lock lock(mutex_);
  ended_.wait(lock, [&] { return !done_.empty(); });
  Ended e = done_.front();
  done_.pop_front();
  return e;
}

void ThreadExecutor::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;
    uint32_t v = queue_.front();
    queue_.pop_front();
    lock.unlock();
    Ended e{v, false, nullptr};
    try {
      e.ok = task_(v);
    } catch (...) {
      e.error = std::current_exception();
    }
    lock.lock();
    done_.push_back(e);
    ended_.notify_one();
  }
}

void SimulatedExecutor::Start(uint32_t v) {
  if (started_.size() <= v) {
    started_.resize(v + 1, -1);
    ended_.resize(v + 1, -1);
  }
  Simulated s = run_(v);
  started_[v] = now_ms_;
  running_.push({now_ms_ + std::max<int64_t>(0, s.ms), sequence_++, v, s.ok});
}

Ended SimulatedExecutor::Wait() {
  Running r = running_.top();
  running_.pop();
  now_ms_ = r.end_ms;
  ended_[r.node] = r.end_ms;
  return {r.node, r.ok, nullptr};
}

}  // namespace sparkc::runtime
