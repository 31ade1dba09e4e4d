// Holds the hand-written lexer (compiler/parse/lexer.h) to the lexer ANTLR
// generates from grammar/Spark.g4, which stays the definition of the tokens.
#pragma once

#include <string>
#include <string_view>

namespace sparkc::testing {

// Lexes `text` with both and describes the first difference in token type,
// byte range, `///` comment or lexer error; empty when they agree. Text that
// ParseFile would reject before lexing (invalid UTF-8, NUL) gives "".
std::string CompareLexers(std::string_view text);

}  // namespace sparkc::testing
