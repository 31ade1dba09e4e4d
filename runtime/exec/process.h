// Running one program: posix_spawn (never fork from a large process) in a
// process group of its own, output captured and capped, the whole group
// killed when the timeout expires.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sparkc::runtime {

constexpr size_t kDefaultOutputCap = 1u << 20;  // per stream

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
  std::string cwd;
  bool has_stdin = false;
  std::string stdin_text;
  int64_t timeout_ms = 0;  // 0: none
  size_t output_cap = kDefaultOutputCap;
  // Called with what each read of stdout (1) or stderr (2) gave, as it
  // arrives: for a live view of the output. Optional.
  std::function<void(int stream, std::string_view bytes)> on_output;
};

struct ProcessResult {
  bool started = false;
  std::string spawn_error;  // why it did not start
  int exit_code = -1;       // when it exited
  int signal = 0;           // when a signal ended it
  bool timed_out = false;
  bool cancelled = false;
  std::string out, err;     // the first output_cap bytes of each
  bool truncated = false;
  int64_t elapsed_ms = 0;
  int pid = -1;             // also its process group's id

  bool ok() const { return started && !timed_out && !cancelled && signal == 0 && exit_code == 0; }
  // "exit code 3", "killed by signal 9", "timed out after 5 s", "cannot run `x`: ..."
  std::string Summary() const;
};

// `cancel`, when set by another thread, ends the process group early.
ProcessResult RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel = nullptr);

// Makes this process the reaper of its orphaned descendants
// (PR_SET_CHILD_SUBREAPER): a step's daemon that detached itself (setsid,
// a double fork) becomes our child instead of init's, so it can be found
// and ended when the step ends.
void BecomeSubreaper();
// Children this process did not start through RunProcess (orphans it
// adopted as the subreaper), alive or not yet reaped.
std::vector<int> AdoptedChildren();
// Reaps the adopted children that have exited.
void ReapAdopted();

}  // namespace sparkc::runtime
