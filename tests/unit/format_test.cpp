#include <catch2/catch.hpp>

#include <filesystem>

#include "compiler/format/format.h"
#include "compiler/parse/parse.h"

using sparkc::format::Format;

namespace {

// Formats `text`, which must parse, and holds the formatter to its promises.
std::string Formatted(const std::string& text) {
  std::string out = Format(text);
  sparkc::SourceManager sources;
  sparkc::Diagnostics before(sources), after(sources);
  sparkc::Module a = sparkc::ParseFile(sources, sources.Add("a.spark", "a.spark", text), before);
  sparkc::Module b = sparkc::ParseFile(sources, sources.Add("b.spark", "b.spark", out), after);
  REQUIRE_FALSE(before.has_errors());
  CHECK_FALSE(after.has_errors());
  CHECK(sparkc::SameMeaning(a, b));
  CHECK(sparkc::format::SameButLayout(text, out));
  CHECK(Format(out) == out);
  return out;
}

}  // namespace

TEST_CASE("fmt spaces tokens the canonical way") {
  CHECK(Formatted("const n=3\nconst xs = [1,2 ,3]\nfn double(x:int)->int=x*2\n") ==
        "const n = 3\nconst xs = [1, 2, 3]\nfn double(x: int) -> int = x * 2\n");
  CHECK(Formatted("const a = - 1 + -n\nconst b = n - 1\nconst c = not (n > 1)\n") ==
        "const a = -1 + -n\nconst b = n - 1\nconst c = not (n > 1)\n");
  CHECK(Formatted("const m = {a=1 , b = {c=2}}\nconst e = { }\nconst q = 50 GB\nconst p = 50 %\n") ==
        "const m = { a = 1, b = { c = 2 } }\nconst e = {}\nconst q = 50 GB\nconst p = 50%\n");
  CHECK(Formatted("step s [ x in xs ] { do = exec ( \"a\" ) [ 0 ]; undo = none }\n") ==
        "step s[x in xs] { do = exec(\"a\")[0]; undo = none }\n");
}

TEST_CASE("fmt keeps blanks that align columns") {
  std::string aligned = "secret a    = env(\"A\")\nsecret long = env(\"B\")\nphase prepare    \"Prepare\"\n";
  CHECK(Formatted(aligned) == aligned);
  CHECK(Formatted("const t = [\n  { a = 1,   b = 2 },\n  { a = 10,  b = 20 },\n]\n") ==
        "const t = [\n  { a = 1,   b = 2 },\n  { a = 10,  b = 20 },\n]\n");
  // Elsewhere blanks align nothing.
  CHECK(Formatted("module   m\nimport std.k8s   as  k\nconst x = 1  +   2\n") ==
        "module m\nimport std.k8s as k\nconst x = 1 + 2\n");
}

TEST_CASE("fmt indents blocks, lists and continuation lines") {
  CHECK(Formatted("step a {\n        phase=p\ndo = noop\n   undo = none\n    check = n > 0 and\n  n < 9\n}\n") ==
        "step a {\n  phase = p\n  do = noop\n  undo = none\n  check = n > 0 and\n    n < 9\n}\n");
  CHECK(Formatted("const ys = [\n1,\n    2,\n        3\n]\n") == "const ys = [\n  1,\n  2,\n  3\n]\n");
  // An element that goes on over lines is a continuation, one level deeper.
  CHECK(Formatted("const ys = [\nf(1)\n{ a = 1 },\n2,\n]\n") == "const ys = [\n  f(1)\n    { a = 1 },\n  2,\n]\n");
  // The bodies of records, enums and invariants hold no fields.
  CHECK(Formatted("record R {\nname : string\n    size: int = 3\n}\ninvariant i {\n n > 0 and\n      n < 9\n}\n") ==
        "record R {\n  name: string\n  size: int = 3\n}\ninvariant i {\n  n > 0 and\n  n < 9\n}\n");
}

TEST_CASE("fmt aligns lines inside a bracket left open mid-line") {
  CHECK(Formatted("step a {\n  do = exec(\"a\", \"b\",\n\"c\")\n  undo = none\n}\n") ==
        "step a {\n  do = exec(\"a\", \"b\",\n            \"c\")\n  undo = none\n}\n");
  // The block after a multi-line signature indents from the declaration.
  CHECK(Formatted("template t(a: int,\n b: int) {\n do = noop\n undo = none\n}\n") ==
        "template t(a: int,\n           b: int) {\n  do = noop\n  undo = none\n}\n");
}

TEST_CASE("fmt keeps deeper continuation the author aligned, moved with its statement") {
  CHECK(Formatted("    step a {\n      check = n > 0 and\n              n < 9\n      do = noop; undo = none\n    }\n") ==
        "step a {\n  check = n > 0 and\n          n < 9\n  do = noop; undo = none\n}\n");
  // A declaration's block indents from the declaration, not from the
  // continuation line that opens it.
  CHECK(Formatted("step c =\n  t(1) {\n      after=[a]\n   }\n") == "step c =\n  t(1) {\n  after = [a]\n}\n");
}

TEST_CASE("fmt keeps every comment and the author's line breaks") {
  std::string text =
      "\n\n// header   \nmodule m\n\n\n\n/// doc\nstep a {\n\n  phase = p // trailing\n  /* block */ do = noop\n"
      "  undo = none\n  // before the brace\n\n}\n   // at the end\n";
  CHECK(Formatted(text) ==
        "// header\nmodule m\n\n/// doc\nstep a {\n  phase = p // trailing\n  /* block */ do = noop\n"
        "  undo = none\n  // before the brace\n}\n// at the end\n");
  CHECK(Formatted("") == "");
  CHECK(Formatted("// only a comment") == "// only a comment\n");
  CHECK(Formatted("const a = 1\r\nconst b = 2\r\n") == "const a = 1\nconst b = 2\n");
  CHECK(Formatted("\xEF\xBB\xBF" "const a  =  1") == "\xEF\xBB\xBF" "const a  = 1\n");
  CHECK(Formatted("step a {\n\tdo = noop\n\tundo\t=\tnone\n}\n") == "step a {\n  do = noop\n  undo = none\n}\n");
}

TEST_CASE("fmt reports a change of anything but layout") {
  CHECK(sparkc::format::SameButLayout("a = 1\n", "a  =  1"));
  CHECK_FALSE(sparkc::format::SameButLayout("a = 1", "a = 2"));
  CHECK_FALSE(sparkc::format::SameButLayout("a = 1", "a = 1 // x"));
}

TEST_CASE("every spec, stdlib module and golden input formats safely, and the specs and stdlib are formatted") {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const char* dir : {"specs", "stdlib", "tests/golden"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(SPARKC_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".spark") continue;
      std::string text, error;
      REQUIRE(sparkc::ReadFile(entry.path().string(), text, error));
      sparkc::SourceManager sources;
      sparkc::Diagnostics diags(sources);
      sparkc::ParseFile(sources, sources.Add("f", "f", text), diags);
      if (diags.has_errors()) continue;  // golden inputs with syntax errors
      INFO(entry.path().string());
      std::string out = Formatted(text);
      if (std::string(dir) != "tests/golden") CHECK(out == text);
      ++files;
    }
  }
  CHECK(files > 40);
}
