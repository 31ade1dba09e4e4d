// The language server, message by message: each method with requests shaped
// as a real client sends them (the session starts with the initialize
// request Neovim 0.7.2 sent, tests/fixtures/lsp).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tools/lsp/server.h"

using sparkc::lsp::Json;
namespace lsp = sparkc::lsp;
namespace fs = std::filesystem;

namespace {

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Session {
 public:
  explicit Session(bool initialize = true) {
    dir_ = fs::temp_directory_path() / ("sparkc_lsp." + std::to_string(getpid()) + "." + std::to_string(++count_));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (!initialize) return;
    Json init = Json::parse(Read(fs::path(SPARKC_SOURCE_DIR) / "tests/fixtures/lsp/neovim-0.7.2-initialize.json"));
    init["params"]["rootUri"] = lsp::PathToUri(dir_.string());
    init_result = Send(init);
    server.Handle({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", Json::object()}}, out);
  }
  ~Session() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return lsp::PathToUri(fs::weakly_canonical(dir_ / name).string());
  }

  // A request's whole response (result or error).
  Json Send(Json request) {
    out.clear();
    server.Handle(request, out);
    for (const Json& m : out)
      if (m.contains("id") && m["id"] == request["id"] && !m.contains("method")) return m;
    FAIL("no response to " << request.dump());
    return {};
  }
  Json Request(const std::string& method, Json params) {
    return Send({{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", std::move(params)}});
  }
  Json Result(const std::string& method, Json params) {
    Json r = Request(method, std::move(params));
    INFO(r.dump());
    REQUIRE(r.contains("result"));
    return r["result"];
  }
  void Notify(const std::string& method, Json params) {
    server.Handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}, out);
  }
  void Open(const std::string& uri, const std::string& text) {
    Notify("textDocument/didOpen", {{"textDocument", {{"uri", uri}, {"languageId", "spark"}, {"version", 1}, {"text", text}}}});
  }
  void Change(const std::string& uri, Json changes) {
    Notify("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", ++version_}}}, {"contentChanges", changes}});
  }
  // The diagnostics published for `uri` by the analyses now due.
  Json Diagnostics(const std::string& uri) {
    out.clear();
    server.Flush(out, true);
    Json found;
    for (const Json& m : out)
      if (m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        found = m["params"]["diagnostics"];
    return found;
  }
  static Json At(const std::string& uri, int line, int character) {
    return {{"textDocument", {{"uri", uri}}}, {"position", {{"line", line}, {"character", character}}}};
  }

  lsp::Server server{{.debounce = std::chrono::milliseconds(0)}};
  std::vector<Json> out;
  Json init_result;

 private:
  fs::path dir_;
  int next_id_ = 100;
  int version_ = 1;
  static inline int count_ = 0;
};

Json Range(int l1, int c1, int l2, int c2) {
  return {{"start", {{"line", l1}, {"character", c1}}}, {"end", {{"line", l2}, {"character", c2}}}};
}

std::vector<std::string> Labels(const Json& completion) {
  std::vector<std::string> labels;
  for (const Json& item : completion["items"]) labels.push_back(item["label"]);
  return labels;
}

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Applies LSP text edits (one document) the way a client does.
std::string ApplyEdits(std::string text, const Json& edits) {
  std::vector<std::pair<uint32_t, std::pair<uint32_t, std::string>>> spans;
  lsp::LineMap lines(text);
  for (const Json& e : edits) {
    uint32_t a = 0, b = 0;
    REQUIRE(lines.ToOffset({e["range"]["start"]["line"], e["range"]["start"]["character"]}, lsp::Encoding::Utf16, a));
    REQUIRE(lines.ToOffset({e["range"]["end"]["line"], e["range"]["end"]["character"]}, lsp::Encoding::Utf16, b));
    spans.push_back({a, {b, e["newText"]}});
  }
  std::sort(spans.rbegin(), spans.rend());
  for (const auto& [a, rest] : spans) text.replace(a, rest.first - a, rest.second);
  return text;
}

const char* const kLib = R"(/// Sizes and tiers.
enum Tier { gold, silver }
/// Rounds up.
fn round(s: size) -> size = s
const default_tier = Tier.gold
)";

