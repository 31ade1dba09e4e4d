// Conversions at their edges, the same at compile time and at run time;
// templates; outputs evaluated from a result and read back from the journal.
#include <catch2/catch.hpp>

#include <climits>

#include "compiler/eval/convert.h"
#include "compiler/plan/template.h"
#include "runtime/probe/condition.h"

using namespace sparkc;

TEST_CASE("int() reads decimal integers and nothing else", "[convert]") {
  int64_t n = 0;
  std::string error;
  CHECK((convert::ToInt(" 42\n", n, error) && n == 42));
  CHECK((convert::ToInt("-7", n, error) && n == -7));
  CHECK((convert::ToInt("+7", n, error) && n == 7));
  CHECK((convert::ToInt("9223372036854775807", n, error) && n == INT64_MAX));
  CHECK((convert::ToInt("-9223372036854775808", n, error) && n == INT64_MIN));
  CHECK_FALSE(convert::ToInt("9223372036854775808", n, error));
  CHECK(error.find("does not fit in a 64-bit integer") != std::string::npos);
  for (const char* bad : {"", " ", "abc", "4.2", "0x10", "1e3", "+-5", "--5", "5 5", "-"}) {
    INFO(bad);
    CHECK_FALSE(convert::ToInt(bad, n, error));
  }
  convert::ToInt("abc", n, error);
  CHECK(error == "expected an integer, found \"abc\"");
}

TEST_CASE("float() reads finite numbers", "[convert]") {
  double f = 0;
  std::string error;
  CHECK((convert::ToFloat("0.5", f, error) && f == 0.5));
  CHECK((convert::ToFloat("-2e3", f, error) && f == -2000));
  for (const char* bad : {"inf", "nan", "1e999", "", "0.5x"}) {
    INFO(bad);
    CHECK_FALSE(convert::ToFloat(bad, f, error));
  }
}

TEST_CASE("size() and duration() need a unit of their dimension", "[convert]") {
  int64_t v = 0;
  std::string error;
  CHECK((convert::ToQuantity("50GiB", Dimension::Size, v, error) && v == 50LL << 30));
  CHECK((convert::ToQuantity(" 1.5 GiB ", Dimension::Size, v, error) && v == 1610612736));
  CHECK((convert::ToQuantity("30min", Dimension::Duration, v, error) && v == 1'800'000));
  CHECK((convert::ToQuantity("0 B", Dimension::Size, v, error) && v == 0));
  CHECK_FALSE(convert::ToQuantity("-5 GiB", Dimension::Size, v, error));
  CHECK_FALSE(convert::ToQuantity("50", Dimension::Size, v, error));
  CHECK(error.find("(B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB)") != std::string::npos);
  CHECK_FALSE(convert::ToQuantity("5 s", Dimension::Size, v, error));
  CHECK(error == "expected a size, found the duration \"5 s\"");
  CHECK_FALSE(convert::ToQuantity("30 mins", Dimension::Duration, v, error));
  CHECK(error.find("unknown unit `mins`") != std::string::npos);
  CHECK(error.find("ms, s, min, h, d") != std::string::npos);
  CHECK_FALSE(convert::ToQuantity("99999999999 PiB", Dimension::Size, v, error));
  CHECK(error.find("does not fit") != std::string::npos);
  CHECK_FALSE(convert::ToQuantity("1.0005 s", Dimension::Duration, v, error));
  CHECK_FALSE(convert::ToQuantity("1..5 s", Dimension::Duration, v, error));
  CHECK_FALSE(convert::ToQuantity(".5 s", Dimension::Duration, v, error));
}

TEST_CASE("version() keeps the text as written", "[convert]") {
  std::vector<int64_t> parts;
  std::string text, error;
  CHECK(convert::ToVersion("535.54.03", parts, text, error));
  CHECK(parts == std::vector<int64_t>{535, 54, 3});
  CHECK(text == "v535.54.03");
  CHECK((convert::ToVersion("v7.0.15\n", parts, text, error) && text == "v7.0.15"));
  for (const char* bad : {"7", "v", "7.", ".7", "7.0.x", "7.-1", "7.0-rc1", ""}) {
    INFO(bad);
    CHECK_FALSE(convert::ToVersion(bad, parts, text, error));
  }
}

