#include <catch2/catch.hpp>

#include <random>

#include "compiler/plan/plan.h"
#include "compiler/plan/time_bounds.h"

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
  t.timeout_ms = 60'000;
  t.action.kind = Action::Kind::Sequence;
  t.action.sequence.resize(2);
  t.action.sequence[1].kind = Action::Kind::Wait;
  t.action.sequence[1].wait_ms = 60'000;
  t.undo.kind = Undo::Kind::Action;
  t.undo.action.kind = Action::Kind::Manual;
  t.undo.action.instruction = "undo by hand";
  t.slurm.partition = "gpu";
  t.slurm.gres = "gpu:h100:2";
  t.slurm.nodelist = "node[1-4]";
  t.slurm.mem_bytes = int64_t{1} << 30;
  p.steps.push_back(t);
  ComputeTimeBounds(p);
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
  TextPosition at;
  CHECK(LoadPlan("[unclosed", loaded, error, &at) == LoadStatus::Invalid);
  CHECK(at.line >= 1);
  CHECK(LoadPlan("{\"version\": 2}", loaded, error) == LoadStatus::Invalid);
  CHECK(error == "`plan.sparkc` is missing");
  // Aliases must not expand without bound.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'z'; ++c, ++prev)
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  CHECK(LoadPlan(bomb, loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("aliases") != std::string::npos);
  at = {};
  CHECK(LoadPlan("a: b: c\n", loaded, error, &at) == LoadStatus::Invalid);
  CHECK(error.rfind("malformed YAML: ", 0) == 0);
  CHECK((at.line == 1 && at.column == 5));
  CHECK(LoadPlan("? [a]\n: b\n", loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("a key must be a plain name") != std::string::npos);
  // Found by the plan fuzzer: a timeout in seconds overflowed in milliseconds.
  std::string json = EmitJson(Sample());
  size_t timeout = json.find("\"timeout\": ");
  REQUIRE(timeout != std::string::npos);
  json.replace(timeout, json.find(',', timeout) - timeout, "\"timeout\": 9223372036854776");
  CHECK(LoadPlan(json, loaded, error) == LoadStatus::Invalid);
  CHECK(error.find("timeout` is out of range") != std::string::npos);
}

// The text of `plan` with the first `from` replaced by `to`.
std::string Edited(const std::string& text, const std::string& from, const std::string& to) {
  std::string out = text;
  size_t at = out.find(from);
  REQUIRE(at != std::string::npos);
  return out.replace(at, from.size(), to);
}

// Where `needle` starts in `text`, 1-based.
TextPosition PositionOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  REQUIRE(at != std::string::npos);
  TextPosition p{1, 1};
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') p = {p.line + 1, 1};
    else ++p.column;
  }
  return p;
}

