#include "compiler/source/stack_thread.h"

namespace sparkc {

StackThread::StackThread(size_t stack_bytes, std::function<void()> body) : body_(std::move(body)) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  auto run = [](void* self) -> void* {
    static_cast<StackThread*>(self)->body_();
    return nullptr;
  };
  joinable_ = pthread_create(&thread_, &attr, run, this) == 0;
  pthread_attr_destroy(&attr);
}

void StackThread::Join() {
  if (!joinable_) return;
  pthread_join(thread_, nullptr);
  joinable_ = false;
}

}  // namespace sparkc
