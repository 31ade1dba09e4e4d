#include "compiler/source/source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sparkc {

SourceFile::SourceFile(std::string path, std::string display, std::string text)
    : path_(std::move(path)), display_(std::move(display)), text_(std::move(text)) {
  // Line 1 starts after a byte order mark, which no terminal shows.
  line_starts_.push_back(text_.starts_with("\xEF\xBB\xBF") ? 3 : 0);
  for (uint32_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

LineCol SourceFile::Locate(uint32_t offset) const {
  offset = std::clamp<uint32_t>(offset, line_starts_.front(), std::max<uint32_t>(text_.size(), line_starts_.front()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());
  uint32_t column = 1;
  for (uint32_t i = line_starts_[line - 1]; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  return {line, column};
}

std::string_view SourceFile::LineText(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : text_.size();
  std::string_view view(text_.data() + begin, end - begin);
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) view.remove_suffix(1);
  return view;
}

FileId SourceManager::Add(std::string path, std::string display, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(display), std::move(text)));
  return static_cast<FileId>(files_.size() - 1);
}

void SourceManager::Replace(FileId id, std::string text) {
  const SourceFile& old = *files_[id];
  files_[id] = std::make_unique<SourceFile>(old.path(), old.display(), std::move(text));
}

FileId SourceManager::Find(const std::string& path) const {
  for (size_t i = 0; i < files_.size(); ++i)
    if (files_[i]->path() == path) return static_cast<FileId>(i);
  return kNoFile;
}

bool ReadFile(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = std::strerror(errno);
    return false;
  }
  out = std::move(buffer).str();
  return true;
}

namespace {

// The mode a new file gets: what the umask allows of 0666. Read from /proc,
// because umask(2) can only be read by setting it, for every thread at once.
mode_t UmaskMode() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("Umask:")) return 0666 & ~static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  return 0644;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, const std::string& content, std::string& error, int mode) {
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  // An unpredictable name created with O_EXCL (mkostemp): a symlink or file
  // planted at any name in a directory others can write is never followed
  // or reused.
  std::string tmp = (std::filesystem::path(dir) / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  auto fail = [&] {
    error = std::strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return false;
  };
  // A file rewritten in place (`sparkc fmt`) keeps its permissions, but only
  // when it is ours: the mode of a file someone else planted there is not.
  struct stat existing;
  bool ours = lstat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) && existing.st_uid == geteuid();
  mode_t chosen = mode >= 0 ? static_cast<mode_t>(mode) : ours ? existing.st_mode & 0777 : UmaskMode();
  if (fchmod(fd, chosen) != 0) return fail();
  for (size_t done = 0; done < content.size();) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail();
    done += static_cast<size_t>(n);
  }
  // On disk before the rename makes it the file: a crash leaves the old
  // content or the new, never an empty file.
  if (fsync(fd) != 0) return fail();
  close(fd);
  // rename replaces a symlink at `path` itself; it never writes through it.
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    error = std::strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

int64_t FindInvalidText(std::string_view text, bool& is_nul) {
  is_nul = false;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c == 0) {
      is_nul = true;
      return static_cast<int64_t>(i);
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > n) return static_cast<int64_t>(i);
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return static_cast<int64_t>(i);
    i += len;
  }
  return -1;
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    bool is_nul = false;
    int64_t bad = FindInvalidText(text, is_nul);
    if (bad < 0) {
      out.append(text);
      break;
    }
    out.append(text.substr(0, static_cast<size_t>(bad)));
    out.append("\xEF\xBF\xBD");
    // One replacement per maximal invalid prefix: skip the lead byte and the
    // continuation bytes after it.
    size_t skip = 1;
    while (static_cast<size_t>(bad) + skip < text.size() &&
           (static_cast<unsigned char>(text[bad + skip]) & 0xC0) == 0x80 && skip < 4)
      ++skip;
    text.remove_prefix(static_cast<size_t>(bad) + skip);
  }
  return out;
}

namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string HeadUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && IsContinuation(text[end])) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string ShellWord(const std::string& arg) {
  bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                     "_-./:=@%+,") == std::string::npos;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string TailUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t begin = text.size() - max;
  while (begin < text.size() && IsContinuation(text[begin])) ++begin;
  return "..." + std::string(text.substr(begin));
}

std::string Printable(std::string_view text) {
  std::string valid = ValidUtf8(text);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    auto c = static_cast<unsigned char>(valid[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if ((c < 0x20 && c != '\t') || c == 0x7F) out += fmt::format("\\x{:02x}", c);
    // C1 controls, U+0080 to U+009F: C2 80 to C2 9F.
    else if (c == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) < 0xA0)
      out += fmt::format("\\u{{{:x}}}", static_cast<unsigned char>(valid[++i]));
    else out += static_cast<char>(c);
  }
  return out;
}

}  // namespace sparkc
