#include "compiler/compile/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>

#include <llvm/ADT/StringMap.h>
#include <llvm/Support/BuryPointer.h>

#include "compiler/check/check.h"
#include "compiler/dag/dag.h"
#include "compiler/resolve/resolve.h"

namespace sparkc {
namespace {

// Builds the step graph; reports a cycle as the path of steps around it.
bool OrderSteps(CheckedSpec& spec, Diagnostics& diags, dag::Graph& graph, std::vector<uint32_t>& order) {
  auto n = static_cast<uint32_t>(spec.steps.size());
  llvm::StringMap<uint32_t> index(n);
  for (uint32_t i = 0; i < n; ++i) index[spec.steps[i].id] = i;
  for (uint32_t i = 0; i < n; ++i)
    for (const std::string& before : spec.steps[i].after)
      graph.AddEdge(index.find(before)->second, i);  // the checker reported unknown names
  std::vector<uint32_t> cycle = graph.FindCycle();
  if (!cycle.empty()) {
    std::string path;
    for (uint32_t v : cycle) path += spec.steps[v].id + " -> ";
    path += spec.steps[cycle.front()].id;
    Diagnostic& d = diags.Error(DiagnosticKind::E0301, spec.step_spans[cycle.front()],
                                fmt::format("steps depend on each other in a cycle: {}", path));
    for (size_t k = 0; k < cycle.size(); ++k) {
      uint32_t v = cycle[k], next = cycle[(k + 1) % cycle.size()];
      d.Note(spec.step_spans[next],
             fmt::format("`{}` runs after `{}`", spec.steps[next].id, spec.steps[v].id));
    }
    d.Suggest("remove one of these `after` edges");
    return false;
  }
  std::vector<uint32_t> by_id(n), rank(n);
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(),
            [&](uint32_t a, uint32_t b) { return spec.steps[a].id < spec.steps[b].id; });
  for (uint32_t r = 0; r < n; ++r) rank[by_id[r]] = r;
  order = graph.TopologicalOrder(rank);
  return true;
}

// A compile's intermediate results (the AST, the checked spec). A process
// that exits right after the compile leaves them to the OS, like clang's
// -disable-free: destroying 100k steps' worth node by node took 0.1 s
// between the end of the compile and the exit. Buried pointers stay
// reachable for leak checkers.
template <typename T>
class Intermediate {
 public:
  explicit Intermediate(bool free) : free_(free) {}
  ~Intermediate() {
    if (!free_) llvm::BuryPointer(std::move(value_));
  }
  Intermediate(const Intermediate&) = delete;
  Intermediate& operator=(const Intermediate&) = delete;
  T& operator*() { return *value_; }

 private:
  std::unique_ptr<T> value_ = std::make_unique<T>();
  bool free_;
};

}  // namespace

bool Compile(const std::string& path, SourceManager& sources, Diagnostics& diags,
             plan::Plan& plan, const CompileOptions& options) {
  auto last = std::chrono::steady_clock::now();
  auto done = [&](const char* phase) {
    auto now = std::chrono::steady_clock::now();
    if (options.timings != nullptr) options.timings->push_back({phase, std::chrono::duration<double>(now - last).count()});
    last = now;
  };
  Intermediate<Program> kept_program(options.free_memory);
  Program& program = options.program != nullptr ? *options.program : *kept_program;
  bool loaded = LoadProgram(path, sources, diags, program, options.cache);
  done("parse and load");
  if (!loaded) return false;
  Names own_names;
  Names& names = options.names != nullptr ? *options.names : own_names;
  names = BindNames(program, diags);
  done("resolve names");
  Intermediate<CheckedSpec> kept_spec(options.free_memory);
  CheckedSpec& spec = *kept_spec;
  // Later phases need correct names and types; stop before reporting noise.
  bool checked = CheckProgram(program, names, diags, spec, options.params);
  done("evaluate and check");
  if (!checked || diags.has_errors()) return false;
  std::vector<uint32_t> order;
  dag::Graph graph(static_cast<uint32_t>(spec.steps.size()));
  bool ordered = OrderSteps(spec, diags, graph, order);
  done("order steps");
  if (!ordered) return false;
  CheckInputs(spec, graph, order, diags);
  plan.points_of_no_return = CheckGates(spec, graph, order, diags);
  CheckTiming(spec, graph, order, diags, plan);
  done("gates and timing");
  if (diags.has_errors()) return false;

  plan.compiler = SPARKC_VERSION;
  plan.module = spec.module;
  plan.params = std::move(spec.params);
  plan.rto_ms = spec.rto_ms;
  plan.rpo_ms = spec.rpo_ms;
  plan.phases = std::move(spec.phases);
  plan.steps.reserve(order.size());
  for (uint32_t i : order) plan.steps.push_back(std::move(spec.steps[i]));
  plan.fanouts = std::move(spec.fanouts);
  plan.invariants = std::move(spec.invariants);
  plan.preconditions = std::move(spec.preconditions);
  if (options.digest) {
    plan.digest = plan::ComputeDigest(plan);
    done("digest");
  }
  return true;
}

}  // namespace sparkc
