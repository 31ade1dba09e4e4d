// `sparkc fmt`: the canonical layout of a .spark file. The author's line
// breaks, comments and `;`/`,` separators stay; what changes is indentation
// (two spaces a level, continuation lines one level more, lines inside a
// bracket left open mid-line aligned after it), the spacing between tokens
// on a line, trailing whitespace and runs of blank lines. Extra blanks are
// kept where specs align columns: before `=`, a string, a block, and after a
// comma. A continuation line the author indented deeper than one level keeps
// that depth, moved with the line its statement began on.
#pragma once

#include <string>
#include <string_view>

namespace sparkc::format {

// `text` must be a file that parsed without errors: the formatter reads its
// tokens and what lies between them.
std::string Format(std::string_view text);

// True when `a` and `b` differ only in blanks and line breaks: what every
// Format result must satisfy against its input (`sparkc fmt` checks it, with
// the parse of both, before it writes anything).
bool SameButLayout(std::string_view a, std::string_view b);

}  // namespace sparkc::format
