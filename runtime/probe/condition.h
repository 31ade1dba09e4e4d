// Evaluates the runtime expressions of a plan: a step's `check` and
// `undo_check`, runtime invariants and preconditions, a step's `outputs`
// (from the result of its `do`) and the placeholders of the actions that use
// them. The compiler has type-checked each (compiler/check).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/plan/plan.h"

namespace sparkc::runtime {

struct CheckOutcome {
  bool passed = false;
  std::string detail;  // why it failed: the failing comparison and its values
  bool abandoned = false;  // a second signal stopped it: nothing is known
  // It has no value: a probe failed (no nvidia-smi, a refused connection, an
  // unreadable file), and the detail says why. Not passed, and not "false".
  bool unknown = false;
};

// A step output's value as the journal keeps it: its text in the form its
// type reads back (a quantity in its base unit, json as a document).
struct OutputValue {
  std::string type;
  std::string encoded;
  bool secret = false;
};
// The outputs a run knows so far, by "step.name".
using OutputTable = std::map<std::string, OutputValue>;

// Relative paths in probes resolve against the current directory, like the
// actions of the step.
// The detail is redacted: it may quote what a probe returned.
CheckOutcome EvaluateCheck(const std::string& text, int64_t timeout_ms, const OutputTable* outputs = nullptr);

// What the `do` of a step with outputs gave.
struct ActionOutput {
  bool http = false;
  std::string out, err;  // a process's streams, whole (up to the capture cap)
  int64_t exit = 0;
  int64_t status = 0;  // a request's status and body
  std::string body;
  bool truncated = false;  // past the capture cap: an output read from it would be wrong
};

// The step's outputs from its result, in the step's order. False with a
// message that names the failing output and quotes what it read; a secret
// output's value is redacted from then on.
bool EvaluateOutputs(const plan::Step& step, const ActionOutput& result, const OutputTable& known,
                     std::vector<std::pair<std::string, OutputValue>>& values, std::string& error);

// The action with every placeholder replaced by its value now
// (compiler/plan/template.h). The error names what could not be evaluated.
bool ResolveInputs(plan::Action& action, const OutputTable& outputs, int64_t timeout_ms, std::string& error);

// How the value of an output reads in a string or an argument: the one text
// rule, the compiler's `${x}`.
std::string OutputText(const OutputValue& value);

// The secret references (`env("X")` as "env:X", `file("p")` as "file:p") a
// check reads, appended to `refs`.
void CollectSecretRefs(const std::string& text, std::vector<std::string>& refs);

}  // namespace sparkc::runtime
