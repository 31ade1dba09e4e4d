// Loading and name resolution: the root file and everything it imports, and
// the tables that bind step and phase names to declarations.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diagnostics/diagnostics.h"

namespace sparkc {

struct ModuleUnit {
  std::string prefix;                        // "" for the root, "alias." for imports
  Module ast;
  std::map<std::string, uint32_t> imports;   // alias -> index in Program::modules
};

struct Program {
  std::vector<ModuleUnit> modules;  // modules[0] is the root
  std::string root_dir;             // displayed paths are relative to it
};

// The directories `import std.NAME` searches, in order: SPARKC_PATH, the
// stdlib installed next to the binary, the source tree's stdlib.
std::vector<std::string> StdlibDirs();

// Parses `root_path` and, transitively, its imports. False when any file
// could not be read or parsed (diagnostics explain why).
bool LoadProgram(const std::string& root_path, SourceManager& sources, Diagnostics& diags,
                 Program& program);

struct DeclRef {
  uint32_t module;
  uint32_t decl;
};

struct Names {
  std::vector<std::string> step_ids;            // qualified, in declaration order
  std::vector<DeclRef> steps;                   // parallel to step_ids
  std::map<std::string, uint32_t> step_index;   // qualified id -> index
  std::map<std::string, DeclRef> phases;        // qualified id -> declaration
};

// Builds the name tables; duplicates are errors.
Names BindNames(const Program& program, Diagnostics& diags);

enum class NameKind { Step, Phase };

// Resolves a reference (`x` or `alias.x`) written in module `module` to a
// qualified id. Unknown names are reported with a "did you mean".
bool ResolveReference(const Program& program, const Names& names, uint32_t module,
                      ExprId ref, NameKind kind, Diagnostics& diags, std::string& id);

}  // namespace sparkc
