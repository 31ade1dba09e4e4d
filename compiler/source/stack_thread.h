// A thread with a stack of a chosen size. The parser, the AST builder and
// the evaluators recurse over expressions; the nesting limit bounds that
// depth, but not within a default thread's 8 MiB.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <functional>

namespace sparkc {

constexpr size_t kDeepStackBytes = 256u << 20;  // reserved, not committed

class StackThread {
 public:
  // Starts `body` on a new thread, unless none can be made (started() is
  // false then, and `body` never runs).
  StackThread(size_t stack_bytes, std::function<void()> body);
  bool started() const { return joinable_; }
  ~StackThread() { Join(); }
  StackThread(const StackThread&) = delete;
  StackThread& operator=(const StackThread&) = delete;

  void Join();

 private:
  std::function<void()> body_;
  pthread_t thread_{};
  bool joinable_ = false;
};

}  // namespace sparkc
