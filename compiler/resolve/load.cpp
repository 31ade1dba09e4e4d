#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>

#include "compiler/parse/parse.h"
#include "compiler/resolve/resolve.h"

namespace fs = std::filesystem;

namespace sparkc {
namespace {

bool StdlibInstalled() {
  std::error_code ec;
  for (const std::string& dir : StdlibDirs())
    if (fs::exists(fs::path(dir) / "prelude.spark", ec)) return true;
  return false;
}

void NoStdlib(Diagnostic& d) {
  d.Note({}, "no standard library is installed next to this sparkc (../share/sparkc/stdlib from its binary), "
             "and SPARKC_PATH names none")
      .Suggest("reinstall sparkc (`cmake --install` puts the stdlib there), or point SPARKC_PATH at a stdlib "
               "directory");
}


std::string ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// Diagnostics print paths the way the user would type them from here.
std::string DisplayPath(const fs::path& canonical) {
  std::error_code ec;
  fs::path rel = canonical.lexically_relative(fs::current_path(ec));
  if (ec || rel.empty() || *rel.begin() == "..") return canonical.string();
  return rel.string();
}

class Loader {
 public:
  Loader(SourceManager& sources, Diagnostics& diags, Program& program, LoadCache* cache)
      : sources_(sources), diags_(diags), program_(program), cache_(cache) {}

  // Returns the module index, or -1 when the file could not be loaded.
  // `display` names the file in diagnostics; standard modules are shown as
  // `std/NAME.spark` so that messages read the same wherever sparkc lives.
  int Load(const fs::path& path, const std::string& prefix, Span import_span,
           const std::string& display = {}) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = path;
    std::string key = canonical.string();
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      Diagnostic& d = diags_.Error(DiagnosticKind::E0104, import_span,
                                   fmt::format("import cycle: `{}` imports itself", DisplayPath(canonical)));
      for (size_t k = i + 1; k < import_spans_.size(); ++k)
        d.Note(import_spans_[k], "imported from here");
      d.Suggest("move what the modules share into a third module that both import");
      return -1;
    }
    if (auto it = by_path_.find(key); it != by_path_.end()) return static_cast<int>(it->second);

    std::string text, error;
    if (!Read(canonical, text, error)) {
      if (import_span.valid())
        diags_.Error(DiagnosticKind::E0103, import_span,
                     fmt::format("cannot import `{}`: {}", DisplayPath(canonical), error));
      else
        diags_.Error(DiagnosticKind::E0001, {},
                     fmt::format("cannot read `{}`: {}", path.string(), error));
      return -1;
    }

    uint32_t index = static_cast<uint32_t>(program_.modules.size());
    by_path_[key] = index;
    std::string cited = fs::path(key).lexically_relative(program_.root_dir).generic_string();
    program_.modules.push_back({prefix, Parse(key, display.empty() ? DisplayPath(canonical) : display,
                                              std::move(text)), {}, std::move(cited)});

    stack_.push_back(key);
    import_spans_.push_back(import_span);
    // Copy the imports first: loading appends to program_.modules.
    std::vector<Decl> imports;
    for (const Decl& decl : program_.modules[index].ast.decls)
      if (decl.kind == DeclKind::Import) imports.push_back(decl);
    for (const Decl& decl : imports) Import(index, canonical.parent_path(), decl);
    stack_.pop_back();
    import_spans_.pop_back();
    return static_cast<int>(index);
  }

 private:
  bool Exists(const fs::path& path) const {
    std::error_code ec;
    return (cache_ != nullptr && cache_->overlay.contains(path.string())) || fs::exists(path, ec);
  }

  bool Read(const fs::path& canonical, std::string& text, std::string& error) {
    if (cache_ != nullptr) {
      if (auto it = cache_->overlay.find(canonical.string()); it != cache_->overlay.end()) {
        text = it->second;
        return true;
      }
    }
    std::error_code ec;
    if (fs::exists(canonical, ec) && !fs::is_regular_file(canonical, ec)) {
      error = "not a regular file";
      return false;
    }
    return ReadFile(canonical.string(), text, error);
  }

  // With a cache, a file whose text is what it was is not parsed again: its
  // module and the parse's diagnostics are replayed.
  Module Parse(const std::string& key, std::string display, std::string text) {
    if (cache_ == nullptr) return ParseFile(sources_, sources_.Add(key, std::move(display), std::move(text)), diags_);
    LoadCache::Parsed& entry = cache_->parsed[key];
    if (entry.file == kNoFile || entry.text != text) {
      if (entry.file == kNoFile)
        entry.file = sources_.Add(key, std::move(display), text);
      else
        sources_.Replace(entry.file, text);
      entry.text = std::move(text);
      Diagnostics own(sources_);
      entry.ast = ParseFile(sources_, entry.file, own);
      entry.diagnostics.assign(own.all().begin(), own.all().end());
    }
    for (const Diagnostic& d : entry.diagnostics) diags_.Add(d);
    return entry.ast;
  }

