// The checker: evaluates a resolved program and lowers its steps, gates,
// fan-outs, invariants, windows and objective into plan form, reporting
// type, unit, field and safety errors.
#pragma once

#include <string>
#include <vector>

#include "compiler/compile/compile.h"
#include "compiler/dag/dag.h"
#include "compiler/plan/plan.h"
#include "compiler/resolve/resolve.h"

namespace sparkc {

struct CheckedSpec {
  std::string module;               // the root module's name
  int64_t rto_ms = -1, rpo_ms = -1;
  std::vector<plan::Phase> phases;  // in declaration order
  std::vector<plan::Step> steps;    // fan-outs expanded; `after` sorted
  std::vector<Span> step_spans;     // parallel to steps: each step's name
  std::vector<plan::FanOut> fanouts;
  std::vector<plan::Invariant> invariants;
  std::vector<plan::Invariant> preconditions;  // `require`
  std::vector<plan::Window> windows;
  std::vector<Span> window_spans;   // parallel to windows
  Span rto_span;                    // the `rto` field, when given
  int64_t parallelism = 1;          // objective.parallelism: steps at once
  Span parallelism_span;
  std::vector<std::pair<std::string, std::string>> params;  // by name: each param's value as text
};

// Timeout of a step that states none.
constexpr int64_t kDefaultTimeoutMs = 3'600'000;
using plan::kMaxRetries;
using plan::kMaxParallelism;

// `params`: the values given for the spec's `param`s (null: none).
bool CheckProgram(const Program& program, const Names& names, Diagnostics& diags,
                  CheckedSpec& spec, const ParamValues* params = nullptr);

// Every `irreversible` step must have a gate among its ancestors; returns
// each with the nearest such gate. `order` is a topological order of spec.steps.
std::vector<plan::PointOfNoReturn> CheckGates(const CheckedSpec& spec, const dag::Graph& graph,
                                              const std::vector<uint32_t>& order, Diagnostics& diags);

// Outputs used by later steps: each use comes after its producer in the DAG
// (a step's own outputs only outside its `do`). Marks the outputs of steps
// whose `do` reads a secret (or a secret output) as secrets, and refuses
// secret outputs in argument vectors.
void CheckInputs(CheckedSpec& spec, const dag::Graph& graph, const std::vector<uint32_t>& order, Diagnostics& diags);

// The time bounds (forward, rollback, each window) for the plan's
// parallelism, by estimate and by timeout, against each window's `max` and
// the RTO. Fills those plan fields and the rollback order.
void CheckTiming(const CheckedSpec& spec, const dag::Graph& graph, const std::vector<uint32_t>& order,
                 Diagnostics& diags, plan::Plan& plan);

namespace check {
// The fields the block of a `step`, `gate`, `objective` or `window` takes
// (empty for other declarations): what the checker accepts and an editor
// completes.
const std::vector<std::string>& FieldsOf(DeclKind kind);
}  // namespace check

}  // namespace sparkc
