#include "tools/lsp/workspace.h"

#include <filesystem>

#include "compiler/parse/parse.h"
#include "compiler/resolve/resolve.h"

namespace sparkc::lsp {

namespace fs = std::filesystem;

void Workspace::AddRoot(const std::string& dir) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (size_t seen = 0; !ec && it != end && imports_.size() < kMaxWorkspaceFiles && ++seen <= kMaxWorkspaceEntries;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && (name.starts_with('.') || name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() != ".spark" || !it->is_regular_file(ec)) continue;
    std::string text, error;
    if (ReadFile(it->path().string(), text, error)) Update(CanonicalPath(it->path().string()), text);
  }
}

// Only the lexer runs: `import` and the string after it are all this needs.
void Workspace::Update(const std::string& path, std::string_view text) {
  std::set<std::string>& imports = imports_[path];
  imports.clear();
  bool is_nul = false;
  if (FindInvalidText(text, is_nul) >= 0) return;
  std::vector<ClassifiedToken> tokens = Highlight(text);
  fs::path dir = fs::path(path).parent_path();
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const ClassifiedToken& t = tokens[i];
    if (t.cls != TokenClass::Keyword || text.substr(t.begin, t.end - t.begin) != "import") continue;
    const ClassifiedToken& target = tokens[i + 1];
    if (target.cls != TokenClass::String || target.end - target.begin < 2) continue;
    std::string_view quoted = text.substr(target.begin + 1, target.end - target.begin - 2);
    if (quoted.find('\\') != std::string_view::npos) continue;  // escapes in a path: left to the compiler
    imports.insert(CanonicalPath((dir / quoted).string()));
  }
}

std::vector<std::string> Workspace::Importers(const std::string& path) const {
  std::vector<std::string> found;
  std::set<std::string> seen{path};
  for (size_t k = 0; k <= found.size(); ++k) {
    std::string target = k == 0 ? path : found[k - 1];
    for (const auto& [file, imports] : imports_)
      if (!seen.contains(file) && imports.contains(target)) {
        seen.insert(file);
        found.push_back(file);
      }
  }
  return found;
}

}  // namespace sparkc::lsp
