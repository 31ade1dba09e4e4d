#include "tools/lsp/server.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "compiler/parse/parse.h"

namespace sparkc::lsp {
namespace {

const Json& Member(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) Fail(kInvalidParams, fmt::format("`{}` is missing", key));
  return object.at(key);
}

std::string StringMember(const Json& object, const char* key) {
  const Json& v = Member(object, key);
  if (!v.is_string()) Fail(kInvalidParams, fmt::format("`{}` must be a string", key));
  return v.get<std::string>();
}

Json Response(const Json& id, Json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

Json ErrorResponse(const Json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

bool InStdlib(const std::string& path) {
  for (const std::string& dir : StdlibDirs()) {
    std::string canonical = CanonicalPath(dir);
    if (path.size() > canonical.size() && path.starts_with(canonical) && path[canonical.size()] == '/') return true;
  }
  return false;
}

}  // namespace

void Fail(int code, std::string message) { throw RequestError{code, std::move(message)}; }

Server::Server(ServerOptions options) : options_(options) {}
Server::~Server() = default;

void Server::Handle(const Json& message, std::vector<Json>& out) {
  if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
    // A response to a request of ours (we send none) or garbage.
    if (message.is_object() && (message.contains("result") || message.contains("error"))) return;
    Json id = message.is_object() && message.contains("id") ? message["id"] : Json();
    out.push_back(ErrorResponse(id, kInvalidRequest, "not a JSON-RPC request or notification"));
    return;
  }
  std::string method = message["method"];
  bool request = message.contains("id");
  Json id = request ? message["id"] : Json();
  Json params = message.contains("params") ? message["params"] : Json::object();
  try {
    if (method == "exit") {
      exited_ = true;
      return;
    }
    if (!initialized_ && method != "initialize") {
      if (request) out.push_back(ErrorResponse(id, kServerNotInitialized, "the server is not initialized yet"));
      return;
    }
    if (shutdown_ && request) {
      out.push_back(ErrorResponse(id, kInvalidRequest, "the server is shutting down"));
      return;
    }
    if (!request) {
      if (method == "textDocument/didOpen") DidOpen(params);
      else if (method == "textDocument/didChange") DidChange(params);
      else if (method == "textDocument/didClose") DidClose(params, out);
      return;  // initialized, didSave, $/cancelRequest, $/setTrace...: nothing to do
    }
    if (method == "initialize") {
      if (initialized_) Fail(kInvalidRequest, "the server is already initialized");
      out.push_back(Response(id, Initialize(params)));
      return;
    }
    if (method == "shutdown") {
      shutdown_ = true;
      out.push_back(Response(id, nullptr));
      return;
    }
    // Requests answer from up-to-date analyses.
    Flush(out, /*force=*/true);
    out.push_back(Response(id, Dispatch(method, params)));
  } catch (const RequestError& e) {
    Refuse(request, id, method, e.code, e.message, out);
  } catch (const Json::exception& e) {
    Refuse(request, id, method, kInvalidParams, fmt::format("invalid params: {}", e.what()), out);
  } catch (const std::exception& e) {
    // A bug, not bad input; the server stays up for the next request.
    Refuse(request, id, method, kInternalError, fmt::format("internal error: {}", e.what()), out);
  }
}

// A request gets its error; a notification has no answer, so the client is
// told in its log (`window/logMessage`) instead of nothing at all.
void Server::Refuse(bool request, const Json& id, const std::string& method, int code, const std::string& message,
                    std::vector<Json>& out) {
  if (request) {
    out.push_back(ErrorResponse(id, code, message));
    return;
  }
  out.push_back({{"jsonrpc", "2.0"},
                 {"method", "window/logMessage"},
                 {"params", {{"type", 1}, {"message", fmt::format("sparkc lsp: `{}` ignored: {}", method, message)}}}});
}

Json Server::Dispatch(const std::string& method, const Json& params) {
  if (method == "textDocument/hover") return Hover(params);
  if (method == "textDocument/definition") return Definition(params);
  if (method == "textDocument/references") return References(params);
  if (method == "textDocument/completion") return Completion(params);
  if (method == "textDocument/documentSymbol") return Symbols(params);
  if (method == "textDocument/formatting") return Formatting(params);
  if (method == "textDocument/codeAction") return CodeActions(params);
  if (method == "textDocument/semanticTokens/full") return SemanticTokens(params);
  Fail(kMethodNotFound, fmt::format("sparkc lsp does not implement `{}`", method));
}

Json Server::Initialize(const Json& params) {
  initialized_ = true;
  if (params.contains("processId") && params["processId"].is_number_integer() && params["processId"].get<int64_t>() > 0 &&
      params["processId"].get<int64_t>() <= INT32_MAX)
    parent_pid_ = params["processId"].get<int>();
  // The workspace's files, for the closed ones that import an edited one.
  std::vector<std::string> roots;
  if (params.contains("workspaceFolders") && params["workspaceFolders"].is_array()) {
    for (const Json& folder : params["workspaceFolders"])
      if (folder.is_object() && folder.contains("uri") && folder["uri"].is_string()) roots.push_back(folder["uri"]);
  } else if (params.contains("rootUri") && params["rootUri"].is_string()) {
    roots.push_back(params["rootUri"]);
  }
  for (const std::string& uri : roots) {
    std::string path;
    if (UriToPath(uri, path)) workspace_.AddRoot(path);
  }
  // UTF-8 positions save both sides the conversion; UTF-16 is the default.
  if (params.contains("capabilities")) {
    const Json& caps = params["capabilities"];
    if (caps.contains("general") && caps["general"].contains("positionEncodings"))
      for (const Json& e : caps["general"]["positionEncodings"])
        if (e == "utf-8") encoding_ = Encoding::Utf8;
  }
  Json legend = {{"tokenTypes", {"namespace", "type", "enum", "struct", "enumMember", "property", "function", "event",
                                 "parameter", "variable", "keyword", "string", "number", "comment", "operator",
                                 "macro"}},
                 {"tokenModifiers", {"declaration", "readonly", "documentation", "defaultLibrary"}}};
  Json capabilities = {
      {"positionEncoding", encoding_ == Encoding::Utf8 ? "utf-8" : "utf-16"},
      {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", false}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"referencesProvider", true},
      {"completionProvider", {{"triggerCharacters", {"."}}}},
      {"documentSymbolProvider", true},
      {"documentFormattingProvider", true},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
      {"semanticTokensProvider", {{"legend", legend}, {"full", true}}},
  };
  return {{"capabilities", capabilities}, {"serverInfo", {{"name", "sparkc"}, {"version", SPARKC_VERSION}}}};
}

void Server::DidOpen(const Json& params) {
  const Json& item = Member(params, "textDocument");
  Document doc;
  doc.uri = StringMember(item, "uri");
  doc.text = StringMember(item, "text");
  doc.version = item.value("version", 0);
  std::string path;
  doc.path = UriToPath(doc.uri, path) ? CanonicalPath(path) : "";
  std::string uri = doc.uri;
  background_.erase(uri);
  documents_[uri] = std::move(doc);
  Touch(documents_[uri].path);
  due_[uri] = Clock::now();  // a file just opened gets its diagnostics at once
}

void Server::DidChange(const Json& params) {
  const Json& item = Member(params, "textDocument");
  auto it = documents_.find(StringMember(item, "uri"));
  if (it == documents_.end()) Fail(kInvalidParams, "didChange of a document that is not open");
  Document& doc = it->second;
  for (const Json& change : Member(params, "contentChanges")) {
    std::string text = StringMember(change, "text");
    if (!change.contains("range")) {
      doc.text = std::move(text);
      continue;
    }
    uint32_t begin = Offset(doc, Member(change["range"], "start"));
    uint32_t end = Offset(doc, Member(change["range"], "end"));
    if (end < begin) Fail(kInvalidParams, "a change's range ends before it starts");
    doc.text.replace(begin, end - begin, text);
  }
  doc.version = item.value("version", doc.version + 1);
  Touch(doc.path);
}

void Server::DidClose(const Json& params, std::vector<Json>& out) {
  std::string uri = StringMember(Member(params, "textDocument"), "uri");
  auto it = documents_.find(uri);
  if (it == documents_.end()) return;
  std::string path = it->second.path;
  documents_.erase(it);
  analyses_.erase(uri);
  good_.erase(uri);
  due_.erase(uri);
  cache_.overlay.erase(path);
  std::string text, error;
  if (ReadFile(path, text, error)) workspace_.Update(path, text);
  Touch(path);  // importers now read it from the disk
  publish_due_ = true;
  Publish(out);
}

// A file's text changed: every open document whose program reads it, and
// every closed file of the workspace that imports it, is analysed again once
// the debounce has passed.
void Server::Touch(const std::string& path) {
  if (path.empty()) return;
  for (const auto& [uri, doc] : documents_)
    if (doc.path == path) {
      cache_.overlay[path] = doc.text;
      workspace_.Update(path, doc.text);
    }
  Clock::time_point due = Clock::now() + options_.debounce;
  std::set<std::string> open;
  for (const auto& [uri, doc] : documents_) open.insert(doc.path);
  for (const std::string& importer : workspace_.Importers(path)) {
    if (open.contains(importer)) continue;
    std::string uri = PathToUri(importer);
    background_.try_emplace(uri, Document{uri, importer, "", 0});
    due_[uri] = due;
  }
  auto schedule = [&](const std::map<std::string, Document>& roots) {
    for (const auto& [uri, doc] : roots) {
      auto a = analyses_.find(uri);
      bool reads = doc.path == path || (a != analyses_.end() && std::find(a->second->files.begin(),
                                                                          a->second->files.end(), path) !=
                                                                    a->second->files.end());
      if (reads) due_[uri] = due;
    }
  };
  schedule(documents_);
  schedule(background_);
}

bool Server::Pending(Clock::time_point& due) const {
  if (due_.empty()) return false;
  due = Clock::time_point::max();
  for (const auto& [uri, at] : due_) due = std::min(due, at);
  return true;
}

void Server::Flush(std::vector<Json>& out, bool force) {
  Clock::time_point now = Clock::now();
  std::vector<std::string> ready;
  for (const auto& [uri, at] : due_)
    if (force || at <= now) ready.push_back(uri);
  for (const std::string& uri : ready) {
    due_.erase(uri);
    if (auto it = documents_.find(uri); it != documents_.end()) Analyze(it->second);
    else if (auto b = background_.find(uri); b != background_.end()) Analyze(b->second);
  }
  if (!ready.empty()) publish_due_ = true;
  analyzed_.insert(ready.begin(), ready.end());
  Publish(out);
}

void Server::Analyze(Document& doc) {
  if (doc.path.empty()) return;  // not a file: nothing to compile it as
  auto started = Clock::now();
  lines_.clear();  // the compile may give files new text
  auto a = std::make_shared<Analysis>(sources_);
  CompileOptions options{.digest = false, .cache = &cache_, .program = &a->program, .names = &a->names};
  a->planned = Compile(doc.path, sources_, a->diags, a->plan, options);
  for (const ModuleUnit& unit : a->program.modules)
    if (unit.ast.file != kNoFile) a->files.push_back(sources_.file(unit.ast.file).path());
  a->parsed = !a->program.modules.empty() && !a->program.modules[0].ast.decls.empty();
  if (a->names.globals.size() == a->program.modules.size()) {
    Diagnostics scratch(sources_);
    a->index = std::make_unique<Index>(a->program, a->names, scratch);
  }
  a->seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (a->parsed) good_[doc.uri] = a;
  analyses_[doc.uri] = std::move(a);
}

// Each file's diagnostics are what the analyses that read it found there
// (once each); a file no analysis reads any more is cleared.
void Server::Publish(std::vector<Json>& out) {
  if (!publish_due_) return;
  publish_due_ = false;
  std::map<std::string, std::string> uri_of;  // canonical path -> URI
  for (const auto& [uri, doc] : documents_) uri_of[doc.path] = uri;
  std::set<std::string> imported;
  for (const auto& [uri, a] : analyses_)
    for (size_t i = 1; i < a->files.size(); ++i) imported.insert(a->files[i]);
  auto is_imported = [&](const std::string& path) {
    return imported.contains(path) || !workspace_.Importers(path).empty();
  };
  std::map<std::string, Json> now;
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& [uri, a] : analyses_) {
    const Document& root = *RootOf(uri);
    for (const Diagnostic& d : a->diags.all()) {
      FileId file = d.span.valid() ? d.span.file : kNoFile;
      std::string path = file != kNoFile ? sources_.file(file).path() : root.path;
      // A module others import, or the stdlib, is not a spec on its own.
      if (d.kind == DiagnosticKind::E0006 && (is_imported(root.path) || InStdlib(root.path))) continue;
      if (file == kNoFile) file = sources_.Find(root.path);
      std::string target = uri_of.contains(path) ? uri_of[path] : PathToUri(path);
      Json json = DiagnosticJson(d, file);
      if (!seen[target].insert(json.dump()).second) continue;
      now[target].push_back(std::move(json));
    }
    if (!now.contains(uri)) now[uri] = Json::array();
  }
  for (const auto& [uri, old] : published_)
    if (!now.contains(uri)) now[uri] = Json::array();
  // An analysed document hears about its new version even when nothing
  // changed; other files only when their diagnostics did.
  for (auto& [uri, list] : now) {
    if (!analyzed_.contains(uri) && published_.contains(uri) && published_[uri] == list) continue;
    Json params = {{"uri", uri}, {"diagnostics", list}};
    if (auto it = documents_.find(uri); it != documents_.end()) params["version"] = it->second.version;
    out.push_back({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", params}});
    published_[uri] = list;
  }
  std::erase_if(published_, [](const auto& entry) { return entry.second.empty(); });
  analyzed_.clear();
}

Json Server::Range(FileId file, uint32_t begin, uint32_t end) const {
  if (file == kNoFile) return {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
  const LineMap& lines = LinesOf(file);
  Position a = lines.ToPosition(begin, encoding_), b = lines.ToPosition(std::max(begin, end), encoding_);
  return {{"start", {{"line", a.line}, {"character", a.character}}}, {"end", {{"line", b.line}, {"character", b.character}}}};
}

// A file's texts change only while an analysis runs (Analyze clears this),
// so one line map per file serves every range of a request or a publish.
const LineMap& Server::LinesOf(FileId file) const {
  auto it = lines_.find(file);
  if (it == lines_.end()) it = lines_.emplace(file, LineMap(sources_.file(file).text())).first;
  return it->second;
}

Json Server::LocationOf(Span span) const {
  const std::string& path = sources_.file(span.file).path();
  std::string uri = PathToUri(path);
  for (const auto& [u, doc] : documents_)
    if (doc.path == path) uri = u;
  return {{"uri", uri}, {"range", Range(span.file, span.begin, span.end)}};
}

Json Server::DiagnosticJson(const Diagnostic& d, FileId file) const {
  std::string message = d.message;
  Json related = Json::array();
  for (const DiagnosticNote& note : d.notes) {
    if (note.span.valid()) related.push_back({{"location", LocationOf(note.span)}, {"message", note.message}});
    else message += "\nnote: " + note.message;
  }
  if (!d.suggestion.empty()) message += "\nhelp: " + d.suggestion;
  Span span = d.span.valid() ? d.span : Span{file, 0, 0};
  Json json = {{"range", Range(span.file, span.begin, span.end)},
               {"severity", d.severity == Severity::Error ? 1 : 2},
               {"code", std::string(CodeOf(d.kind))},
               {"source", "sparkc"},
               {"message", message}};
  if (!related.empty()) json["relatedInformation"] = related;
  return json;
}

Document& Server::DocumentOf(const Json& params) {
  std::string uri = StringMember(Member(params, "textDocument"), "uri");
  auto it = documents_.find(uri);
  if (it == documents_.end()) Fail(kInvalidParams, fmt::format("`{}` is not open", uri));
  return it->second;
}

const Document* Server::RootOf(const std::string& uri) const {
  if (auto it = documents_.find(uri); it != documents_.end()) return &it->second;
  if (auto it = background_.find(uri); it != background_.end()) return &it->second;
  return nullptr;
}

const Analysis& Server::AnalysisOf(const Document& doc) {
  auto it = analyses_.find(doc.uri);
  if (it != analyses_.end() && it->second->parsed) return *it->second;
  if (auto g = good_.find(doc.uri); g != good_.end()) return *g->second;
  if (it != analyses_.end()) return *it->second;
  Fail(kInvalidParams, fmt::format("`{}` is not a file sparkc can read", doc.uri));
}

uint32_t Server::Offset(const Document& doc, const Json& position) const {
  const Json& line = Member(position, "line");
  const Json& character = Member(position, "character");
  auto valid = [](const Json& v) {
    return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= UINT32_MAX;
  };
  if (!valid(line) || !valid(character)) Fail(kInvalidParams, "a position's line and character are unsigned integers");
  Position p{line.get<uint32_t>(), character.get<uint32_t>()};
  uint32_t offset = 0;
  if (!LineMap(doc.text).ToOffset(p, encoding_, offset))
    Fail(kInvalidParams, fmt::format("line {} is outside the document ({} lines)", p.line + 1,
                                     LineMap(doc.text).line_count()));
  return offset;
}

}  // namespace sparkc::lsp
