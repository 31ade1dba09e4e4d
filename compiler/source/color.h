// Colour on a terminal: off unless the driver turns it on for a stream
// (`--color always`, or `auto` on a terminal without NO_COLOR), so that
// files, pipes, goldens and CI logs stay plain text.
#pragma once

#include <string>
#include <string_view>

namespace sparkc {

enum class Stream { Out, Err };
enum class Paint { Error, Warning, Note, Help, Ok, Fail, Wait, Undo, Dim, Bold };

void SetColor(Stream stream, bool on);
bool ColorOn(Stream stream);
// `text` in the style's SGR colours when colour is on for `stream`, else as is.
std::string Painted(Stream stream, Paint paint, std::string_view text);

}  // namespace sparkc
