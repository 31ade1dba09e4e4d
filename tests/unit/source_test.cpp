#include <catch2/catch.hpp>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source.h"

using namespace sparkc;

TEST_CASE("line and column are 1-based, columns count code points") {
  SourceFile file("x", "x", "ab\nçd\n\tz");
  CHECK(file.Locate(0).line == 1);
  CHECK(file.Locate(1).column == 2);
  CHECK(file.Locate(3).line == 2);
  // "ç" is two bytes; "d" is the second code point of line 2.
  CHECK(file.Locate(5).column == 2);
  CHECK(file.LineText(2) == "çd");
  CHECK(file.LineText(3) == "\tz");
}

TEST_CASE("invalid UTF-8 and NUL bytes are found with their offset") {
  bool nul = false;
  CHECK(FindInvalidText("plain ascii", nul) == -1);
  CHECK(FindInvalidText("caf\xC3\xA9", nul) == -1);
  CHECK(FindInvalidText("ab\xFFz", nul) == 2);
  CHECK(FindInvalidText("\xC0\xAF", nul) == 0);  // overlong '/'
  CHECK(FindInvalidText("\xED\xA0\x80", nul) == 0);  // a surrogate
  CHECK(FindInvalidText("ab\xE2\x82", nul) == 2);  // truncated
  CHECK(FindInvalidText(std::string_view("a\0b", 3), nul) == 1);
  CHECK(nul);
}

TEST_CASE("did-you-mean picks the closest plausible name") {
  std::vector<std::string> names = {"deploy", "verify", "rollback_db"};
  CHECK(ClosestMatch("deplyo", names) == "deploy");
  CHECK(ClosestMatch("verfy", names) == "verify");
  CHECK(ClosestMatch("x", names).empty());
  CHECK(ClosestMatch("completely_different", names).empty());
}

TEST_CASE("text rendering shows location, source line and caret") {
  SourceManager sources;
  FileId f = sources.Add("/abs/a.spark", "a.spark", "step deploy {\n  after = [deplo]\n}\n");
  Diagnostics diags(sources);
  diags.Error(DiagnosticKind::E0102, {f, 25, 30}, "unknown step `deplo`").Suggest("did you mean `deploy`?");
  std::ostringstream out;
  RenderText(diags, out);
  CHECK(out.str() ==
        "a.spark:2:12: error[E0102]: unknown step `deplo`\n"
        " 2 |   after = [deplo]\n"
        "   |            ^~~~~\n"
        "  help: did you mean `deploy`?\n"
        "1 error generated\n");
}

TEST_CASE("every diagnostic code has a summary and an explanation") {
  DiagnosticKind kind;
  REQUIRE(FindDiagnostic("E0301", kind));
  CHECK(CodeOf(kind) == "E0301");
  CHECK(!ExplanationOf(kind).empty());
  CHECK_FALSE(FindDiagnostic("E9999", kind));
}
