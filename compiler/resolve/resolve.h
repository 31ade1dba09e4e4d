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
  std::string cited_path;                    // relative to Program::root_dir, as plans cite it
};

struct Program {
  std::vector<ModuleUnit> modules;  // modules[0] is the root
  std::string root_dir;             // displayed paths are relative to it
  int prelude = -1;                 // std.prelude, visible from every module
};

// The directories `import std.NAME` searches, in order: SPARKC_PATH, the
// stdlib installed next to the binary, the source tree's stdlib.
std::vector<std::string> StdlibDirs();

// What an editor keeps between compiles of the same files: its unsaved
// buffers, which win over the disk, and every module parsed before, reused
// while its text is the same (the stdlib and unchanged imports are parsed
// once). The SourceManager passed with it must be the same on every load:
// a cached module's spans name its files.
struct LoadCache {
  std::map<std::string, std::string> overlay;  // canonical path -> text
  struct Parsed {
    std::string text;
    FileId file = kNoFile;
    Module ast;
    std::vector<Diagnostic> diagnostics;  // the parse's own
  };
  std::map<std::string, Parsed> parsed;    // canonical path -> its last parse
};

// Parses `root_path` and, transitively, its imports. False when any file
// could not be read or parsed (diagnostics explain why).
bool LoadProgram(const std::string& root_path, SourceManager& sources, Diagnostics& diags,
                 Program& program, LoadCache* cache = nullptr);

// The name an import is known by: `as NAME`, else the file's stem
// (`import "./lib.spark"`: lib) or the module's dotted name (`std.gpu`).
std::string ImportAlias(const Decl& import);

// The canonical form of a path, as LoadCache and SourceFile::path() hold it.
std::string CanonicalPath(const std::string& path);

struct DeclRef {
  uint32_t module;
  uint32_t decl;
};

struct Names {
  // Per module: every named declaration (steps, gates, consts, records, ...).
  // One namespace per module: a phase and a step cannot share a name.
  std::vector<std::map<std::string, uint32_t>> globals;
  std::vector<DeclRef> steps;  // step and gate declarations, modules in load order
};

// Builds the name tables; duplicates are errors.
Names BindNames(const Program& program, Diagnostics& diags);

// `a.b.c` as written, or "" when the expression is not a dotted name.
std::string DottedName(const Module& module, ExprId id);

}  // namespace sparkc
