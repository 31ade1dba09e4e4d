// Internal to compiler/parse and its tests.
#pragma once

#include <cstddef>

#include "compiler/parse/parse.h"

namespace sparkc::parse {

// From this many tokens on, a file is parsed on one thread while its AST is
// built on another (the thread costs tens of microseconds; a file this size
// takes milliseconds to parse).
constexpr size_t kPipelineMinTokens = 4096;

// ParseFile with the threshold given: tests compare both ways on one file.
Module ParseFileWith(const SourceManager& sources, FileId file, Diagnostics& diags, size_t pipeline_min_tokens);

}  // namespace sparkc::parse