  void Import(uint32_t importer, const fs::path& dir, const Decl& decl) {
    std::string alias = ImportAlias(decl);
    fs::path target;
    if (decl.import_is_path) {
      target = dir / decl.name;
      if (!Exists(target)) return Missing(decl, target, {dir.string()});
    } else {
      std::string_view name = decl.name;
      if (!name.starts_with("std.")) {
        diags_.Error(DiagnosticKind::E0103, decl.name_span,
                     fmt::format("cannot import `{}`: only `std.NAME` modules are found by name", decl.name))
            .Suggest(fmt::format("import a file by its path: import \"./{}.spark\" as {}",
                                 decl.name, decl.name));
        return;
      }
      std::string file = std::string(name.substr(4)) + ".spark";
      std::vector<std::string> dirs = StdlibDirs();
      for (const std::string& d : dirs) {
        if (fs::exists(fs::path(d) / file)) {
          target = fs::path(d) / file;
          break;
        }
      }
      if (target.empty()) return Missing(decl, file, dirs);
    }
    if (program_.modules[importer].imports.contains(alias)) {
      diags_.Error(DiagnosticKind::E0101, decl.name_span,
                   fmt::format("a module is already imported as `{}`", alias))
          .Suggest("give this import another name with `as`");
      return;
    }
    std::string display = decl.import_is_path ? "" : "std/" + target.filename().string();
    int index = Load(target, program_.modules[importer].prefix + alias + ".", decl.name_span, display);
    if (index >= 0) program_.modules[importer].imports[alias] = static_cast<uint32_t>(index);
  }

  // Notes name no absolute directory: diagnostics must read the same on
  // every machine (`sparkc explain E0103` lists where sparkc looks).
  void Missing(const Decl& decl, const fs::path& target, const std::vector<std::string>& dirs) {
    Diagnostic& d = diags_.Error(DiagnosticKind::E0103, decl.name_span,
                                 fmt::format("cannot find module `{}`", decl.name));
    d.Note({}, decl.import_is_path
                   ? fmt::format("looked for `{}` next to the importing file", target.filename().string())
                   : fmt::format("looked for `{}` in SPARKC_PATH and the standard library",
                                 target.filename().string()));
    std::vector<std::string> candidates;
    std::error_code ec;
    for (const std::string& dir : dirs)
      for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".spark") candidates.push_back(entry.path().filename().string());
    std::string close = ClosestMatch(target.filename().string(), candidates);
    if (!close.empty()) d.Suggest(fmt::format("did you mean `{}`?", close));
    else if (!decl.import_is_path && !StdlibInstalled()) NoStdlib(d);
  }

  SourceManager& sources_;
  Diagnostics& diags_;
  Program& program_;
  LoadCache* cache_;
  std::map<std::string, uint32_t> by_path_;
  std::vector<std::string> stack_;
  std::vector<Span> import_spans_;
};

}  // namespace

std::vector<std::string> StdlibDirs() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("SPARKC_PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) dirs.emplace_back(dir);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  std::string exe = ExecutableDir();
  if (!exe.empty()) dirs.push_back((fs::path(exe) / ".." / "share" / "sparkc" / "stdlib").lexically_normal().string());
  // The source tree's stdlib serves only a binary still in the tree it was
  // built in: an installed one that lost its share/sparkc/stdlib says so,
  // instead of reading whatever that tree holds now, or nothing.
  std::error_code ec;
  fs::path build = fs::weakly_canonical(SPARKC_BUILD_DIR, ec), here = fs::weakly_canonical(exe, ec);
  auto [mismatch, unused] = std::mismatch(build.begin(), build.end(), here.begin(), here.end());
  if (!exe.empty() && mismatch == build.end()) dirs.push_back(SPARKC_SOURCE_STDLIB);
  return dirs;
}

std::string ImportAlias(const Decl& import) {
  if (!import.alias.empty()) return import.alias;
  return import.import_is_path ? fs::path(import.name).stem().string() : import.name;
}

std::string CanonicalPath(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

bool LoadProgram(const std::string& root_path, SourceManager& sources, Diagnostics& diags,
                 Program& program, LoadCache* cache) {
  std::error_code ec;
  program.root_dir = fs::weakly_canonical(fs::path(root_path), ec).parent_path().string();
  size_t errors = diags.error_count();
  Loader loader(sources, diags, program, cache);
  if (loader.Load(root_path, "", {}) < 0) return false;
  // The prelude's schemas and helpers are visible everywhere without an import.
  for (const std::string& dir : StdlibDirs()) {
    fs::path prelude = fs::path(dir) / "prelude.spark";
    if (!fs::exists(prelude, ec)) continue;
    program.prelude = loader.Load(prelude, "std.prelude.", {}, "std/prelude.spark");
    break;
  }
  if (program.prelude < 0 && diags.error_count() == errors)
    NoStdlib(diags.Error(DiagnosticKind::E0103, {}, "cannot find the standard library's `prelude.spark`"));
  return diags.error_count() == errors;
}

}  // namespace sparkc
