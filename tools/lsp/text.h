// Positions as the Language Server Protocol counts them: a line and a
// character offset in UTF-16 code units (the default) or in bytes (UTF-8,
// when the client offers it), against the byte offsets sparkc's spans hold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sparkc::lsp {

enum class Encoding { Utf16, Utf8 };

struct Position {
  uint32_t line = 0;       // 0-based
  uint32_t character = 0;  // 0-based, in the negotiated encoding's units
};

// A text's line starts, for converting in both directions.
class LineMap {
 public:
  explicit LineMap(std::string_view text);
  Position ToPosition(uint32_t offset, Encoding encoding) const;
  // False when the position is past the end of the text or of its line (a
  // character past the line's end is clamped to it, as the protocol says,
  // but a line past the last is an error).
  bool ToOffset(Position position, Encoding encoding, uint32_t& offset) const;
  uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// Code units of `text` (valid or not: each invalid byte counts as one unit).
uint32_t UnitsOf(std::string_view text, Encoding encoding);

// A `file://` URI's path (percent-decoded), or false when it is not one.
bool UriToPath(std::string_view uri, std::string& path);
std::string PathToUri(std::string_view path);

}  // namespace sparkc::lsp