TEST_CASE("text helpers", "[convert]") {
  CHECK(convert::Lines("a\r\nb\n\nc") == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(convert::Lines("a\n") == std::vector<std::string>{"a"});
  CHECK(convert::Lines("").empty());
  std::vector<std::string> parts;
  std::string error;
  CHECK((convert::Split("a,,b", ",", parts, error) && parts == std::vector<std::string>{"a", "", "b"}));
  CHECK_FALSE(convert::Split("a", "", parts, error));
  CHECK(convert::CommandOutput("x\n\n") == "x");
  CHECK(convert::CommandOutput("x \n") == "x ");
  CHECK(convert::Trim(" \tx y\n") == "x y");
  nlohmann::json j;
  CHECK_FALSE(convert::ToJson("{\"a\": ", j, error));
  CHECK(error.starts_with("not JSON"));
}

TEST_CASE("templates: placeholders, escapes, malformed text", "[template]") {
  std::string text = "--x=" + plan::Placeholder("output(\"a\", \"b}}\")") + plan::EscapeTemplateText(" ${{ lit");
  std::string out, error;
  auto value = [](std::string_view expr, std::string& v, std::string&) {
    v = "<" + std::string(expr) + ">";
    return true;
  };
  REQUIRE(plan::ExpandTemplate(text, value, out, error));
  CHECK(out == "--x=<output(\"a\", \"b}}\")> <\"\\${{\"> lit");
  std::string plain = plan::EscapeTemplateText("a ${{ b ${{");
  REQUIRE(plan::UnescapeTemplate(plain));
  CHECK(plain == "a ${{ b ${{");
  CHECK_FALSE(plan::ExpandTemplate("a ${{output(\"x\"", value, out, error));
  CHECK(error.find("does not end") != std::string::npos);
  CHECK(plan::TemplateExpression("plain") == "\"plain\"");
  CHECK(plan::TemplateExpression("n=" + plan::Placeholder("output(\"a\", \"b\")")) ==
        "\"n=\" + string(output(\"a\", \"b\"))");
}

TEST_CASE("outputs are evaluated from a result, converted at run time as at compile time", "[outputs]") {
  using namespace sparkc::runtime;
  plan::Step step;
  step.id = "find";
  step.timeout_ms = 1000;
  step.outputs = {{"leader", "json", "json(lines(stdout)[0]).leader.endpoint", false},
                  {"n", "int", "int(json(lines(stdout)[0]).members[1])", false},
                  {"size", "size", "size(trim(stderr))", false},
                  {"ver", "version", "version(lines(stdout)[1])", false}};
  ActionOutput result;
  result.out = "{\"leader\": {\"endpoint\": \"http://h:2379\"}, \"members\": [1, \"7\"]}\n535.54.03\n\n";
  result.err = " 50GiB \n";
  OutputTable known;
  std::vector<std::pair<std::string, OutputValue>> values;
  std::string error;
  REQUIRE(EvaluateOutputs(step, result, known, values, error));
  REQUIRE(values.size() == 4);
  CHECK(OutputText(values[0].second) == "http://h:2379");
  CHECK(values[1].second.encoded == "7");
  CHECK(values[2].second.encoded == std::to_string(50LL << 30));
  CHECK(OutputText(values[2].second) == "50 GiB");
  CHECK(OutputText(values[3].second) == "v535.54.03");
  for (auto& [name, value] : values) known["find." + name] = value;
  CHECK(EvaluateCheck("output(\"find\", \"n\") == 7 and output(\"find\", \"ver\") >= v535.54", 1000, &known).passed);
  CHECK(EvaluateCheck("output(\"find\", \"ver\").bare == \"535.54.03\"", 1000, &known).passed);

  plan::Action action;
  action.kind = plan::Action::Kind::Exec;
  action.argv = {"echo", plan::Placeholder("output(\"find\", \"leader\")"),
                 plan::Placeholder("\"n=\" + string(output(\"find\", \"n\"))")};
  REQUIRE(ResolveInputs(action, known, 1000, error));
  CHECK(action.argv == std::vector<std::string>{"echo", "http://h:2379", "n=7"});

  plan::Action missing;
  missing.argv = {plan::Placeholder("output(\"other\", \"x\")")};
  CHECK_FALSE(ResolveInputs(missing, known, 1000, error));
  CHECK(error.find("the output `other.x` is not known") != std::string::npos);

  result.out = "{\"leader\": {}}";
  CHECK_FALSE(EvaluateOutputs(step, result, known, values, error));
  CHECK(error.find("output `leader`") != std::string::npos);
  CHECK(error.find("has no member `endpoint`") != std::string::npos);
  result.out = "not json";
  CHECK_FALSE(EvaluateOutputs(step, result, known, values, error));
  CHECK(error.find("not JSON: \"not json\"") != std::string::npos);
  result.truncated = true;
  CHECK_FALSE(EvaluateOutputs(step, result, known, values, error));
}

TEST_CASE("shell works as a probe like exec", "[outputs]") {
  CHECK(sparkc::runtime::EvaluateCheck("shell(\"echo ab | tr a-z A-Z\").stdout == \"AB\\n\"", 2000).passed);
  CHECK(sparkc::runtime::EvaluateCheck("shell(\"exit 3\").exit == 3", 2000).passed);
}

TEST_CASE("a plan whose inputs name no earlier step's output is refused", "[outputs]") {
  plan::Plan p;
  p.module = "m";
  plan::Step producer;
  producer.id = "a";
  producer.timeout_ms = 1000;
  producer.action.kind = plan::Action::Kind::Exec;
  producer.action.argv = {"true"};
  producer.outputs = {{"v", "string", "stdout", false}};
  plan::Step consumer = producer;
  consumer.id = "b";
  consumer.outputs.clear();
  consumer.after = {"a"};
  consumer.action.argv = {"echo", plan::Placeholder("output(\"a\", \"v\")")};
  for (const char* input : {"a.w", "c.v", "b.v"}) {
    consumer.inputs = {input};
    p.steps = {producer, consumer};
    p.digest = plan::ComputeDigest(p);
    plan::Plan loaded;
    std::string error;
    INFO(input);
    CHECK(plan::LoadPlan(plan::EmitJson(p), loaded, error) == plan::LoadStatus::Invalid);
    CHECK(error.find("plan.steps[1].inputs[0]") != std::string::npos);
  }
}
