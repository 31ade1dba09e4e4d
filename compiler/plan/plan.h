// The plan: what the compiler emits and the runtime executes. It is a
// self-contained, versioned artifact; its canonical form is the JSON produced
// by ToJson, which the digest covers and which the YAML mirrors key for key.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sparkc::plan {

constexpr int kPlanVersion = 1;

struct Action {
  enum class Kind { Noop, Exec, Shell, Wait, Manual, Sequence };
  Kind kind = Kind::Noop;
  std::vector<std::string> argv;                            // Exec; Shell: {script}
  std::vector<std::pair<std::string, std::string>> env;     // sorted by name
  std::string cwd;
  bool has_stdin = false;
  std::string stdin_text;
  int64_t wait_ms = 0;                                      // Wait
  std::string instruction;                                  // Manual
  std::vector<Action> sequence;                             // Sequence

  bool operator==(const Action&) const = default;
};

struct Undo {
  enum class Kind { None, Irreversible, Action };
  Kind kind = Kind::None;
  std::string reason;  // Irreversible
  Action action;       // Action

  bool operator==(const Undo&) const = default;
};

struct Step {
  std::string id;
  std::string phase;        // "" when the step names none
  std::string description;  // from `///`
  std::string source;       // "file:line", relative to the root spec
  std::vector<std::string> after;  // sorted
  Action action;
  Undo undo;
  std::string check;        // canonical expression text; "" for none
  int64_t timeout_ms = 0;
  int64_t retries = 0;
  int64_t estimate_ms = 0;
  int64_t undo_estimate_ms = 0;

  bool operator==(const Step&) const = default;
};

struct Phase {
  std::string id;
  std::string title;
  bool operator==(const Phase&) const = default;
};

struct Plan {
  std::string compiler;       // sparkc version that wrote it
  std::string module;
  int64_t rto_ms = -1;        // -1: not stated
  int64_t rpo_ms = -1;
  std::vector<Phase> phases;
  std::vector<Step> steps;    // topological order, ties broken by id
  std::string digest;         // "sha256:<hex>"
};

// Canonical JSON (fixed key order). Without the digest when `with_digest` is
// false: that form is what the digest is computed over.
nlohmann::ordered_json ToJson(const Plan& plan, bool with_digest = true);
// Strict: unknown versions, missing keys and wrong types are errors.
bool FromJson(const nlohmann::ordered_json& json, Plan& plan, std::string& error);

std::string ComputeDigest(const Plan& plan);

std::string EmitYaml(const Plan& plan);
std::string EmitJson(const Plan& plan);

enum class LoadStatus { Ok, Invalid, DigestMismatch };
// Reads a plan written by EmitYaml or EmitJson and verifies its digest.
LoadStatus LoadPlan(const std::string& text, Plan& plan, std::string& error);

// "15 min", "1 h 30 min", "500 ms": the human form printed beside durations.
std::string HumanDuration(int64_t ms);

}  // namespace sparkc::plan
