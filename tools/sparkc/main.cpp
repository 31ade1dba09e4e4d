// The sparkc binary. The driver runs on a thread with a large stack: the
// parser and the evaluators recurse over expressions, and the limits in
// compiler/parse keep that depth bounded well inside it.
#include <pthread.h>
#include <signal.h>

#include <iostream>

#include "tools/sparkc/driver.h"

namespace {

struct Call {
  int argc;
  char** argv;
  int result;
};

void* Run(void* arg) {
  auto* call = static_cast<Call*>(arg);
  try {
    call->result = sparkc::Main(call->argc, call->argv, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // A bug, not bad input: bad input always gets a diagnostic.
    std::cerr << "sparkc: internal error: " << e.what() << "\n"
              << "  please report this with the input that caused it\n";
    call->result = 4;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a closed stdin pipe of a child is an error, not our death
  std::ios::sync_with_stdio(false);
  Call call{argc, argv, 1};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256u << 20);
  pthread_t thread;
  if (pthread_create(&thread, &attr, Run, &call) != 0) {
    Run(&call);  // no thread: run on the main stack, still within the limits
  } else {
    pthread_join(thread, nullptr);
  }
  pthread_attr_destroy(&attr);
  std::cout.flush();
  return call.result;
}