const char* const kMain = R"(import "./lib.spark" as lib
phase prep "Prepare"
hardware rig { gpu = { model = "H100", count = 8, memory = 80 GiB } }
const tier = lib.Tier.silver
/// Copies the data.
step copy {
  phase = prep
  do    = exec("cp", "${lib.round(rig.gpu.memory)}")
  undo  = none
  estimate = 2 min
}
step cut {
  after = [copy]
  do    = exec("true")
  undo  = none
}
gate go { after = [copy, cut]; prompt = "go?" }
)";

}  // namespace

TEST_CASE("lsp: initialize answers Neovim's request with UTF-16 and every provider") {
  Session s;
  const Json& caps = s.init_result["result"]["capabilities"];
  CHECK(caps["positionEncoding"] == "utf-16");
  CHECK(caps["textDocumentSync"]["change"] == 2);
  for (const char* p : {"hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                        "documentFormattingProvider"})
    CHECK(caps[p] == true);
  CHECK(caps["semanticTokensProvider"]["full"] == true);
  CHECK(s.init_result["result"]["serverInfo"]["name"] == "sparkc");
}

TEST_CASE("lsp: positions count UTF-16 code units, or bytes for a client that offers utf-8") {
  for (bool utf8 : {false, true}) {
    Session s(false);
    Json encodings = utf8 ? Json::array({"utf-16", "utf-8"}) : Json::array({"utf-16"});
    Json r = s.Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                     {"params", {{"capabilities", {{"general", {{"positionEncodings", encodings}}}}}}}});
    CHECK(r["result"]["capabilities"]["positionEncoding"] == (utf8 ? "utf-8" : "utf-16"));
    std::string text = "step a { do = exec(\"é🚀\", x); undo = none }\n";
    std::string uri = s.Write("u.spark", text);
    s.Open(uri, text);
    Json d = s.Diagnostics(uri);
    REQUIRE(d.size() == 1);
    CHECK(d[0]["code"] == "E0102");
    // é is 1 unit or 2 bytes, 🚀 a surrogate pair or 4 bytes.
    int x = utf8 ? 29 : 26;
    CHECK(d[0]["range"] == Range(0, x, 0, x + 1));
    // An incremental edit in the same units: `x` becomes `"y"`.
    s.Change(uri, Json::array({{{"range", Range(0, x, 0, x + 1)}, {"text", "\"y\""}}}));
    CHECK(s.Diagnostics(uri) == Json::array());
  }
}

TEST_CASE("lsp: the lifecycle's errors") {
  Session s(false);
  Json early = s.Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "textDocument/hover"}, {"params", Json::object()}});
  CHECK(early["error"]["code"] == -32002);
  s.Send({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "initialize"}, {"params", Json::object()}});
  CHECK(s.Request("workspace/symbol", Json::object())["error"]["code"] == -32601);
  CHECK(s.Request("initialize", Json::object())["error"]["code"] == -32600);
  // A notification that cannot be done is said in the client's log.
  s.out.clear();
  s.Notify("textDocument/didChange", {{"textDocument", {{"uri", "file:///closed.spark"}}}, {"contentChanges", Json::array()}});
  REQUIRE(s.out.size() == 1);
  CHECK(s.out[0]["method"] == "window/logMessage");
  CHECK_THAT(s.out[0]["params"]["message"].get<std::string>(), Catch::Contains("not open"));
  CHECK(s.Request("textDocument/hover", {{"nothing", 1}})["error"]["code"] == -32602);
  CHECK(s.Request("textDocument/hover", Session::At("file:///nowhere.spark", 0, 0))["error"]["code"] == -32602);
  std::vector<Json> out;
  s.server.Handle(Json::array({1, 2}), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0]["error"]["code"] == -32600);
  CHECK(s.Request("shutdown", nullptr).contains("result"));
  CHECK(s.Request("textDocument/hover", Json::object())["error"]["code"] == -32600);
  CHECK_FALSE(s.server.exited());
  s.Notify("exit", nullptr);
  CHECK(s.server.exited());
  CHECK(s.server.exit_code() == 0);
}

TEST_CASE("lsp: exit without shutdown is exit code 1") {
  Session s;
  s.Notify("exit", nullptr);
  CHECK(s.server.exited());
  CHECK(s.server.exit_code() == 1);
}

