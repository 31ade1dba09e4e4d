// Internal to compiler/check: lowering of field values.
#pragma once

#include "compiler/ast/ast.h"
#include "compiler/check/units.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/plan/plan.h"

namespace sparkc::check {

// "integer `5`", "string \"x\"", "duration `5 min`": how errors name a value.
std::string Describe(const Module& module, ExprId id);

bool LowerAction(const Module& module, ExprId id, Diagnostics& diags, plan::Action& out);
bool LowerUndo(const Module& module, ExprId id, Diagnostics& diags, plan::Undo& out);
// Type-checks a `check` expression: a bool over probes.
bool CheckCondition(const Module& module, ExprId id, Diagnostics& diags);

bool LowerQuantity(const Module& module, ExprId id, Dimension want, Diagnostics& diags,
                   int64_t& out);
bool LowerInt(const Module& module, ExprId id, int64_t min, int64_t max, Diagnostics& diags,
              int64_t& out);
bool LowerString(const Module& module, ExprId id, Diagnostics& diags, std::string& out);

// The quantity of a Quantity literal; reports unknown units and overflow.
bool QuantityOf(const Expr& e, Diagnostics& diags, Quantity& out);

}  // namespace sparkc::check
