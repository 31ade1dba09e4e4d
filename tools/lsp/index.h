// What every name in a loaded program refers to: the declarations, record
// fields, enum members and locals, each with where it is declared and every
// place it is used. Go to definition, find references, hover and semantic
// tokens read it. Built from the AST the compiler loaded, with the
// evaluator's help only where a field's record is known from a value.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/resolve/resolve.h"

namespace sparkc::lsp {

struct Symbol {
  enum class Kind { Decl, RecordField, EnumMember, Local, Module };
  Kind kind = Kind::Decl;
  uint32_t module = 0;  // Decl, RecordField, EnumMember: the declaring module; Module: the module
  uint32_t decl = 0;
  uint32_t member = 0;  // RecordField, EnumMember: index into the decl's params or members
  Span definition;      // where it is declared (a Module: its file's start)

  bool operator==(const Symbol& o) const {
    if (kind != o.kind) return false;
    if (kind == Kind::Local) return definition.file == o.definition.file && definition.begin == o.definition.begin;
    return module == o.module && decl == o.decl && member == o.member;
  }
};

struct Occurrence {
  Span span;
  Symbol symbol;
  bool declaration = false;  // the name where it is declared
};

class Index {
 public:
  Index(const Program& program, const Names& names, Diagnostics& scratch);

  // The name at `offset` in `file`, or null.
  const Occurrence* At(FileId file, uint32_t offset) const;
  // Every occurrence of `symbol`, declaration included, in file and offset order.
  std::vector<Occurrence> Uses(const Symbol& symbol) const;
  const std::vector<Occurrence>& occurrences() const { return all_; }
  const Decl* DeclOf(const Symbol& symbol) const;

 private:
  const Program& program_;
  std::vector<Occurrence> all_;  // sorted by file, then begin
  friend class IndexBuilder;
};

}  // namespace sparkc::lsp