TEST_CASE("lsp: diagnostics carry the code, notes and help of check") {
  Session s;
  std::string text = "step a {\n  do = exec(\"true\")\n}\n";
  std::string uri = s.Write("m.spark", text);
  s.Open(uri, text);
  Json d = s.Diagnostics(uri);
  REQUIRE(d.size() == 1);
  CHECK(d[0]["code"] == "E0401");
  CHECK(d[0]["severity"] == 1);
  CHECK(d[0]["source"] == "sparkc");
  CHECK(d[0]["range"] == Range(0, 5, 0, 6));
  CHECK(d[0]["message"].get<std::string>().starts_with("step `a` has no `undo`\nhelp: add `undo = none`"));

  // A cycle: the notes point at each step, as related information.
  std::string cycle = "step a { after = [b]; do = noop; undo = none }\nstep b { after = [a]; do = noop; undo = none }\n";
  s.Change(uri, Json::array({{{"text", cycle}}}));
  d = s.Diagnostics(uri);
  REQUIRE(d.size() == 1);
  CHECK(d[0]["code"] == "E0301");
  REQUIRE(d[0]["relatedInformation"].size() == 2);
  CHECK(d[0]["relatedInformation"][0]["location"]["uri"] == uri);
}

TEST_CASE("lsp: a file that does not parse gets diagnostics and keeps its outline") {
  Session s;
  std::string uri = s.Write("main.spark", kMain);
  s.Write("lib.spark", kLib);
  s.Open(uri, kMain);
  CHECK(s.Diagnostics(uri) == Json::array());
  s.Change(uri, Json::array({{{"range", Range(5, 10, 5, 10)}, {"text", " = = "}}}));
  Json d = s.Diagnostics(uri);
  REQUIRE(!d.empty());
  CHECK(d[0]["code"] == "E0004");
  Json symbols = s.Result("textDocument/documentSymbol", {{"textDocument", {{"uri", uri}}}});
  CHECK(symbols.size() >= 5);
}

TEST_CASE("lsp: an edit in an imported file re-checks the files that import it") {
  Session s;
  std::string lib = s.Write("lib.spark", kLib);
  std::string main = s.Write("main.spark", kMain);
  s.Open(main, kMain);
  s.Open(lib, kLib);
  CHECK(s.Diagnostics(main) == Json::array());
  // Rename `round` in the library's buffer (unsaved): main now calls nothing.
  s.Change(lib, Json::array({{{"range", Range(3, 3, 3, 8)}, {"text", "ceil"}}}));
  s.out.clear();
  s.server.Flush(s.out, true);
  Json main_diags;
  for (const Json& m : s.out)
    if (m["params"]["uri"] == main) main_diags = m["params"]["diagnostics"];
  REQUIRE(main_diags.size() == 1);
  CHECK(main_diags[0]["message"].get<std::string>().starts_with("module `lib` has no `round`"));
  // An error inside the library shows in the library, whichever file was checked.
  s.Change(lib, Json::array({{{"range", Range(3, 3, 3, 7)}, {"text", "round"}}}));
  s.Change(lib, Json::array({{{"range", Range(4, 21, 4, 30)}, {"text", "Tier.bronze"}}}));
  s.out.clear();
  s.server.Flush(s.out, true);
  int in_lib = 0;
  for (const Json& m : s.out)
    if (m["params"]["uri"] == lib) in_lib = static_cast<int>(m["params"]["diagnostics"].size());
  CHECK(in_lib == 1);
}

