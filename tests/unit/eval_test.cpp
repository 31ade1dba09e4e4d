// The constant evaluator through the whole compiler: a spec is written to a
// temporary file, compiled, and its diagnostics or plan inspected.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compiler/compile/compile.h"

namespace {

struct Result {
  bool ok = false;
  std::vector<std::string> messages;
  sparkc::plan::Plan plan;

  bool Says(const std::string& text) const {
    for (const std::string& m : messages)
      if (m.find(text) != std::string::npos) return true;
    return false;
  }
};

Result CompileText(const std::string& text) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("sparkc-eval-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "spec.spark";
  std::ofstream(file) << text << "\nstep __s { do = noop; undo = none }\n";
  sparkc::SourceManager sources;
  sparkc::Diagnostics diags(sources);
  Result r;
  r.ok = sparkc::Compile(file.string(), sources, diags, r.plan);
  for (const auto& d : diags.all()) r.messages.push_back(d.message);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace

TEST_CASE("decimal and binary sizes compare exactly") {
  CHECK(CompileText("invariant a { 10 GB < 50 GiB and 1 GiB > 1 GB and 1024 MiB == 1 GiB }").ok);
  Result r = CompileText("invariant a { 1000 MB == 1 GiB }");
  CHECK_FALSE(r.ok);
  CHECK(r.Says("1000 MB = 1 GB, but 1 GiB = 1 GiB"));
}

TEST_CASE("versions order component-wise, not as text") {
  CHECK(CompileText("invariant a { v12.10 > v12.9 and v550.54.15 > v550.54.14 and v12.4 == v12.4.0 }").ok);
}

TEST_CASE("percent scales a quantity exactly") {
  CHECK(CompileText("invariant a { 80 GiB * 80% == 64 GiB and 10 s * 50% == 5000 ms }").ok);
}

TEST_CASE("overflow and division by zero are errors, never wraparound") {
  CHECK(CompileText("const x = 9223372036854775807 * 2").Says("integer overflow"));
  CHECK(CompileText("const x = 8 EiB").Says("unknown unit"));
  CHECK(CompileText("const x = 5 TiB * 10000000").Says("integer overflow"));
  CHECK(CompileText("const x = 1 / 0").Says("division by zero"));
}

TEST_CASE("mixing dimensions names both types") {
  Result r = CompileText("const x = 1 GB + 1 s");
  CHECK(r.Says("cannot add size `1 GB` and duration `1 s`"));
}

TEST_CASE("functions are checked against their parameter and result types") {
  CHECK(CompileText("fn f(x: int) -> int = x * 2\ninvariant a { f(21) == 42 }").ok);
  CHECK(CompileText("fn f(x: int) -> size = x\nconst y = f(1)").Says("expected size, found int"));
  CHECK(CompileText("fn f(x: int = 3) -> int = x\ninvariant a { f() == 3 and f(x = 4) == 4 }").ok);
}

TEST_CASE("typed lists and maps convert the items that need it, wherever they are") {
  // Lists are shared until an item changes: the first item is a float, the
  // second an int that must become one (2 / 4 would be 0 as ints).
  CHECK(CompileText("fn k(xs: list[float]) -> list[float] = xs\n"
                    "fn deep(xs: list[list[float]]) -> list[list[float]] = xs\n"
                    "invariant a { k([1.5, 2])[1] / 4 == 0.5 and deep([[1.5], [2]])[1][0] / 4 == 0.5 }")
            .ok);
  CHECK(CompileText("record R { n: int = 3 }\nfn g(m: map[R]) -> int = m.b.n\n"
                    "invariant a { g({ a = { n = 1 }, b = {} }) == 3 }")
            .ok);
  CHECK(CompileText("fn k(xs: list[float]) -> float = xs[0]\nconst y = k([1.5, \"x\", 2, \"z\"])")
            .Says("expected float, found string `\"z\"`"));
}

TEST_CASE("aggregates over records") {
  const char* spec = R"(
record N { name: string; gpus: int }
const ns: list[N] = [{ name = "a", gpus = 8 }, { name = "b", gpus = 4 }]
invariant a { sum(n.gpus for n in ns) == 12 and max(n.gpus for n in ns) == 8 and
              count(n for n in ns if n.gpus > 4) == 1 and all(n.gpus > 0 for n in ns) and
              [n.name for n in ns if n.gpus < 8] == ["b"] })";
  CHECK(CompileText(spec).ok);
}

TEST_CASE("probes fold static parts into the plan's check") {
  Result r = CompileText(R"(
const host = "db"
const port = 5432
step s { do = noop; undo = none; check = tcp.open("${host}:${port}") and exec("true").exit == 0 })");
  REQUIRE(r.ok);
  bool found = false;
  for (const auto& step : r.plan.steps)
    if (step.id == "s") {
      found = true;
      CHECK(step.check == "tcp.open(\"db:5432\") and exec(\"true\").exit == 0");
    }
  CHECK(found);
}

TEST_CASE("secrets are references in the plan, never values") {
  Result r = CompileText(R"(
secret pw = env("PW")
step s { do = exec("psql") { env = { PGPASSWORD = pw } }; undo = none })");
  REQUIRE(r.ok);
  for (const auto& step : r.plan.steps)
    if (step.id == "s") {
      REQUIRE(step.action.secret_env.size() == 1);
      CHECK(step.action.secret_env[0].second == "env:PW");
      CHECK(step.action.env.empty());
    }
}
