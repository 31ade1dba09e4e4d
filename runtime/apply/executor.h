// What the walker runs nodes on, as ninja's CommandRunner: a real executor
// (a pool of threads running each node's task, which spawns the step's
// processes) and a simulated one on a clock of its own, which the dry run
// prints and the property tests drive with random durations.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace sparkc::runtime {

struct Ended {
  uint32_t node = 0;
  bool ok = false;
  std::exception_ptr error;  // the task threw: the walk stops and rethrows it
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Starts node v; it runs until Wait reports it.
  virtual void Start(uint32_t v) = 0;
  // Blocks until a started node ends and returns it. Only called while
  // some started node has not been reported.
  virtual Ended Wait() = 0;
};

// Runs each started node's task on one of `threads` threads.
class ThreadExecutor final : public Executor {
 public:
  ThreadExecutor(int threads, std::function<bool(uint32_t)> task);
  ~ThreadExecutor() override;
  void Start(uint32_t v) override;
  Ended Wait() override;

 private:
  void Work();
  std::function<bool(uint32_t)> task_;
  std::mutex mutex_;
  std::condition_variable work_, ended_;
  std::deque<uint32_t> queue_;
  std::deque<Ended> done_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

// A node that runs for `ms` on the simulated clock and then succeeds or fails.
struct Simulated {
  int64_t ms = 0;
  bool ok = true;
};

// Nodes take the time `run` gives them on a clock that only moves when
// Wait says a node ended: a run of hours takes microseconds.
class SimulatedExecutor final : public Executor {
 public:
  explicit SimulatedExecutor(std::function<Simulated(uint32_t)> run, int64_t start_ms = 0)
      : run_(std::move(run)), now_ms_(start_ms) {}
  void Start(uint32_t v) override;
  Ended Wait() override;
  int64_t now_ms() const { return now_ms_; }
  // When each node started and ended; -1 for nodes that never started.
  const std::vector<int64_t>& started_ms() const { return started_; }
  const std::vector<int64_t>& ended_ms() const { return ended_; }

 private:
  struct Running {
    int64_t end_ms;
    uint64_t sequence;  // ties end in the order they started
    uint32_t node;
    bool ok;
    bool operator>(const Running& o) const {
      return end_ms != o.end_ms ? end_ms > o.end_ms : sequence > o.sequence;
    }
  };
  std::function<Simulated(uint32_t)> run_;
  int64_t now_ms_;
  uint64_t sequence_ = 0;
  std::priority_queue<Running, std::vector<Running>, std::greater<>> running_;
  std::vector<int64_t> started_, ended_;
};

}  // namespace sparkc::runtime