TEST_CASE("lsp: a closed file of the workspace that imports the edited one is checked too") {
  Session s(false);
  std::string lib = s.Write("lib.spark", kLib);
  std::string main = s.Write("main.spark", kMain);
  s.Write("other.spark", "step alone { do = noop; undo = none }\n");
  s.Send({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
          {"params", {{"rootUri", lsp::PathToUri(fs::weakly_canonical(s.dir()).string())}, {"capabilities", Json::object()}}}});
  s.Open(lib, kLib);
  s.Diagnostics(lib);
  auto published = [&](const std::string& uri) {
    s.out.clear();
    s.server.Flush(s.out, true);
    Json found;
    for (const Json& m : s.out)
      if (m["params"]["uri"] == uri) found = m["params"]["diagnostics"];
    return found;
  };
  s.Change(lib, Json::array({{{"range", Range(3, 3, 3, 8)}, {"text", "ceil"}}}));
  Json d = published(main);
  REQUIRE(d.size() == 1);
  CHECK(d[0]["message"].get<std::string>().starts_with("module `lib` has no `round`"));
  CHECK(d[0]["range"]["start"]["line"] == 7);
  // Put back: main's error is cleared; the file that imports nothing was never checked.
  s.Change(lib, Json::array({{{"range", Range(3, 3, 3, 7)}, {"text", "round"}}}));
  CHECK(published(main) == Json::array());
  for (const Json& m : s.out) CHECK_FALSE(m["params"]["uri"].get<std::string>().ends_with("other.spark"));
}

TEST_CASE("lsp: hover shows values, steps and codes") {
  Session s;
  s.Write("lib.spark", kLib);
  std::string uri = s.Write("main.spark", kMain);
  s.Open(uri, kMain);
  s.Diagnostics(uri);
  auto hover = [&](int line, int character) {
    Json r = s.Result("textDocument/hover", Session::At(uri, line, character));
    return r.is_null() ? std::string() : r["contents"]["value"].get<std::string>();
  };
  // `rig.gpu.memory` on line 7, the cursor on `memory`.
  std::string memory = hover(7, 48);
  CHECK_THAT(memory, Catch::Contains("rig.gpu.memory: size = 80 GiB"));
  CHECK_THAT(memory, Catch::Contains("(field) Gpu.memory"));
  std::string step = hover(5, 6);
  CHECK_THAT(step, Catch::Contains("step copy"));
  CHECK_THAT(step, Catch::Contains("Copies the data."));
  CHECK_THAT(step, Catch::Contains("do: `exec cp"));
  CHECK_THAT(step, Catch::Contains("estimate 2 min"));
  CHECK_THAT(step, Catch::Contains("on the critical path: step 1 of"));
  CHECK_THAT(hover(3, 8), Catch::Contains("const tier: enum Tier = Tier.silver"));
  // On a diagnostic: its code explained.
  s.Change(uri, Json::array({{{"range", Range(12, 11, 12, 15)}, {"text", "cpy"}}}));
  s.Diagnostics(uri);
  CHECK_THAT(hover(12, 12), Catch::Contains("**E0102** unknown name"));
}

TEST_CASE("lsp: definition and references across an import and the stdlib") {
  Session s;
  std::string lib = s.Write("lib.spark", kLib);
  std::string uri = s.Write("main.spark", kMain);
  s.Open(uri, kMain);
  s.Diagnostics(uri);
  auto definition = [&](int line, int character) { return s.Result("textDocument/definition", Session::At(uri, line, character)); };
  Json round = definition(7, 28);  // lib.round
  CHECK(round["uri"] == lib);
  CHECK(round["range"] == Range(3, 3, 3, 8));
  Json silver = definition(3, 24);  // lib.Tier.silver
  CHECK(silver["uri"] == lib);
  CHECK(silver["range"] == Range(1, 18, 1, 24));
  Json memory = definition(7, 48);  // the record field, in the prelude
  CHECK_THAT(memory["uri"].get<std::string>(), Catch::EndsWith("/prelude.spark"));
  Json after = definition(12, 12);  // `copy` in `after`
  CHECK(after["uri"] == uri);
  CHECK(after["range"] == Range(5, 5, 5, 9));
  CHECK(definition(6, 11)["range"] == Range(1, 6, 1, 10));  // phase = prep
  CHECK(definition(0, 10)["uri"] == lib);                     // the import itself

  Json refs = s.Result("textDocument/references",
                       {{"textDocument", {{"uri", uri}}}, {"position", {{"line", 5}, {"character", 6}}},
                        {"context", {{"includeDeclaration", true}}}});
  CHECK(refs.size() == 3);  // the declaration, cut's after, go's after
  refs = s.Result("textDocument/references",
                  {{"textDocument", {{"uri", uri}}}, {"position", {{"line", 5}, {"character", 6}}},
                   {"context", {{"includeDeclaration", false}}}});
  CHECK(refs.size() == 2);
}

