// The whole compiler pipeline: load, resolve, check, order, plan.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/plan/plan.h"
#include "compiler/resolve/resolve.h"

namespace sparkc {

// Wall time per phase, for `--timings`.
struct PhaseTime {
  const char* phase;
  double seconds;
};

// A `param`'s value as given, and where: "--var size=50GiB", "vars.yaml:3",
// "SPARKC_VAR_size".
struct ParamValue {
  std::string text;
  std::string source;
};
using ParamValues = std::map<std::string, ParamValue>;

struct CompileOptions {
  const ParamValues* params = nullptr;
  // `check` emits no plan, so it skips the digest (a tenth of a compile).
  bool digest = true;
  std::vector<PhaseTime>* timings = nullptr;  // gets the phases that ran
  // False when the process exits soon after: the AST and the checked spec
  // are then left to the OS instead of freed.
  bool free_memory = true;
  // An editor's buffers and earlier parses (compiler/resolve/resolve.h).
  LoadCache* cache = nullptr;
  // Where the loaded program and its name tables go when the caller keeps
  // them (the language server answers from them); otherwise they are the
  // compile's own.
  Program* program = nullptr;
  Names* names = nullptr;
};

// Compiles the spec rooted at `path` into a plan with its digest set.
// False when any diagnostic is an error.
bool Compile(const std::string& path, SourceManager& sources, Diagnostics& diags,
             plan::Plan& plan, const CompileOptions& options = {});

}  // namespace sparkc
