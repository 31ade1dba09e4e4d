#include <catch2/catch.hpp>

#include "compiler/plan/plan.h"

using namespace sparkc::plan;

static Plan Sample() {
  Plan p;
  p.compiler = "0.1.0";
  p.module = "m";
  p.rto_ms = 1'800'000;
  p.phases = {{"prep", "Preparation"}};
  Step s;
  s.id = "a";
  s.phase = "prep";
  s.description = "line one\nline \"two\"";
  s.source = "m.spark:3";
  s.action.kind = Action::Kind::Exec;
  s.action.argv = {"echo", "true", "123", "-n", "a b", "null", ""};
  s.action.env = {{"A", "1"}};
  s.undo.kind = Undo::Kind::Irreversible;
  s.undo.reason = "gone";
  s.check = "file.exists(\"x\")";
  s.timeout_ms = 1500;
  s.retries = 2;
  p.steps.push_back(s);
  Step t;
  t.id = "b";
  t.source = "m.spark:9";
  t.after = {"a"};
  t.action.kind = Action::Kind::Sequence;
  t.action.sequence.resize(2);
  t.action.sequence[1].kind = Action::Kind::Wait;
  t.action.sequence[1].wait_ms = 60'000;
  t.undo.kind = Undo::Kind::Action;
  t.undo.action.kind = Action::Kind::Manual;
  t.undo.action.instruction = "undo by hand";
  p.steps.push_back(t);
  p.digest = ComputeDigest(p);
  return p;
}

TEST_CASE("YAML and JSON plans load back to the same plan") {
  Plan p = Sample();
  for (const std::string& text : {EmitYaml(p), EmitJson(p)}) {
    Plan loaded;
    std::string error;
    CAPTURE(error);
    INFO(text);
    REQUIRE(LoadPlan(text, loaded, error) == LoadStatus::Ok);
    CHECK(loaded.steps == p.steps);
    CHECK(loaded.phases == p.phases);
    CHECK(loaded.rto_ms == p.rto_ms);
    CHECK(loaded.digest == p.digest);
  }
  CHECK(EmitYaml(p) == EmitYaml(Sample()));
}

TEST_CASE("an edited plan fails its digest") {
  std::string yaml = EmitYaml(Sample());
  size_t at = yaml.find("retries: 2");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, 10, "retries: 3");
  Plan loaded;
  std::string error;
  CHECK(LoadPlan(yaml, loaded, error) == LoadStatus::DigestMismatch);
}

TEST_CASE("malformed plans are invalid with a reason") {
  Plan loaded;
  std::string error;
  CHECK(LoadPlan("version: 2\n", loaded, error) == LoadStatus::Invalid);
  CHECK(LoadPlan("[unclosed", loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("line") != std::string::npos);
  CHECK(LoadPlan("{\"version\": 1}", loaded, error) == LoadStatus::Invalid);
  CHECK(error == "`plan.sparkc` is missing");
  // Aliases must not expand without bound.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'z'; ++c, ++prev)
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  CHECK(LoadPlan(bomb, loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("aliases") != std::string::npos);
  CHECK(LoadPlan("a: b: c\n", loaded, error) == LoadStatus::Invalid);
  CHECK(error.rfind("malformed YAML at line 1: ", 0) == 0);
  CHECK(LoadPlan("? [a]\n: b\n", loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("a key must be a plain name") != std::string::npos);
  // Found by the plan fuzzer: a timeout in seconds overflowed in milliseconds.
  std::string json = EmitJson(Sample());
  size_t at = json.find("\"timeout\": ");
  REQUIRE(at != std::string::npos);
  json.replace(at, json.find(',', at) - at, "\"timeout\": 9223372036854776");
  CHECK(LoadPlan(json, loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("timeout` is out of range") != std::string::npos);
}

TEST_CASE("a YAML plan reads back as the JSON it mirrors") {
  Plan sample = Sample();
  Plan from_yaml, from_json;
  std::string error;
  REQUIRE(LoadPlan(EmitYaml(sample), from_yaml, error) == LoadStatus::Ok);
  REQUIRE(LoadPlan(EmitJson(sample), from_json, error) == LoadStatus::Ok);
  CHECK(ToJson(from_yaml).dump() == ToJson(from_json).dump());
  CHECK(ToJson(from_yaml).dump() == ToJson(sample).dump());
}

TEST_CASE("human durations") {
  CHECK(HumanDuration(0) == "0 s");
  CHECK(HumanDuration(90'000) == "1 min 30 s");
  CHECK(HumanDuration(250) == "250 ms");
  CHECK(HumanDuration(86'400'000 + 3'600'000) == "1 d 1 h");
}
