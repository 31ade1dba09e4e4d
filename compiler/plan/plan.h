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

// 2: the time bounds hold for the schedule the runtime runs (parallelism,
// concurrency, retries), with hard bounds beside them.
constexpr int kPlanVersion = 2;
// The most retries a step may have: the compiler's bound and the loader's.
constexpr int64_t kMaxRetries = 100;
// A time with no bound: a step that waits for a person, a sum past int64.
constexpr int64_t kUnbounded = -1;
// The most steps `objective.parallelism` lets run at once.
constexpr int64_t kMaxParallelism = 1024;

struct Action {
  enum class Kind { Noop, Exec, Shell, Wait, Manual, Sequence, Http };
  Kind kind = Kind::Noop;
  std::vector<std::string> argv;                            // Exec; Shell: {script}
  std::vector<std::pair<std::string, std::string>> env;     // sorted by name
  // Secrets by reference ("env:NAME", "file:PATH"), resolved when the action
  // starts; never a value.
  std::vector<std::pair<std::string, std::string>> secret_env;  // sorted by name
  std::string cwd;
  bool has_stdin = false;
  std::string stdin_text;
  std::string stdin_secret;                                 // a reference, or ""
  int64_t wait_ms = 0;                                      // Wait
  std::string instruction;                                  // Manual
  std::vector<Action> sequence;                             // Sequence
  // Http: the body travels as stdin_text/stdin_secret and the headers as
  // env/secret_env, so that secrets are handled in one place.
  std::string method, url;
  int64_t expect_status = 0;                                // 0: any 2xx

  bool operator==(const Action&) const = default;
};

struct Undo {
  enum class Kind { None, Irreversible, Action };
  Kind kind = Kind::None;
  std::string reason;  // Irreversible
  Action action;       // Action

  bool operator==(const Undo&) const = default;
};

// A value a step takes from the result of its `do` (compiler/plan/outputs.h).
struct Output {
  std::string name;
  std::string type;   // "string", "int", "float", "bool", "size", "duration", "version", ...
  std::string expr;   // over `stdout`, `stderr`, `exit` (exec, shell) or `status`, `body` (http)
  // The action read a secret (or a secret output): its result may hold it.
  bool secret = false;
  bool operator==(const Output&) const = default;
};

// Where a step runs under `--engine slurm` (sbatch's options of the same
// names); the local engine ignores it. Strings are as Slurm reads them.
struct Placement {
  std::string partition;
  std::string gres;        // "gpu:1", "gpu:h100:2"
  std::string nodelist;    // "node3", "node[1-4]": the nodes it must run on
  std::string constraint;  // node features
  std::string account;
  std::string qos;
  int64_t cpus = 0;        // --cpus-per-task; 0: the partition's default
  int64_t mem_bytes = 0;   // --mem; 0: the partition's default

  bool empty() const { return *this == Placement{}; }
  bool operator==(const Placement&) const = default;
};

struct Step {
  std::string id;
  bool gate = false;                // a gate: `do` is the approval prompt
  std::vector<std::string> approvers;
  std::string group;                // the fan-out it is an instance of, or ""
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
  // What the step starts may outlive it (a server it launches); otherwise
  // every process it started ends when it ends.
  bool detach = false;
  // false: the check holds only at the moment of the step (a replica
  // "syncing"); `verify` does not re-check it.
  bool verify = true;
  // Evaluated after the undo: "" for none. False means the undo failed.
  std::string undo_check;
  // false: the undo is valid only after `do` succeeded, so a failed attempt
  // (which may have done part of `do`) is not undone.
  bool undo_after_failure = true;
  std::vector<Output> outputs;      // by name
  // The outputs of earlier steps this step uses ("find_leader.leader"),
  // sorted. When there are any, the strings of its actions are templates
  // whose `${{expr}}` parts are evaluated when the action starts.
  std::vector<std::string> inputs;
  Placement slurm;

  bool operator==(const Step&) const = default;
};

struct Phase {
  std::string id;
  std::string title;
  bool operator==(const Phase&) const = default;
};

struct FanOut {
  std::string id;
  int64_t concurrency = 0;  // 0: unbounded (only -j limits it)
  std::vector<std::string> instances;
  bool operator==(const FanOut&) const = default;
};

struct Invariant {
  std::string id;
  std::string description;
  std::string source;
  bool runtime = false;    // static ones were proven by the compiler
  std::string expr;        // runtime: the expression `verify` evaluates
  bool operator==(const Invariant&) const = default;
};

