#include "tools/lsp/text.h"

#include <fmt/format.h>

#include <algorithm>

namespace sparkc::lsp {
namespace {

// Bytes in the UTF-8 sequence that starts with `lead`; 1 for a byte that
// starts none (counted as one unit, as a client would see U+FFFD).
uint32_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

uint32_t UnitsOf(std::string_view text, Encoding encoding) {
  if (encoding == Encoding::Utf8) return static_cast<uint32_t>(text.size());
  uint32_t units = 0;
  for (size_t i = 0; i < text.size();) {
    uint32_t n = SequenceLength(static_cast<unsigned char>(text[i]));
    if (i + n > text.size()) n = 1;
    units += n == 4 ? 2 : 1;  // outside the BMP: a surrogate pair
    i += n;
  }
  return units;
}

LineMap::LineMap(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

Position LineMap::ToPosition(uint32_t offset, Encoding encoding) const {
  if (offset > text_.size()) offset = static_cast<uint32_t>(text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts_.begin()) - 1;
  return {line, UnitsOf(text_.substr(starts_[line], offset - starts_[line]), encoding)};
}

bool LineMap::ToOffset(Position position, Encoding encoding, uint32_t& offset) const {
  if (position.line >= starts_.size()) return false;
  uint32_t begin = starts_[position.line];
  uint32_t end = position.line + 1 < starts_.size() ? starts_[position.line + 1] - 1 : static_cast<uint32_t>(text_.size());
  if (end > begin && text_[end - 1] == '\r') --end;
  uint32_t at = begin, units = 0;
  while (at < end && units < position.character) {
    uint32_t n = encoding == Encoding::Utf8 ? 1 : SequenceLength(static_cast<unsigned char>(text_[at]));
    if (at + n > end) n = 1;
    units += encoding == Encoding::Utf16 && n == 4 ? 2 : 1;
    at += n;
  }
  offset = at;
  return true;
}

bool UriToPath(std::string_view uri, std::string& path) {
  constexpr std::string_view kScheme = "file://";
  if (!uri.starts_with(kScheme)) return false;
  uri.remove_prefix(kScheme.size());
  if (uri.starts_with("localhost/")) uri.remove_prefix(9);
  if (!uri.starts_with('/')) return false;
  path.clear();
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      int hi = HexDigit(uri[i + 1]), lo = HexDigit(uri[i + 2]);
      if (hi >= 0 && lo >= 0) {
        path += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    path += uri[i];
  }
  return path.find('\0') == std::string::npos;
}

std::string PathToUri(std::string_view path) {
  std::string uri = "file://";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) uri += static_cast<char>(c);
    else uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

}  // namespace sparkc::lsp
