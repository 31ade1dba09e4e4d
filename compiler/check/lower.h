// Internal to compiler/check: evaluated values lowered into plan fields.
#pragma once

#include <map>

#include "compiler/check/check.h"
#include "compiler/eval/eval.h"

namespace sparkc::check {

using eval::Evaluator;
using eval::Value;

bool LowerAction(Evaluator& ev, const Value& v, plan::Action& out);
bool LowerUndo(Evaluator& ev, const Value& v, plan::Undo& out);
bool LowerDuration(Evaluator& ev, const Value& v, int64_t& out);
bool LowerInt(Evaluator& ev, const Value& v, int64_t min, int64_t max, int64_t& out);
bool LowerString(Evaluator& ev, const Value& v, std::string& out);
bool LowerBool(Evaluator& ev, const Value& v, bool& out);
bool LowerStrings(Evaluator& ev, const Value& v, std::vector<std::string>& out);
// `after`: steps, fan-outs (all their instances) and lists of them.
bool LowerSteps(Evaluator& ev, const Value& v, std::vector<std::string>& out);
// A `check`: a bool over probes; "" when it is statically true.
bool LowerCheck(Evaluator& ev, const Value& v, std::string& out);

// `slurm = { partition = "gpu", gres = "gpu:1", nodelist = n }`: a record of
// sbatch options (plan/placement.h); a nodelist may be a list of names.
bool LowerPlacement(Evaluator& ev, const Value& v, plan::Placement& out);

// "file:line" of a span in `module`, the path relative to the root spec's directory.
std::string SourceOf(const Program& program, const Diagnostics& diags, uint32_t module, Span span);

void UnknownField(Diagnostics& diags, const Field& field, const std::string& owner,
                  const std::vector<std::string>& known);
// Reports a field set twice; true when the field is new.
bool FirstTime(std::map<std::string, Span>& seen, const Field& field, Diagnostics& diags);

// Every step and gate of the program, fan-outs expanded (step.cpp).
void LowerAllSteps(const Program& program, const Names& names, Evaluator& ev, CheckedSpec& spec);
// Proves a static invariant or records a runtime one (invariant.cpp).
void CheckInvariant(const Program& program, Evaluator& ev, uint32_t module, const Decl& decl,
                    CheckedSpec& spec);

}  // namespace sparkc::check
