// Source files and spans. A span is a byte range in one file; line and column
// are computed only when a diagnostic is rendered (a cold path).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sparkc {

using FileId = uint32_t;
constexpr FileId kNoFile = UINT32_MAX;

struct Span {
  FileId file = kNoFile;
  uint32_t begin = 0;  // byte offsets, [begin, end)
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
};

struct LineCol {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string display, std::string text);
  const std::string& path() const { return path_; }
  // The name diagnostics and plans print: relative to the spec root.
  const std::string& display() const { return display_; }
  std::string_view text() const { return text_; }
  LineCol Locate(uint32_t offset) const;
  std::string_view LineText(uint32_t line) const;

 private:
  std::string path_, display_, text_;
  std::vector<uint32_t> line_starts_;
};

class SourceManager {
 public:
  FileId Add(std::string path, std::string display, std::string text);
  // New text for a file already added (an editor's buffer changed).
  void Replace(FileId id, std::string text);
  const SourceFile& file(FileId id) const { return *files_[id]; }
  size_t size() const { return files_.size(); }
  // The id of an already loaded file with this canonical path, or kNoFile.
  FileId Find(const std::string& path) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Reads a whole file; returns false with a reason (strerror) on failure.
bool ReadFile(const std::string& path, std::string& out, std::string& error);

// Writes through a temporary file and a rename, so a failed write never
// leaves half a file where a complete one was. `mode` (0600 for a secret)
// is the file's from its first byte; -1: a file rewritten keeps its own,
// a new one gets the umask's.
bool WriteFileAtomically(const std::string& path, const std::string& content, std::string& error, int mode = -1);

// The byte offset of the first invalid UTF-8 sequence or NUL byte, or -1.
int64_t FindInvalidText(std::string_view text, bool& is_nul);

// As a POSIX shell reads it back: plain when nothing in it is special,
// otherwise single-quoted, each `'` written as `'\''`. For command lines
// sparkc shows (dry runs, diffs) and tells an operator to run.
std::string ShellWord(const std::string& arg);

// `text` as valid UTF-8: each invalid sequence (and NUL) replaced by U+FFFD.
// What sparkc writes to a journal, report or terminal goes through this.
std::string ValidUtf8(std::string_view text);
// At most `max` bytes of `text`, cut on a character boundary: its start
// (Head) or its end (Tail), with "..." where something was cut.
std::string HeadUtf8(std::string_view text, size_t max);
std::string TailUtf8(std::string_view text, size_t max);
// `text` as one line a terminal shows literally: valid UTF-8, with control
// characters (C0 but tab, DEL and C1: newlines, and the escape sequences
// that move the cursor or retitle a window) written as \n, \r or \x1b.
std::string Printable(std::string_view text);

}  // namespace sparkc
