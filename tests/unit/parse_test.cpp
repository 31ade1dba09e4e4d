#include <catch2/catch.hpp>

#include "compiler/parse/parse.h"

using namespace sparkc;

static Module ParseText(const std::string& text, Diagnostics& diags, SourceManager& sources) {
  FileId f = sources.Add("t.spark", "t.spark", text);
  return ParseFile(sources, f, diags);
}

TEST_CASE("a step becomes a declaration with fields and spans") {
  SourceManager sources;
  Diagnostics diags(sources);
  Module m = ParseText("/// Deploys.\nstep deploy { phase = rollout; after = [a, b]; do = exec(\"x\") }", diags, sources);
  REQUIRE_FALSE(diags.has_errors());
  REQUIRE(m.decls.size() == 1);
  const Decl& d = m.decls[0];
  CHECK(d.kind == DeclKind::Step);
  CHECK(d.name == "deploy");
  CHECK(d.doc == "Deploys.");
  CHECK(sources.file(0).text().substr(d.name_span.begin, d.name_span.end - d.name_span.begin) == "deploy");
  REQUIRE(d.block.fields.size() == 3);
  CHECK(d.block.fields[0].name == "phase");
  CHECK(m.expr(d.block.fields[1].value).kind == ExprKind::List);
}

TEST_CASE("printing an expression and parsing it back gives the same text") {
  for (std::string text : {"file.size(\"a b\") > 0 B and not (exec(\"x\", \"-y\").exit == 0)",
                           "1 - (2 - 3) * 4", "-x.y", "a or b and c", "(a or b) and c",
                           "exec(\"env\") { env = { A = \"1\" } }.exit == 0", "[1, 2.5, v1.2.3, 80%]"}) {
    Module m;
    ExprId root;
    std::string error;
    REQUIRE(ParseExpression(text, m, root, error));
    std::string printed = PrintExpr(m, root);
    Module again;
    ExprId root2;
    REQUIRE(ParseExpression(printed, again, root2, error));
    CHECK(PrintExpr(again, root2) == printed);
  }
  Module m;
  ExprId root;
  std::string error;
  REQUIRE(ParseExpression("(1 - 2) - 3", m, root, error));
  CHECK(PrintExpr(m, root) == "1 - 2 - 3");
  REQUIRE(ParseExpression("1 - (2 - 3)", m, root, error));
  CHECK(PrintExpr(m, root) == "1 - (2 - 3)");
}

TEST_CASE("deep nesting is an error, not a stack overflow") {
  SourceManager sources;
  Diagnostics diags(sources);
  std::string deep = "step a { do = " + std::string(10000, '(') + "noop" + std::string(10000, ')') + " }";
  ParseText(deep, diags, sources);
  REQUIRE(diags.has_errors());
  CHECK(diags.all().front().kind == DiagnosticKind::E0005);

  SourceManager sources2;
  Diagnostics diags2(sources2);
  std::string negations = "step a { do = " + std::string(5000, '-') + "1 }";
  ParseText(negations, diags2, sources2);
  CHECK(diags2.all().front().kind == DiagnosticKind::E0005);
}

TEST_CASE("syntax errors say what was expected and what was found") {
  SourceManager sources;
  Diagnostics diags(sources);
  ParseText("step deploy {\n  do = noop\n", diags, sources);
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.all().front().message ==
        "expected `}` to close step `deploy` opened at 1:1, found end of file");
}

TEST_CASE("bad bytes are reported before lexing") {
  SourceManager sources;
  Diagnostics diags(sources);
  ParseText("step a \xFF", diags, sources);
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.all().front().kind == DiagnosticKind::E0002);
  CHECK(diags.all().front().span.begin == 7);
}