TEST_CASE("lsp: definition of a stdlib template, its parameter and a fan-out variable") {
  Session s;
  std::string text =
      "import std.k8s\n"
      "step ns = std.k8s.namespace(\"nova\")\n"
      "step roll[x in [\"a\", \"b\"]] { after = [ns]; do = exec(\"echo\", x); undo = none }\n";
  std::string uri = s.Write("t.spark", text);
  s.Open(uri, text);
  CHECK(s.Diagnostics(uri) == Json::array());
  Json tmpl = s.Result("textDocument/definition", Session::At(uri, 1, 20));
  CHECK_THAT(tmpl["uri"].get<std::string>(), Catch::EndsWith("/k8s.spark"));
  CHECK(tmpl["range"]["start"]["line"] == 5);  // `template namespace(`
  Json var = s.Result("textDocument/definition", Session::At(uri, 2, 61));
  CHECK(var["range"] == Range(2, 10, 2, 11));
  Json refs = s.Result("textDocument/references", {{"textDocument", {{"uri", uri}}}, {"position", {{"line", 2}, {"character", 10}}},
                                                   {"context", {{"includeDeclaration", true}}}});
  CHECK(refs.size() == 2);
  std::string hover = s.Result("textDocument/hover", Session::At(uri, 1, 20))["contents"]["value"];
  CHECK_THAT(hover, Catch::Contains("template namespace"));
}

TEST_CASE("lsp: completion in context") {
  Session s;
  s.Write("lib.spark", kLib);
  std::string uri = s.Write("main.spark", kMain);
  s.Open(uri, kMain);
  s.Diagnostics(uri);
  auto complete = [&](const std::string& text, int line, int character) {
    s.Change(uri, Json::array({{{"text", text}}}));
    return Labels(s.Result("textDocument/completion", Session::At(uri, line, character)));
  };
  std::string base = kMain;
  auto with = [&](const std::string& extra) { return base + extra; };
  int last = 17;
  CHECK(Has(complete(with("import std.g\n"), last, 12), "gpu"));
  std::vector<std::string> units = complete(with("const t = 5 mi\n"), last, 14);
  CHECK(Has(units, "min"));
  CHECK(Has(units, "GiB"));
  std::vector<std::string> fields = complete(with("const m = rig.gpu.\n"), last, 18);
  CHECK(Has(fields, "memory"));
  CHECK(Has(fields, "count"));
  CHECK(Has(complete(with("const e = lib.\n"), last, 14), "round"));
  CHECK(Has(complete(with("const e = lib.Tier.\n"), last, 19), "gold"));
  std::vector<std::string> steps = complete(with("step z { after = [copy, \n"), last, 24);
  CHECK(Has(steps, "cut"));
  CHECK(Has(steps, "go"));
  CHECK_FALSE(Has(steps, "exec"));
  CHECK(complete(with("step z { phase = \n"), last, 17) == std::vector<std::string>{"prep"});
  std::vector<std::string> step_fields = complete(with("step z {\n  ti\n}\n"), last + 1, 4);
  CHECK(Has(step_fields, "timeout"));
  CHECK(Has(step_fields, "undo_check"));
  std::vector<std::string> gpu = complete(with("hardware h {\n  gpu = {\n    mo\n  }\n}\n"), last + 2, 6);
  CHECK(Has(gpu, "model"));
  CHECK(Has(gpu, "memory"));
  CHECK_FALSE(Has(gpu, "timeout"));
  CHECK(Has(complete(with("hardware h {\n  \n}\n"), last + 1, 2), "gpu"));
  std::vector<std::string> options = complete(with("step o { do = exec(\"ls\") { c } }\n"), last, 28);
  CHECK(options == std::vector<std::string>{"env", "cwd", "stdin"});
  CHECK(Has(complete(with("step o { do = http.request(\"POST\", \"http://x\") {  } }\n"), last, 49), "expect"));
}

