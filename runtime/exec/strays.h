// Processes a killed runner left behind. Every action runs in its own
// process group with SPARKC_STEP=<tag> in its environment; when a run
// resumes a step that was running, the strays carrying its tag are killed
// first, so the step is never performed twice at the same time.
#pragma once

#include <string>

namespace sparkc::runtime {

constexpr const char* kStepTagVariable = "SPARKC_STEP";

// Kills (SIGKILL, whole process group) every process of this user whose
// environment holds SPARKC_STEP=`tag`, and waits up to 5 s for them to go.
// Returns how many were found.
int KillStrays(const std::string& tag);

}  // namespace sparkc::runtime
