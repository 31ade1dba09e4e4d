// `sparkc lsp`: the Language Server Protocol 3.17 over JSON-RPC. The server
// is a function of the messages it is given (Handle) and of time (Flush
// runs the analyses whose debounce has passed), so that tests drive it
// without pipes; tools/lsp/stdio.cpp reads and writes the framed stream.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/compile/compile.h"
#include "tools/lsp/index.h"
#include "tools/lsp/text.h"
#include "tools/lsp/workspace.h"

namespace sparkc::lsp {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Document {
  std::string uri;
  std::string path;  // canonical
  std::string text;
  int64_t version = 0;
};

// One open document compiled as the root of a program: what diagnostics,
// hover, definition and the rest answer from.
struct Analysis {
  explicit Analysis(const SourceManager& sources) : diags(sources) {}
  Program program;
  Names names;
  Diagnostics diags;
  plan::Plan plan;
  bool planned = false;        // the compile got as far as a plan
  std::unique_ptr<Index> index;
  std::vector<std::string> files;  // canonical paths of every module it loaded
  bool parsed = false;         // the root module parsed (its declarations are real)
  double seconds = 0;          // how long the analysis took
};

// JSON-RPC's and the protocol's error codes the server answers with.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;
constexpr int kRequestFailed = -32803;  // well-formed, but it cannot be done (format a broken file)

// How a request handler refuses: the error its response carries.
struct RequestError {
  int code;
  std::string message;
};
[[noreturn]] void Fail(int code, std::string message);

struct ServerOptions {
  std::chrono::milliseconds debounce{50};
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();

  // One message from the client; what to send back is appended to `out`.
  void Handle(const Json& message, std::vector<Json>& out);
  // Runs the analyses that are due (all pending ones with `force`) and
  // appends their diagnostics.
  void Flush(std::vector<Json>& out, bool force = false);
  // When the next pending analysis is due, if any.
  bool Pending(Clock::time_point& due) const;
  bool exited() const { return exited_; }
  // The client's process (initialize's processId), 0 when it gave none: the
  // server exits when it is gone, as the protocol asks.
  int parent_pid() const { return parent_pid_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  struct Error {
    int code;
    std::string message;
  };
  Json Dispatch(const std::string& method, const Json& params);
  void Refuse(bool request, const Json& id, const std::string& method, int code, const std::string& message,
              std::vector<Json>& out);
  Json Initialize(const Json& params);
  void DidOpen(const Json& params);
  void DidChange(const Json& params);
  void DidClose(const Json& params, std::vector<Json>& out);
  void Touch(const std::string& path);
  void Analyze(Document& doc);
  void Publish(std::vector<Json>& out);

  Document& DocumentOf(const Json& params);
  const Document* RootOf(const std::string& uri) const;
  // The analysis a request about `doc` answers from: the latest whose root
  // parsed (a file with a syntax error keeps its last good outline).
  const Analysis& AnalysisOf(const Document& doc);
  uint32_t Offset(const Document& doc, const Json& position) const;
  Json Range(FileId file, uint32_t begin, uint32_t end) const;
  const LineMap& LinesOf(FileId file) const;
  Json LocationOf(Span span) const;
  Json DiagnosticJson(const Diagnostic& d, FileId file) const;
  // The module of `a` that `doc` is, or -1.
  int ModuleOf(const Analysis& a, const Document& doc) const;
  std::string HoverText(const Analysis& a, const Document& doc, uint32_t module, uint32_t offset, Span& range) const;

  Json Hover(const Json& params);
  Json Definition(const Json& params);
  Json References(const Json& params);
  Json Completion(const Json& params);
  Json Symbols(const Json& params);
  Json Formatting(const Json& params);
  Json CodeActions(const Json& params);
  Json SemanticTokens(const Json& params);

  ServerOptions options_;
  Encoding encoding_ = Encoding::Utf16;
  bool initialized_ = false, shutdown_ = false, exited_ = false;
  int parent_pid_ = 0;
  std::map<std::string, Document> documents_;  // by URI
  // Closed files of the workspace checked because a file they import
  // changed (their text is the disk's), by URI.
  std::map<std::string, Document> background_;
  Workspace workspace_;
  SourceManager sources_;
  LoadCache cache_;
  std::map<std::string, std::shared_ptr<Analysis>> analyses_, good_;  // by URI
  std::map<std::string, Clock::time_point> due_;                      // by URI: pending analyses
  std::map<std::string, Json> published_;                             // by URI: diagnostics sent last
  bool publish_due_ = false;
  std::set<std::string> analyzed_;  // URIs analysed since the last publish
  mutable std::map<FileId, LineMap> lines_;
};

// Reads framed messages from `in` and writes answers to `out` until `exit`
// or the end of input; the process's exit code.
int RunStdio(int in, int out, ServerOptions options);

}  // namespace sparkc::lsp