TEST_CASE("lsp: the outline nests steps under their phase") {
  Session s;
  s.Write("lib.spark", kLib);
  std::string uri = s.Write("main.spark", kMain);
  s.Open(uri, kMain);
  Json symbols = s.Result("textDocument/documentSymbol", {{"textDocument", {{"uri", uri}}}});
  std::vector<std::string> top;
  for (const Json& sym : symbols) top.push_back(sym["name"]);
  CHECK(top == std::vector<std::string>{"prep", "rig", "tier", "cut", "go"});
  CHECK(symbols[0]["kind"] == 3);
  REQUIRE(symbols[0]["children"].size() == 1);
  CHECK(symbols[0]["children"][0]["name"] == "copy");
  CHECK(symbols[0]["children"][0]["selectionRange"] == Range(5, 5, 5, 9));
  CHECK(symbols[4]["kind"] == 24);  // a gate: Event
}

TEST_CASE("lsp: formatting is sparkc fmt, refused on a file that does not parse") {
  Session s;
  std::string text = "step a {\ndo = noop\n      undo = none }\n";
  std::string uri = s.Write("f.spark", text);
  s.Open(uri, text);
  Json edits = s.Result("textDocument/formatting", {{"textDocument", {{"uri", uri}}}, {"options", {{"tabSize", 2}}}});
  REQUIRE(edits.size() == 1);
  CHECK(ApplyEdits(text, edits) == "step a {\n  do = noop\n  undo = none }\n");
  s.Change(uri, Json::array({{{"text", "step a {"}}}));
  Json r = s.Request("textDocument/formatting", {{"textDocument", {{"uri", uri}}}, {"options", Json::object()}});
  CHECK(r["error"]["message"].get<std::string>().find("syntax errors") != std::string::npos);
}

TEST_CASE("lsp: quick fixes apply a diagnostic's suggestion") {
  Session s;
  std::string text = "step copy {\n  do = exec(\"true\")\n}\nstep cut {\n  after = [cpy]\n  do = noop\n  undo = none\n}\n";
  std::string uri = s.Write("q.spark", text);
  s.Open(uri, text);
  REQUIRE(s.Diagnostics(uri).size() == 2);
  Json actions = s.Result("textDocument/codeAction", {{"textDocument", {{"uri", uri}}}, {"range", Range(0, 0, 8, 0)},
                                                      {"context", {{"diagnostics", Json::array()}}}});
  REQUIRE(actions.size() == 2);
  Json edits = Json::array();
  std::vector<std::string> titles;
  for (const Json& a : actions) {
    titles.push_back(a["title"]);
    CHECK(a["kind"] == "quickfix");
    for (const Json& e : a["edit"]["changes"][uri]) edits.push_back(e);
  }
  std::string fixed = ApplyEdits(text, edits);
  CHECK(titles == std::vector<std::string>{"Add `undo = none`", "Change to `copy`"});
  CHECK(fixed == "step copy {\n  do = exec(\"true\")\n  undo = none\n}\nstep cut {\n  after = [copy]\n  do = noop\n  undo = none\n}\n");
  s.Change(uri, Json::array({{{"text", fixed}}}));
  CHECK(s.Diagnostics(uri) == Json::array());
  // A block on one line gets the field after a `;`.
  std::string one = "step a { do = noop }\n";
  s.Change(uri, Json::array({{{"text", one}}}));
  s.Diagnostics(uri);
  actions = s.Result("textDocument/codeAction", {{"textDocument", {{"uri", uri}}}, {"range", Range(0, 5, 0, 6)},
                                                 {"context", {{"diagnostics", Json::array()}}}});
  REQUIRE(actions.size() == 1);
  CHECK(ApplyEdits(one, actions[0]["edit"]["changes"][uri]) == "step a { do = noop; undo = none }\n");
}

