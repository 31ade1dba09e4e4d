#include "tools/sparkc/fmt_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "compiler/format/format.h"
#include "compiler/parse/parse.h"
#include "runtime/apply/apply.h"

namespace sparkc {
namespace {

namespace fs = std::filesystem;
using runtime::kExitInvalid;
using runtime::kExitOk;

// Directories stand for every .spark file below them, in a stable order.
std::vector<std::string> Expand(const std::vector<std::string>& paths, std::ostream& err, bool& ok) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (path == "-" || !fs::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".spark") found.push_back(it->path().string());
    if (ec) {
      err << fmt::format("sparkc: error[E0001]: cannot read the directory `{}`: {}\n", path, ec.message());
      ok = false;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string_view LineAt(std::string_view text, size_t index) {
  for (size_t i = 0; i < index; ++i) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
  }
  return text.substr(0, text.find('\n'));
}

// `--check`: where the file first departs from its formatted text.
void ReportUnformatted(const std::string& file, std::string_view found, std::string_view expected,
                       std::ostream& err) {
  size_t line = 0, at = 0;
  size_t end = std::min(found.size(), expected.size());
  while (at < end && found[at] == expected[at]) {
    if (found[at] == '\n') ++line;
    ++at;
  }
  err << fmt::format("{}:{}: not formatted\n  found:    {:?}\n  expected: {:?}\n", file, line + 1,
                     std::string(LineAt(found, line)), std::string(LineAt(expected, line)));
}

}  // namespace

int FmtCommand(const FmtOptions& options, std::ostream& out, std::ostream& err) {
  bool ok = true;
  std::vector<std::string> files = Expand(options.paths, err, ok);
  SourceManager sources;
  Diagnostics diags(sources);
  size_t unformatted = 0;
  for (const std::string& file : files) {
    bool from_stdin = file == "-";
    std::string text, error;
    if (from_stdin) {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (!ReadFile(file, text, error)) {
      err << fmt::format("sparkc: error[E0001]: cannot read `{}`: {}\n", file, error);
      ok = false;
      continue;
    }
    std::string display = from_stdin ? "<stdin>" : file;
    size_t errors = diags.error_count();
    Module module = ParseFile(sources, sources.Add(display, display, text), diags);
    if (diags.error_count() > errors) continue;  // reported below; a file that does not parse is left alone

    std::string formatted = format::Format(text);
    // Only layout may change. A formatter bug must never reach the file.
    Diagnostics reparse(sources);
    Module again = ParseFile(sources, sources.Add(display, display, formatted), reparse);
    if (!format::SameButLayout(text, formatted) || reparse.has_errors() || !SameMeaning(module, again)) {
      err << fmt::format("sparkc: error: formatting `{}` would change what it says; it is left as it is "
                         "(a bug in `sparkc fmt`: please report it with the file)\n", display);
      ok = false;
      continue;
    }
    if (options.check) {
      if (formatted == text) continue;
      ReportUnformatted(display, text, formatted, err);
      ++unformatted;
    } else if (from_stdin || options.to_stdout) {
      out << formatted;
    } else if (formatted == text) {
      continue;
    } else if (!WriteFileAtomically(file, formatted, error)) {
      err << fmt::format("sparkc: error: cannot write `{}`: {}\n", file, error);
      ok = false;
    } else {
      err << fmt::format("formatted {}\n", file);
    }
  }
  RenderText(diags, err);
  if (unformatted > 0)
    err << fmt::format("{} file{} not formatted: run `sparkc fmt` on {}\n", unformatted,
                       unformatted == 1 ? "" : "s", unformatted == 1 ? "it" : "them");
  return ok && unformatted == 0 && !diags.has_errors() ? kExitOk : kExitInvalid;
}

}  // namespace sparkc
