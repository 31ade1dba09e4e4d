// The .spark files of the client's workspace folders and the files each
// imports by path: a change to one file re-checks the closed files that
// import it, not only the open ones.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sparkc::lsp {

// A workspace larger than this is scanned this far; the rest is checked
// when opened.
constexpr size_t kMaxWorkspaceFiles = 5000;
// ... and no more directory entries than this are looked at (a client
// started in `/` or a home directory).
constexpr size_t kMaxWorkspaceEntries = 100000;

class Workspace {
 public:
  // Every .spark file below `dir` (hidden folders and node_modules skipped).
  void AddRoot(const std::string& dir);
  // The imports of `path` (canonical), read again from `text`.
  void Update(const std::string& path, std::string_view text);
  // The files that import `path`, directly or through others.
  std::vector<std::string> Importers(const std::string& path) const;
  size_t size() const { return imports_.size(); }

 private:
  std::map<std::string, std::set<std::string>> imports_;  // file -> the files it imports
};

}  // namespace sparkc::lsp
