// What a residual expression (the runtime part of a check, an output or a
// placeholder) reads: the outputs of steps, as `output("step", "name")`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/plan/plan.h"

namespace sparkc {

// The callee of an output reference in residual text.
constexpr std::string_view kOutputFunction = "output";

// "step.name" for each `output("step", "name")` in `expr`, in order, repeats
// included; empty when it has none or does not parse.
std::vector<std::string> ResidualInputs(std::string_view expr);
// The names `expr` reads among `candidates` (`stdout`, `status`, ...).
std::vector<std::string> ResidualNames(std::string_view expr, const std::vector<std::string>& candidates);

// The inputs the placeholders of an action's strings read. `argv_only`:
// only those of its argument vectors (visible to every user in /proc).
std::vector<std::string> ActionInputs(const plan::Action& action, bool argv_only = false);
// Every input of a step: its do, undo, check and undo_check; sorted, unique.
std::vector<std::string> StepInputs(const plan::Step& step);

}  // namespace sparkc
