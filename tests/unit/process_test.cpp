#include <catch2/catch.hpp>
#include <signal.h>

#include <fstream>
#include <thread>

#include "runtime/exec/process.h"

using namespace sparkc::runtime;

TEST_CASE("exit codes, output, env, cwd and stdin") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo out; echo err >&2; echo $GREETING; pwd; cat; exit 3"};
  spec.env = {{"GREETING", "hello"}};
  spec.cwd = "/tmp";
  spec.has_stdin = true;
  spec.stdin_text = "from stdin\n";
  ProcessResult r = RunProcess(spec);
  CHECK(r.started);
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.ok());
  CHECK(r.out == "out\nhello\n/tmp\nfrom stdin\n");
  CHECK(r.err == "err\n");
  CHECK(r.Summary() == "exit code 3");
}

TEST_CASE("a missing program is reported, not thrown") {
  ProcessSpec spec;
  spec.argv = {"/no/such/program"};
  ProcessResult r = RunProcess(spec);
  CHECK_FALSE(r.started);
  CHECK(r.Summary().find("cannot run `/no/such/program`") == 0);
}

TEST_CASE("output beyond the cap is dropped and flagged") {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "head -c 100000 /dev/zero"};
  spec.output_cap = 1000;
  ProcessResult r = RunProcess(spec);
  CHECK(r.ok());
  CHECK(r.out.size() == 1000);
  CHECK(r.truncated);
}

TEST_CASE("a timeout kills the whole process group") {
  std::string pidfile = "/tmp/sparkc_test_grandchild." + std::to_string(getpid());
  ProcessSpec spec;
  // The grandchild would outlive a kill of the shell alone.
  spec.argv = {"sh", "-c", "sleep 30 & echo $! > " + pidfile + "; wait"};
  spec.timeout_ms = 300;
  ProcessResult r = RunProcess(spec);
  CHECK(r.timed_out);
  CHECK(r.elapsed_ms < 5000);
  pid_t grandchild = 0;
  std::ifstream(pidfile) >> grandchild;
  REQUIRE(grandchild > 0);
  // Give the kernel a moment to deliver the group kill.
  // Gone, or a zombie waiting for a container's init to reap it.
  auto alive = [](pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    return stat >> pid_field >> comm >> state && state != "Z";
  };
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = !alive(grandchild);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(gone);
  std::remove(pidfile.c_str());
}

TEST_CASE("cancellation ends the process early") {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel = true;
  });
  ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  ProcessResult r = RunProcess(spec, &cancel);
  canceller.join();
  CHECK(r.cancelled);
  CHECK(r.elapsed_ms < 5000);
}
