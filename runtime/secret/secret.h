// Secrets at run time: a plan holds only references ("env:NAME",
// "file:PATH"); the value is read at the moment of use (an environment
// variable: at start-up, see CaptureEnvironmentSecrets) and remembered only
// so that it can be redacted from everything sparkc writes.
#pragma once

#include <string>
#include <vector>

namespace sparkc::runtime {

// Values shorter than this are refused: redacting every "ab" in a log would
// garble it, and not redacting them would leak them.
constexpr size_t kMinSecretBytes = 3;

// Reads the variables of the `env:` references among `refs` and removes
// them from sparkc's own environment, before any step starts: a step's
// process then sees a secret only when its action names it. Their values
// are redacted from then on. Not thread-safe (it changes the environment):
// call it before the runner starts threads.
void CaptureEnvironmentSecrets(const std::vector<std::string>& refs);

// Reads the secret a reference names. False with a reason that never
// contains the value.
bool ResolveSecret(const std::string& ref, std::string& value, std::string& error);

// A value derived from a secret (a step output of an action that read
// one): redacted from now on. False when it is too short to redact.
bool RememberSecretValue(const std::string& value, std::string& error);
// Every value resolved so far replaced by `***` in `text`. Redact before
// cutting anything short: a cut can split a secret where it is no longer
// found.
std::string Redact(std::string text);

// Secret step outputs are journaled sealed (AES-256-GCM) under a key derived
// from this variable, never in clear: a resumed run opens them with the same
// key. CaptureEnvironmentSecrets takes it out of the environment.
constexpr const char* kStateKeyVariable = "SPARKC_STATE_KEY";
bool HaveStateKey();
// `context` (run, step, output) is authenticated with the value: a sealed
// value moved to another row does not open.
bool Seal(const std::string& plaintext, const std::string& context, std::string& sealed, std::string& error);
bool Unseal(const std::string& sealed, const std::string& context, std::string& plaintext, std::string& error);

// Makes this process impossible to dump (no core file, no ptrace by the
// same user, /proc/self/environ and mem readable only by root): its memory
// holds secrets.
void ProtectProcessMemory();

}  // namespace sparkc::runtime