TEST_CASE("the plan loader is strict: what a reviewer reads is what runs") {
  Plan loaded;
  std::string error;
  TextPosition at;
  std::string yaml = EmitYaml(Sample());
  std::string json = EmitJson(Sample());
  REQUIRE(LoadPlan(yaml, loaded, error) == LoadStatus::Ok);
  SECTION("a key twice in YAML: the first would show, the last would run") {
    std::string text = Edited(yaml, "    do:\n", "    do:\n      exec: [echo, harmless]\n");
    REQUIRE(LoadPlan(text, loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("the key `exec` appears twice") != std::string::npos);
    CHECK(at.line == PositionOf(text, "      exec: [echo, harmless]\n").line + 1);
    CHECK(at.column == 7);
  }
  SECTION("a key twice in JSON") {
    std::string text = Edited(json, "\"module\": ", "\"module\": \"x\", \"module\": ");
    REQUIRE(LoadPlan(text, loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("the key `module` appears twice") != std::string::npos);
    TextPosition where = PositionOf(text, "\"module\": \"x\"");
    CHECK(at.line == where.line);
    CHECK(at.column == where.column + 15);
  }
  SECTION("a key no plan has") {
    std::string text = Edited(yaml, "    retries: ", "    retires: 3\n    retries: ");
    REQUIRE(LoadPlan(text, loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("retires` is not part of a plan") != std::string::npos);
    CHECK(at.line == PositionOf(text, "retires").line);
    std::string text2 = Edited(json, "\"module\": ", "\"comment\": \"x\", \"module\": ");
    REQUIRE(LoadPlan(text2, loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("`plan.comment` is not part of a plan") != std::string::npos);
    CHECK(at.line == PositionOf(text2, "\"comment\"").line);
  }
  SECTION("a second YAML document") {
    REQUIRE(LoadPlan(yaml + "---\nversion: 1\n", loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("a second one starts here") != std::string::npos);
    CHECK(at.line > 10);
  }
  SECTION("JSON nested past the YAML limit") {
    std::string deep = "{\"version\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    REQUIRE(LoadPlan(deep, loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("nested too deeply") != std::string::npos);
    CHECK(at.line == 1);
  }
  SECTION("a number JSON cannot hold (found by the JSON plan fuzzer)") {
    REQUIRE(LoadPlan("{\"version\": 5e5555555}", loaded, error, &at) == LoadStatus::Invalid);
    CHECK(error.find("malformed JSON: number overflow") != std::string::npos);
    CHECK((at.line == 1 && at.column > 10));
  }
  SECTION("a Slurm option the compiler would refuse, or none it knows") {
    std::string text = Edited(json, "\"gpu:h100:2\"", "\"gpu:1 --wrap=id\"");
    REQUIRE(LoadPlan(text, loaded, error) == LoadStatus::Invalid);
    CHECK(error.find("`plan.steps[1].slurm.gres`: `gres` holds a blank") != std::string::npos);
    text = Edited(json, "\"gres\": ", "\"wrap\": \"id\", \"gres\": ");
    REQUIRE(LoadPlan(text, loaded, error) == LoadStatus::Invalid);
    CHECK(error.find("slurm.wrap` is not part of a plan") != std::string::npos);
    text = Edited(json, "\"mem\": 1073741824", "\"mem\": -1");
    REQUIRE(LoadPlan(text, loaded, error) == LoadStatus::Invalid);
    CHECK(error.find("slurm.mem` must be positive") != std::string::npos);
  }
  SECTION("two actions in one") {
    std::string text = Edited(json, "\"exec\": ", "\"shell\": \"rm -rf /\", \"exec\": ");
    REQUIRE(LoadPlan(text, loaded, error) == LoadStatus::Invalid);
    CHECK(error.find("names more than one action") != std::string::npos);
  }
}

TEST_CASE("the plan loader validates the structure the runtime relies on") {
  Plan base = Sample();
  REQUIRE(base.steps.size() >= 2);
  Plan loaded;
  std::string error;
  auto invalid = [&](Plan p) {
    p.digest = ComputeDigest(p);
    return LoadPlan(EmitJson(p), loaded, error) == LoadStatus::Invalid;
  };
  Plan dup = base;
  dup.steps[1].id = dup.steps[0].id;
  CHECK(invalid(dup));
  CHECK(error.find("step ids are unique") != std::string::npos);
  Plan unknown = base;
  unknown.steps[1].after = {"nowhere"};
  CHECK(invalid(unknown));
  CHECK(error.find("`nowhere`, which is no step of the plan") != std::string::npos);
  Plan cycle = base;
  cycle.steps[0].after = {cycle.steps[1].id};
  CHECK(invalid(cycle));
  CHECK(error.find("comes later in the plan") != std::string::npos);
  for (int64_t retries : {int64_t{-1}, int64_t{INT64_MAX}, int64_t{101}}) {
    Plan r = base;
    r.steps[0].retries = retries;
    CHECK(invalid(r));
    CHECK(error.find("retries` is") != std::string::npos);
  }
  Plan negative = base;
  negative.steps[0].timeout_ms = -1000;
  CHECK(invalid(negative));
}

TEST_CASE("a plan whose time bounds its steps do not give is refused, digest or not") {
  Plan base = Sample();
  Plan loaded;
  std::string error;
  auto load = [&](Plan p) {
    p.digest = ComputeDigest(p);
    return LoadPlan(EmitYaml(p), loaded, error);
  };
  REQUIRE(load(base) == LoadStatus::Ok);
  Plan tighter = base;  // a plan edited to promise a shorter run than its steps can keep
  tighter.forward.estimate.total_ms -= 1;
  CHECK(load(tighter) == LoadStatus::Invalid);
  CHECK(error.find("`plan.time.forward.estimate` does not follow from the plan's steps") != std::string::npos);
  Plan wider = base;  // more parallelism than the bounds were proven for
  wider.parallelism = 8;
  wider.steps[1].after.clear();
  CHECK(load(wider) == LoadStatus::Invalid);
  Plan rollback = base;
  rollback.rollback.hard.total_ms = kUnbounded;
  rollback.rollback.hard.unbounded = "edited";
  CHECK(load(rollback) == LoadStatus::Invalid);
  CHECK(error.find("plan.time.rollback.hard") != std::string::npos);
  Plan old = base;
  old.parallelism = 0;
  CHECK(load(old) == LoadStatus::Invalid);
  CHECK(error.find("`plan.time.parallelism` is 0") != std::string::npos);
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

// Strings YAML could misread: indicators, reserved words, numbers, line
// breaks YAML has besides \n (NEL, LS, PS), C0/C1 controls, the BOM.
static const std::vector<std::string> kAwkward = {
    "", " ", " lead", "trail ", "a: b", "a:", ":", "#x", "a #b", "- x", "-", "[a]", "{a}", "*a", "&a",
    "!a", "%a", "@a", "`a", "|", ">", "'", "\"", "\\", "? x", "~", "null", "Null", "true", "yes", "off",
    "0", "-1", "1.5", "1e5", ".5", "0x1F", ".inf", ".nan", ".Inf", ".NaN", "-.INF", "On", "NO", "Y", "OFF", "nULL", "y", "\n", "a\nb", "\r\n", "\t", "a\x01b", "\x7f",
    "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf", "\xc2\x80", "\xc2\x9f", "\xc2\xa0",
    "\xef\xbf\xbe", "\xef\xbf\xbf", "\xf0\x9f\x9a\x80", "https://x:8080/a?b=c&d", "a, b", "a]", "a}"};

static Plan WithStrings(const std::vector<std::string>& strings) {
  Plan p = Sample();
  Step& s = p.steps[0];
  s.action.argv = strings;
  s.action.env.clear();
  for (size_t i = 0; i < strings.size(); ++i) s.action.env.emplace_back(strings[i] + std::to_string(i), strings[i]);
  s.description = strings.empty() ? "" : strings.back();
  p.phases[0].title = strings.empty() ? "" : strings.front();
  p.digest = ComputeDigest(p);
  return p;
}

TEST_CASE("every string survives the YAML plan as it was") {
  for (const std::string& text : kAwkward) {
    CAPTURE(text);
    Plan p = WithStrings({text});
    Plan loaded;
    std::string error;
    std::string yaml = EmitYaml(p);
    INFO(yaml);
    REQUIRE(LoadPlan(yaml, loaded, error) == LoadStatus::Ok);  // the digest covers every string
    CHECK(loaded.steps == p.steps);
  }
  // Random mixtures of the awkward pieces and random code points.
  std::mt19937 random(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> strings;
    for (int n = random() % 6; n >= 0; --n) {
      std::string text;
      for (int k = random() % 5; k >= 0; --k) {
        if (random() % 2) {
          text += kAwkward[random() % kAwkward.size()];
        } else {
          uint32_t c = random() % 0x3000;
          if (c >= 0xD800 && c <= 0xDFFF) c = 'x';
          if (c < 0x80) text += static_cast<char>(c);
          else if (c < 0x800) text += {static_cast<char>(0xC0 | c >> 6), static_cast<char>(0x80 | (c & 0x3F))};
          else
            text += {static_cast<char>(0xE0 | c >> 12), static_cast<char>(0x80 | (c >> 6 & 0x3F)),
                     static_cast<char>(0x80 | (c & 0x3F))};
        }
      }
      std::erase(text, '\0');
      strings.push_back(text);
    }
    Plan p = WithStrings(strings);
    Plan loaded;
    std::string error;
    std::string yaml = EmitYaml(p);
    CAPTURE(yaml, error);
    REQUIRE(LoadPlan(yaml, loaded, error) == LoadStatus::Ok);
  }
}

TEST_CASE("human durations") {
  CHECK(HumanDuration(0) == "0 s");
  CHECK(HumanDuration(90'000) == "1 min 30 s");
  CHECK(HumanDuration(250) == "250 ms");
  CHECK(HumanDuration(86'400'000 + 3'600'000) == "1 d 1 h");
}
