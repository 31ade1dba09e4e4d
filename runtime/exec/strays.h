// Processes a step left behind. Every action runs in its own process group
// with SPARKC_STEP=<tag> and SPARKC_RUNNER=<the runner's identity> in its
// environment, which its descendants inherit even when they leave the group
// (setsid). When a run resumes a step that was running, the strays of a
// runner that died are killed first, so the step is never performed twice
// at the same time; when a step ends, what it started ends with it.
#pragma once

#include <string>

namespace sparkc::runtime {

constexpr const char* kStepTagVariable = "SPARKC_STEP";
constexpr const char* kRunnerVariable = "SPARKC_RUNNER";

// This process as SPARKC_RUNNER names it: "PID:START", START being the
// kernel's start time of the process, so that a reused pid is not taken for
// the runner that had it.
const std::string& RunnerIdentity();

enum class Owner {
  DeadRunner,  // tagged by a runner that is no longer alive
  ThisRunner,  // tagged by this process
};

// Kills (SIGKILL, with their process groups) the processes of this user
// whose environment holds SPARKC_STEP=`tag` and whose SPARKC_RUNNER is
// `owner`, and waits up to 5 s for them to go. A process whose runner is
// alive (another sparkc) is never killed as a stray. Returns how many.
int KillStrays(const std::string& tag, Owner owner = Owner::DeadRunner);

// When a step's action has ended: kills what it started that is still
// running, in its process group (`group`) or out of it (found by tag; with
// BecomeSubreaper, cheaply known to exist). Returns how many were found.
int EndStepProcesses(const std::string& tag, int group);

}  // namespace sparkc::runtime
