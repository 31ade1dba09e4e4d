// libFuzzer target: the language server on arbitrary bytes as an open
// document. Every request at positions taken from the input is answered
// with a result or a refusal the protocol defines (never an internal
// error), and an incremental edit that replaces the whole text gives the
// diagnostics of the text opened whole.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tools/lsp/server.h"

namespace {

using sparkc::lsp::Json;

Json Call(sparkc::lsp::Server& server, const std::string& method, Json params, int id) {
  std::vector<Json> out;
  server.Handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}, out);
  for (const Json& m : out)
    if (m.contains("id") && m["id"] == id) return m;
  std::abort();  // every request is answered
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/sparkc-lsp-fuzz-" + std::to_string(getpid());
  static const std::string uri = "file://" + dir + "/f.spark";
  std::string text(reinterpret_cast<const char*>(data), size);
  // JSON carries only valid UTF-8: what a client could send.
  text = sparkc::ValidUtf8(text);
  sparkc::lsp::Server server({.debounce = std::chrono::milliseconds(0)});
  std::vector<Json> out;
  server.Handle({{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"}, {"params", Json::object()}}, out);
  server.Handle({{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"},
                 {"params", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", text}}}}}},
                out);
  out.clear();
  server.Flush(out, true);
  Json whole = out.empty() ? Json() : out.back();
  const char* methods[] = {"textDocument/hover", "textDocument/definition", "textDocument/references",
                           "textDocument/completion", "textDocument/documentSymbol", "textDocument/codeAction",
                           "textDocument/semanticTokens/full", "textDocument/formatting"};
  int id = 1;
  for (size_t k = 0; k < 8; ++k) {
    uint32_t line = size > k ? data[k] % 16 : 0, character = size > k + 8 ? data[k + 8] % 64 : 0;
    Json position = {{"line", line}, {"character", character}};
    Json params = {{"textDocument", {{"uri", uri}}}, {"position", position},
                   {"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", position}}},
                   {"context", {{"includeDeclaration", true}, {"diagnostics", Json::array()}}},
                   {"options", Json::object()}};
    Json r = Call(server, methods[k], params, id++);
    if (r.contains("error")) {
      int code = r["error"]["code"];
      if (code != sparkc::lsp::kInvalidParams && code != sparkc::lsp::kRequestFailed) std::abort();
    }
  }
  // The same text again as one edit of the whole range: the same diagnostics.
  server.Handle({{"jsonrpc", "2.0"}, {"method", "textDocument/didChange"},
                 {"params", {{"textDocument", {{"uri", uri}, {"version", 2}}},
                             {"contentChanges", {{{"text", ""}}, {{"text", text}}}}}}},
                out);
  out.clear();
  server.Flush(out, true);
  if (!whole.is_null() && !out.empty() && out.back()["params"]["diagnostics"] != whole["params"]["diagnostics"])
    std::abort();
  return 0;
}