TEST_CASE("lsp: semantic tokens tell keywords, declarations, strings and comments apart") {
  Session s;
  s.Write("lib.spark", kLib);
  std::string text = std::string("// note\n") + kMain;
  std::string uri = s.Write("main.spark", text);
  s.Open(uri, text);
  s.Diagnostics(uri);
  Json legend = s.init_result["result"]["capabilities"]["semanticTokensProvider"]["legend"];
  Json data = s.Result("textDocument/semanticTokens/full", {{"textDocument", {{"uri", uri}}}})["data"];
  REQUIRE(data.size() % 5 == 0);
  // Decoded: (line, character, length) -> (type name, modifiers).
  std::map<std::tuple<int, int, int>, std::pair<std::string, int>> tokens;
  int line = 0, character = 0;
  for (size_t i = 0; i < data.size(); i += 5) {
    int dl = data[i], dc = data[i + 1];
    line += dl;
    character = dl == 0 ? character + dc : dc;
    tokens[{line, character, data[i + 2].get<int>()}] = {legend["tokenTypes"][data[i + 3].get<int>()], data[i + 4]};
  }
  auto type = [&](int l, int c, int n) { return tokens.count({l, c, n}) ? tokens[{l, c, n}].first : std::string("none"); };
  CHECK(type(0, 0, 7) == "comment");
  CHECK(type(1, 0, 6) == "keyword");           // import
  CHECK(type(1, 7, 13) == "string");           // "./lib.spark"
  CHECK(type(6, 0, 4) == "keyword");           // step
  CHECK(type(6, 5, 4) == "event");             // copy
  CHECK(tokens[{6, 5, 4}].second == 1);        // declaration
  CHECK(type(7, 2, 5) == "property");          // phase =
  CHECK(type(7, 10, 4) == "namespace");        // prep
  CHECK(type(3, 59, 2) == "number");           // 80
  CHECK(type(3, 62, 3) == "type");             // GiB
  CHECK(type(4, 17, 4) == "enum");             // Tier
  CHECK(type(4, 22, 6) == "enumMember");       // silver
}

// What Neovim 0.7.2 sent in tests/e2e/lsp_nvim.sh (recorded with
// SPARKC_LSP_RECORD), replayed: every answer as recorded beside it.
// `cmake --build build --target update-goldens` rewrites the answers.
TEST_CASE("lsp: Neovim's recorded session gives the recorded answers") {
  fs::path fixtures = fs::path(SPARKC_SOURCE_DIR) / "tests/fixtures/lsp";
  Session s(false);
  s.Write("lib.spark", Read(fixtures / "session/lib.spark"));
  s.Write("main.spark", Read(fixtures / "session/main.spark"));
  std::string work = fs::weakly_canonical(s.dir()).string();
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
    return text;
  };
  std::string answers;
  std::ifstream session(fixtures / "neovim-session.jsonl");
  for (std::string line; std::getline(session, line);) {
    Json message = Json::parse(replace(line, "$WORK", work));
    std::vector<Json> out;
    s.server.Handle(message, out);
    s.server.Flush(out, true);  // the debounce is not replayed: analyse after each message
    for (const Json& m : out)
      answers += replace(replace(m.dump(), work, "$WORK"), fs::weakly_canonical(SPARKC_SOURCE_DIR).string(), "$ROOT") + "\n";
  }
  CHECK(s.server.exited());
  fs::path golden = fixtures / "neovim-session.answers.jsonl";
  if (std::getenv("SPARKC_UPDATE_GOLDENS") != nullptr) std::ofstream(golden) << answers;
  CHECK(answers == Read(golden));
}

TEST_CASE("lsp: line maps and URIs") {
  lsp::LineMap map("a\r\nb🚀c\n");
  uint32_t offset = 0;
  CHECK(map.ToOffset({1, 3}, lsp::Encoding::Utf16, offset));
  CHECK(offset == 3 + 1 + 4);
  CHECK(map.ToPosition(8, lsp::Encoding::Utf16).character == 3);
  CHECK(map.ToPosition(8, lsp::Encoding::Utf8).character == 5);
  CHECK(map.ToOffset({0, 99}, lsp::Encoding::Utf16, offset));
  CHECK(offset == 1);  // clamped to the line, before its \r\n
  CHECK(map.ToOffset({2, 0}, lsp::Encoding::Utf16, offset));
  CHECK_FALSE(map.ToOffset({3, 0}, lsp::Encoding::Utf16, offset));
  std::string path;
  CHECK(lsp::UriToPath("file:///tmp/a%20b/c%C3%A9.spark", path));
  CHECK(path == "/tmp/a b/cé.spark");
  CHECK(lsp::PathToUri(path) == "file:///tmp/a%20b/c%C3%A9.spark");
  CHECK_FALSE(lsp::UriToPath("untitled:Untitled-1", path));
  CHECK_FALSE(lsp::UriToPath("file:///a%00b", path));
}
