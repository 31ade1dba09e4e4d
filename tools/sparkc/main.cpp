// The sparkc binary. The driver runs on a thread with a large stack: the
// parser and the evaluators recurse over expressions, and the limits in
// compiler/parse keep that depth bounded well inside it.
#include <signal.h>

#include <iostream>

#include "compiler/source/stack_thread.h"
#include "tools/sparkc/driver.h"

namespace {

struct Call {
  int argc;
  char** argv;
  int result;
};

void Run(Call* call) {
  try {
    call->result = sparkc::Main(call->argc, call->argv, std::cout, std::cerr, /*exits_after=*/true);
  } catch (const std::exception& e) {
    // A bug, not bad input: bad input always gets a diagnostic.
    std::cerr << "sparkc: internal error: " << e.what() << "\n"
              << "  please report this with the input that caused it\n";
    call->result = 4;
  }
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a closed stdin pipe of a child is an error, not our death
  std::ios::sync_with_stdio(false);
  Call call{argc, argv, 1};
  sparkc::StackThread thread(sparkc::kDeepStackBytes, [&] { Run(&call); });
  if (!thread.started()) Run(&call);  // on the main stack, still within the limits
  thread.Join();
  std::cout.flush();
  return call.result;
}
