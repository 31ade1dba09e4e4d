#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "compiler/parse/parse.h"
#include "compiler/parse/parse_internal.h"

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

namespace {

// A file of every kind of declaration, `copies` times over.
std::string ManyDeclarations(int copies) {
  std::string text = "module big.spec\nimport \"./other.spark\" as other\nobjective { rto = 2 h }\n";
  for (int i = 0; i < copies; ++i) {
    text += fmt::format(
        "/// Step {0}.\nstep s{0} {{ after = [{1}]; do = exec(\"run\", \"--n\", \"{0}\") {{ env = {{ N = \"${{x}}{0}\" }} }}\n"
        "  undo = none; check = file.size(\"/x\") > {0} MB and not (1 + 2 * 3 == 7) }}\n"
        "const c{0}: int = if {0} > 3 then [a * 2 for a in [1, 2] if a > 1][0] else -{0}\n"
        "step t{0}[h in hosts] = tmpl(host = h, {0}%) {{ timeout = 30 s }}\n"
        "enum E{0} {{ a, b; c }}\nrecord R{0} {{ x: list[int] = [] ; y: secret }}\n"
        "fn f{0}(a: int, b: map[string] = {{}}) -> bool = all(x > 0 for x in [a])\n"
        "invariant i{0} \"holds\" {{ hardware.gpus >= 8 }}\ngate g{0} {{ approvers = [\"ops\"] }}\n"
        "window w{0} {{ from = \"22:00\" }}\nphase p{0} \"Phase\"\nsecret k{0} = env(\"K\")\n",
        i, i > 0 ? fmt::format("s{}", i - 1) : "");
  }
  return text;
}

}  // namespace

TEST_CASE("a large file parsed on two threads gives the same tree as on one") {
  SourceManager sources;
  FileId f = sources.Add("big.spark", "big.spark", ManyDeclarations(300));
  Diagnostics one_diags(sources), two_diags(sources);
  Module one = parse::ParseFileWith(sources, f, one_diags, SIZE_MAX);
  Module two = parse::ParseFileWith(sources, f, two_diags, 0);
  REQUIRE_FALSE(one_diags.has_errors());
  REQUIRE_FALSE(two_diags.has_errors());
  CHECK(one.decls.size() == 3 + 300 * 11);
  CHECK(SameTree(one, two));
  // The comparison can fail: a tree with one span moved is not the same.
  two.exprs.back().span.end++;
  CHECK_FALSE(SameTree(one, two));
}

TEST_CASE("a syntax error late in a large file is reported the same on two threads as on one") {
  SourceManager sources;
  std::string text = ManyDeclarations(200) + "step broken { do = exec(\"x\" }\n" + ManyDeclarations(2);
  FileId f = sources.Add("bad.spark", "bad.spark", text);
  Diagnostics one_diags(sources), two_diags(sources);
  Module one = parse::ParseFileWith(sources, f, one_diags, SIZE_MAX);
  Module two = parse::ParseFileWith(sources, f, two_diags, 0);
  REQUIRE(one_diags.has_errors());
  REQUIRE(one_diags.size() == two_diags.size());
  for (size_t i = 0; i < one_diags.size(); ++i) {
    CHECK(one_diags.all()[i].message == two_diags.all()[i].message);
    CHECK(one_diags.all()[i].span.begin == two_diags.all()[i].span.begin);
  }
  CHECK(one.decls.empty());
  CHECK(two.decls.empty());
}