// A proven bound on how long a run (or a window of it) takes, for the
// schedule the runtime runs: the plan's parallelism, fan-out concurrency,
// every retry and its backoff. If every attempt of every step takes at most
// its estimate (`estimate`), or whatever the durations (`hard`, from the
// timeouts), it ends within `total_ms`, in any order the scheduler picks.
struct Bound {
  int64_t total_ms = 0;            // kUnbounded: none holds, see `unbounded`
  std::vector<std::string> steps;  // the chain of steps that makes it, in the order they run
  int64_t path_ms = 0;             // that chain's own time
  // Rollback only: steps still in flight when one fails finish before the
  // first undo starts.
  int64_t drain_ms = 0;
  // What kept it above the chain: "parallelism = 1", "concurrency = 1 of `roll`".
  std::vector<std::string> limits;
  std::string unbounded;           // why no bound holds
  bool operator==(const Bound&) const = default;
};

struct Bounds {
  Bound estimate, hard;
  bool operator==(const Bounds&) const = default;
};

struct Window {
  std::string id;
  std::string from, to;
  int64_t max_ms = 0;
  Bounds bound;  // from the start of `from` to the end of `to`
  bool operator==(const Window&) const = default;
};

// An irreversible step and the gate that approves it (the nearest one).
struct PointOfNoReturn {
  std::string step;
  std::string gate;
  bool operator==(const PointOfNoReturn&) const = default;
};

struct Plan {
  std::string compiler;       // sparkc version that wrote it
  std::string module;
  // The spec's `param`s and the values this plan was built with, by name:
  // two environments are two plans from one spec, each reviewed.
  std::vector<std::pair<std::string, std::string>> params;
  int64_t rto_ms = -1;        // -1: not stated
  int64_t rpo_ms = -1;
  std::vector<Phase> phases;
  std::vector<Step> steps;    // topological order, ties broken by id
  std::vector<FanOut> fanouts;          // by id
  std::vector<Invariant> invariants;    // by id
  // `require`: evaluated (runtime ones) before the first step of a new run.
  std::vector<Invariant> preconditions;  // by id
  std::vector<Window> windows;          // by id
  int64_t parallelism = 1;              // the steps `apply` and `rollback` run at once
  Bounds forward;                       // the whole run
  Bounds rollback;                      // from a failure to the last undo
  std::vector<std::string> rollback_order;  // the inverse plan: undos, in the order they run
  std::vector<PointOfNoReturn> points_of_no_return;  // in plan order
  std::string digest;         // "sha256:<hex>"
};

// Canonical JSON (fixed key order). Without the digest when `with_digest` is
// false: that form is what the digest is computed over.
nlohmann::ordered_json ToJson(const Plan& plan, bool with_digest = true);
// A step's `do` and `undo` as the canonical JSON writes them.
nlohmann::ordered_json ActionToJson(const Action& action);
nlohmann::ordered_json UndoToJson(const Undo& undo);
// A step's `slurm` block as the canonical JSON writes it.
nlohmann::ordered_json PlacementToJson(const Placement& placement);
// Strict: unknown versions, missing keys and wrong types are errors.
bool FromJson(const nlohmann::ordered_json& json, Plan& plan, std::string& error);

// Whether the plan's stated time bounds are the ones its steps give;
// otherwise `error` names the first that is not.
bool TimeBoundsHold(const Plan& plan, std::string& error);

std::string ComputeDigest(const Plan& plan);
// "sha256:" and the hex SHA-256 of `bytes`: the form of every digest.
std::string Sha256(std::string_view bytes);

std::string EmitYaml(const Plan& plan);
// Any JSON object as block YAML with the plan's quoting rules (strings every
// YAML 1.1 and 1.2 reader reads as strings), without its annotations.
std::string EmitYamlDocument(const nlohmann::ordered_json& document);
std::string EmitJson(const Plan& plan);

enum class LoadStatus { Ok, Invalid, DigestMismatch };
// Where in a plan's text: 1-based; line 0 when unknown.
struct TextPosition {
  uint32_t line = 0;
  uint32_t column = 0;
};
// Reads a plan written by EmitYaml or EmitJson, strictly (every key once,
// no key a plan does not have, one document) and verifies its digest. An
// invalid plan's error says where, when it can, in `at`.
LoadStatus LoadPlan(const std::string& text, Plan& plan, std::string& error, TextPosition* at = nullptr);

// Graphviz DOT of the plan (or of its rollback, edges inverted), with the
// critical path highlighted.
std::string EmitDot(const Plan& plan, bool rollback);

// "15 min", "1 h 30 min", "500 ms": the human form printed beside durations.
std::string HumanDuration(int64_t ms);

}  // namespace sparkc::plan
