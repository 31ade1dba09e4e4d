#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "compiler/plan/placement.h"
#include "compiler/plan/plan.h"
#include "compiler/plan/time_bounds.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

// An object with room for `keys` members. nlohmann's ordered map copies
// (not moves) its members when it grows, whole subtrees included.
Json Object(size_t keys) {
  Json j = Json::object();
  j.get_ref<Json::object_t&>().reserve(keys);
  return j;
}

Json Seconds(int64_t ms) {
  if (ms % 1000 == 0) return Json(ms / 1000);
  return Json(static_cast<double>(ms) / 1000.0);
}

Json ActionJson(const Action& a) {
  Json j = Object(6);
  switch (a.kind) {
    case Action::Kind::Noop: return Json("noop");
    case Action::Kind::Wait: j["wait"] = Seconds(a.wait_ms); return j;
    case Action::Kind::Manual: j["manual"] = a.instruction; return j;
    case Action::Kind::Sequence: {
      Json list = Json::array();
      for (const Action& item : a.sequence) list.push_back(ActionJson(item));
      j["sequence"] = std::move(list);
      return j;
    }
    case Action::Kind::Exec: j["exec"] = a.argv; break;
    case Action::Kind::Shell: j["shell"] = a.argv.empty() ? "" : a.argv[0]; break;
    case Action::Kind::Http: j["http"] = {a.method, a.url}; break;
  }
  bool http = a.kind == Action::Kind::Http;
  if (!a.env.empty() || !a.secret_env.empty()) {
    // One map, sorted by name, plain values and secret references mixed.
    std::vector<std::pair<std::string, Json>> vars;
    for (const auto& [name, value] : a.env) vars.emplace_back(name, Json(value));
    for (const auto& [name, ref] : a.secret_env) vars.emplace_back(name, Json{{"secret", ref}});
    std::sort(vars.begin(), vars.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    Json env = Object(vars.size());
    for (auto& [name, value] : vars) env[name] = std::move(value);
    j[http ? "headers" : "env"] = std::move(env);
  }
  if (!a.cwd.empty()) j["cwd"] = a.cwd;
  const char* input = http ? "body" : "stdin";
  if (!a.stdin_secret.empty()) j[input] = Json{{"secret", a.stdin_secret}};
  else if (a.has_stdin) j[input] = a.stdin_text;
  if (a.expect_status != 0) j["expect"] = a.expect_status;
  return j;
}

Json UndoJson(const Undo& u) {
  switch (u.kind) {
    case Undo::Kind::None: return Json("none");
    case Undo::Kind::Irreversible: return Json{{"irreversible", u.reason}};
    case Undo::Kind::Action: return ActionJson(u.action);
  }
  return {};
}

Json StepJson(const Step& s) {
  Json j = Object(21);
  j["id"] = s.id;
  if (s.gate) j["gate"] = Json{{"approvers", s.approvers}};
  if (!s.group.empty()) j["fan_out"] = s.group;
  if (!s.phase.empty()) j["phase"] = s.phase;
  if (!s.description.empty()) j["description"] = s.description;
  j["source"] = s.source;
  j["after"] = s.after;
  j["do"] = ActionJson(s.action);
  j["undo"] = UndoJson(s.undo);
  if (!s.check.empty()) j["check"] = s.check;
  j["timeout"] = Seconds(s.timeout_ms);
  j["retries"] = s.retries;
  j["estimate"] = Seconds(s.estimate_ms);
  j["undo_estimate"] = Seconds(s.undo_estimate_ms);
  // Only when set: the plans (and digests) of steps without it stay as they were.
  if (s.detach) j["detach"] = true;
  if (!s.verify) j["verify"] = false;
  if (!s.undo_after_failure) j["undo_after_failure"] = false;
  if (!s.undo_check.empty()) j["undo_check"] = s.undo_check;
  if (!s.outputs.empty()) {
    Json outputs = Object(s.outputs.size());
    for (const Output& o : s.outputs) {
      Json out = Json{{"type", o.type}, {"from", o.expr}};
      if (o.secret) out["secret"] = true;
      outputs[o.name] = std::move(out);
    }
    j["outputs"] = std::move(outputs);
  }
  if (!s.inputs.empty()) j["inputs"] = s.inputs;
  if (!s.slurm.empty()) j["slurm"] = PlacementToJson(s.slurm);
  return j;
}

Json BoundJson(const Bound& b) {
  if (b.total_ms == kUnbounded) return Json{{"total", nullptr}, {"unbounded", b.unbounded}};
  Json j = Json{{"total", Seconds(b.total_ms)}, {"steps", b.steps}, {"path", Seconds(b.path_ms)}};
  if (b.drain_ms > 0) j["drain"] = Seconds(b.drain_ms);
  j["limits"] = b.limits;
  return j;
}

Json BoundsJson(const Bounds& b) { return Json{{"estimate", BoundJson(b.estimate)}, {"hard", BoundJson(b.hard)}}; }

// Reading: every error names the JSON path it is about first, in
// backticks (PathOfError finds it there for the error's line and column).
struct Invalid {
  std::string message;
};

// A plan holds what ToJson writes and nothing else: a key the loader would
// ignore could show a reviewer something the runtime never reads.
void Only(const Json& obj, const std::string& path, std::initializer_list<std::string_view> keys) {
  if (!obj.is_object()) return;
  for (const auto& [key, value] : obj.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw Invalid{fmt::format("`{}.{}` is not part of a plan (expected one of: {})", path, key,
                                fmt::join(keys, ", "))};
}

const Json& Get(const Json& obj, const char* key, const std::string& path) {
  if (!obj.is_object()) throw Invalid{fmt::format("`{}` must be a mapping", path)};
  auto it = obj.find(key);
  if (it == obj.end()) throw Invalid{fmt::format("`{}.{}` is missing", path, key)};
  return *it;
}

std::string Str(const Json& j, const std::string& path) {
  if (!j.is_string()) throw Invalid{fmt::format("`{}` must be a string", path)};
  return j.get<std::string>();
}

std::string OptStr(const Json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  return it == obj.end() ? std::string() : Str(*it, path + "." + key);
}

int64_t Int(const Json& j, const std::string& path) {
  if (!j.is_number_integer()) throw Invalid{fmt::format("`{}` must be an integer", path)};
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    throw Invalid{fmt::format("`{}` is out of range", path)};
  return j.get<int64_t>();
}

int64_t Millis(const Json& j, const std::string& path) {
  if (!j.is_number()) throw Invalid{fmt::format("`{}` must be a number of seconds", path)};
  if (j.is_number_integer()) {
    // Found by the plan fuzzer: seconds * 1000 overflowed.
    int64_t seconds = Int(j, path);
    if (seconds > INT64_MAX / 1000 || seconds < INT64_MIN / 1000)
      throw Invalid{fmt::format("`{}` is out of range", path)};
    return seconds * 1000;
  }
  double seconds = j.get<double>();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9e12)
    throw Invalid{fmt::format("`{}` is out of range", path)};
  return std::llround(seconds * 1000.0);
}

std::vector<std::string> StrList(const Json& j, const std::string& path) {
  if (!j.is_array()) throw Invalid{fmt::format("`{}` must be a list", path)};
  std::vector<std::string> out;
  for (size_t i = 0; i < j.size(); ++i) out.push_back(Str(j[i], fmt::format("{}[{}]", path, i)));
  return out;
}

Action ReadAction(const Json& j, const std::string& path) {
  Action a;
  if (j.is_string() && j.get<std::string>() == "noop") return a;
  if (!j.is_object()) throw Invalid{fmt::format("`{}` must be an action", path)};
  static constexpr const char* kKinds[] = {"exec", "shell", "http", "wait", "manual", "sequence"};
  if (std::count_if(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return j.contains(k); }) > 1)
    throw Invalid{fmt::format("`{}` names more than one action; an action is one of: exec, shell, http, wait, "
                              "manual, sequence", path)};
  if (j.contains("wait") || j.contains("manual") || j.contains("sequence"))
    Only(j, path, {"wait", "manual", "sequence"});
  else if (j.contains("http"))
    Only(j, path, {"http", "headers", "cwd", "body", "expect"});
  else
    Only(j, path, {"exec", "shell", "env", "cwd", "stdin"});
  if (j.contains("exec")) {
    a.kind = Action::Kind::Exec;
    a.argv = StrList(j["exec"], path + ".exec");
    if (a.argv.empty()) throw Invalid{fmt::format("`{}.exec` is empty", path)};
  } else if (j.contains("shell")) {
    a.kind = Action::Kind::Shell;
    a.argv = {Str(j["shell"], path + ".shell")};
  } else if (j.contains("http")) {
    a.kind = Action::Kind::Http;
    std::vector<std::string> request = StrList(j["http"], path + ".http");
    if (request.size() != 2) throw Invalid{fmt::format("`{}.http` must be [METHOD, URL]", path)};
    a.method = request[0];
    a.url = request[1];
  } else if (j.contains("wait")) {
    a.kind = Action::Kind::Wait;
    a.wait_ms = Millis(j["wait"], path + ".wait");
    if (a.wait_ms < 0) throw Invalid{fmt::format("`{}.wait` must not be negative", path)};
    return a;
  } else if (j.contains("manual")) {
    a.kind = Action::Kind::Manual;
    a.instruction = Str(j["manual"], path + ".manual");
    return a;
  } else if (j.contains("sequence")) {
    a.kind = Action::Kind::Sequence;
    const Json& list = j["sequence"];
    if (!list.is_array()) throw Invalid{fmt::format("`{}.sequence` must be a list", path)};
    for (size_t i = 0; i < list.size(); ++i)
      a.sequence.push_back(ReadAction(list[i], fmt::format("{}.sequence[{}]", path, i)));
    return a;
  } else {
    throw Invalid{fmt::format("`{}` is not an action", path)};
  }
  bool http = a.kind == Action::Kind::Http;
  std::string vars = http ? "headers" : "env";
  if (auto it = j.find(vars); it != j.end()) {
    if (!it->is_object()) throw Invalid{fmt::format("`{}.{}` must be a mapping", path, vars)};
    for (auto& [name, value] : it->items()) {
      std::string at = fmt::format("{}.{}.{}", path, vars, name);
      if (value.is_object()) {
        Only(value, at, {"secret"});
        a.secret_env.emplace_back(name, Str(Get(value, "secret", at), at + ".secret"));
      }
      else a.env.emplace_back(name, Str(value, at));
    }
  }
  a.cwd = OptStr(j, "cwd", path);
  std::string input = path + (http ? ".body" : ".stdin");
  if (auto it = j.find(http ? "body" : "stdin"); it != j.end()) {
    a.has_stdin = true;
    if (it->is_object()) {
      Only(*it, input, {"secret"});
      a.stdin_secret = Str(Get(*it, "secret", input), input + ".secret");
    }
    else a.stdin_text = Str(*it, input);
  }
  if (auto it = j.find("expect"); it != j.end()) {
    if (!it->is_number_integer() || *it < 100 || *it > 599)
      throw Invalid{fmt::format("`{}.expect` must be an HTTP status code", path)};
    a.expect_status = it->get<int64_t>();
  }
  return a;
}

Undo ReadUndo(const Json& j, const std::string& path) {
  Undo u;
  if (j.is_string() && j.get<std::string>() == "none") return u;
  if (j.is_object() && j.contains("irreversible")) {
    Only(j, path, {"irreversible"});
    u.kind = Undo::Kind::Irreversible;
    u.reason = Str(j["irreversible"], path + ".irreversible");
    return u;
  }
  u.kind = Undo::Kind::Action;
  u.action = ReadAction(j, path);
  return u;
}

Bound ReadBound(const Json& j, const std::string& path) {
  Bound b;
  if (Get(j, "total", path).is_null()) {
    Only(j, path, {"total", "unbounded"});
    b.total_ms = kUnbounded;
    b.unbounded = Str(Get(j, "unbounded", path), path + ".unbounded");
    return b;
  }
  Only(j, path, {"total", "steps", "path", "drain", "limits"});
  b.total_ms = Millis(Get(j, "total", path), path + ".total");
  b.steps = StrList(Get(j, "steps", path), path + ".steps");
  b.path_ms = Millis(Get(j, "path", path), path + ".path");
  if (j.contains("drain")) b.drain_ms = Millis(j["drain"], path + ".drain");
  b.limits = StrList(Get(j, "limits", path), path + ".limits");
  return b;
}

Bounds ReadBounds(const Json& j, const std::string& path) {
  Only(j, path, {"estimate", "hard"});
  return {ReadBound(Get(j, "estimate", path), path + ".estimate"), ReadBound(Get(j, "hard", path), path + ".hard")};
}

// Held to the compiler's rules: a hand-edited plan cannot hand sbatch what
// a spec could not.
Placement ReadPlacement(const Json& j, const std::string& path) {
  if (!j.is_object() || j.empty()) throw Invalid{fmt::format("`{}` must be a map of Slurm options", path)};
  Placement p;
  for (const auto& [key, value] : j.items()) {
    std::string at = path + "." + key;
    if (std::string* text = TextField(p, key)) {
      *text = Str(value, at);
      if (std::string problem = PlacementProblem(key, *text); !problem.empty())
        throw Invalid{fmt::format("`{}`: {}", at, problem)};
    } else if (int64_t* n = NumberField(p, key)) {
      *n = Int(value, at);
      if (*n <= 0) throw Invalid{fmt::format("`{}` must be positive", at)};
    } else {
      std::vector<std::string_view> names;
      for (const PlacementField& f : PlacementFields()) names.push_back(f.name);
      throw Invalid{fmt::format("`{}` is not part of a plan (expected one of: {})", at, fmt::join(names, ", "))};
    }
  }
  return p;
}

Step ReadStep(const Json& j, const std::string& path) {
  Step s;
  Only(j, path, {"id", "gate", "fan_out", "phase", "description", "source", "after", "do", "undo", "check",
                 "timeout", "retries", "estimate", "undo_estimate", "detach", "verify", "undo_check", "undo_after_failure",
                 "outputs", "inputs", "slurm"});
  s.id = Str(Get(j, "id", path), path + ".id");
  if (auto it = j.find("gate"); it != j.end()) {
    Only(*it, path + ".gate", {"approvers"});
    s.gate = true;
    s.approvers = StrList(Get(*it, "approvers", path + ".gate"), path + ".gate.approvers");
  }
  s.group = OptStr(j, "fan_out", path);
  s.phase = OptStr(j, "phase", path);
  s.description = OptStr(j, "description", path);
  s.source = Str(Get(j, "source", path), path + ".source");
  s.after = StrList(Get(j, "after", path), path + ".after");
  s.action = ReadAction(Get(j, "do", path), path + ".do");
  s.undo = ReadUndo(Get(j, "undo", path), path + ".undo");
  s.check = OptStr(j, "check", path);
  s.timeout_ms = Millis(Get(j, "timeout", path), path + ".timeout");
  s.retries = Int(Get(j, "retries", path), path + ".retries");
  s.estimate_ms = Millis(Get(j, "estimate", path), path + ".estimate");
  s.undo_estimate_ms = Millis(Get(j, "undo_estimate", path), path + ".undo_estimate");
  for (auto [key, field] : {std::pair{"detach", &s.detach}, std::pair{"verify", &s.verify},
                            std::pair{"undo_after_failure", &s.undo_after_failure}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_boolean()) throw Invalid{fmt::format("`{}.{}` must be true or false", path, key)};
    *field = it->get<bool>();
  }
  s.undo_check = OptStr(j, "undo_check", path);
  if (auto it = j.find("outputs"); it != j.end()) {
    if (!it->is_object()) throw Invalid{fmt::format("`{}.outputs` must be a map", path)};
    for (const auto& [name, out] : it->items()) {
      std::string at = path + ".outputs." + name;
      Only(out, at, {"type", "from", "secret"});
      Output o{name, Str(Get(out, "type", at), at + ".type"), Str(Get(out, "from", at), at + ".from"), false};
      if (auto secret = out.find("secret"); secret != out.end()) {
        if (!secret->is_boolean()) throw Invalid{fmt::format("`{}.secret` must be true or false", at)};
        o.secret = secret->get<bool>();
      }
      s.outputs.push_back(std::move(o));
    }
  }
  if (j.contains("inputs")) s.inputs = StrList(j["inputs"], path + ".inputs");
  if (j.contains("slurm")) s.slurm = ReadPlacement(j["slurm"], path + ".slurm");
  return s;
}

Invariant ReadInvariant(const Json& inv, const std::string& path) {
  Invariant out;
  Only(inv, path, {"id", "description", "source", "when", "check"});
  out.id = Str(Get(inv, "id", path), path + ".id");
  out.description = OptStr(inv, "description", path);
  out.source = Str(Get(inv, "source", path), path + ".source");
  std::string when = Str(Get(inv, "when", path), path + ".when");
  if (when != "runtime" && when != "proven")
    throw Invalid{fmt::format("`{}.when` must be `runtime` or `proven`", path)};
  out.runtime = when == "runtime";
  if (out.runtime) out.expr = Str(Get(inv, "check", path), path + ".check");
  return out;
}

// plan.KEY: a list, each item read by `read` with its path for errors.
template <typename T, typename F>
void ReadList(const Json& plan, const char* key, std::vector<T>& out, F&& read) {
  const Json& list = Get(plan, key, "plan");
  if (!list.is_array()) throw Invalid{fmt::format("`plan.{}` must be a list", key)};
  for (size_t i = 0; i < list.size(); ++i) {
    std::string at = fmt::format("plan.{}[{}]", key, i);
    if (!list[i].is_object()) throw Invalid{fmt::format("`{}` must be a mapping", at)};
    out.push_back(read(list[i], at));
  }
}

// What the runtime relies on, whatever the digest says (a digest only
// proves the plan is the one written, not that it was written by sparkc):
// ids unique, dependencies known and earlier in the plan (its order is
// topological, so this also rules out cycles), and numbers in range.

void Validate(const Plan& plan) {
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    std::string at = fmt::format("plan.steps[{}]", i);
    if (s.id.empty()) throw Invalid{fmt::format("`{}.id` is empty", at)};
    if (auto [it, fresh] = index.emplace(s.id, i); !fresh)
      throw Invalid{fmt::format("`{}.id` is `{}`, the id of plan.steps[{}] too; step ids are unique", at, s.id,
                                it->second)};
    for (size_t k = 0; k < s.after.size(); ++k) {
      auto dep = index.find(s.after[k]);
      if (dep != index.end()) continue;
      bool later = std::any_of(plan.steps.begin() + i, plan.steps.end(),
                               [&](const Step& other) { return other.id == s.after[k]; });
      throw Invalid{later ? fmt::format("`{}.after[{}]` is `{}`, a step that comes later in the plan: a plan lists "
                                        "steps in dependency order, so the dependencies form a cycle or the plan "
                                        "was reordered", at, k, s.after[k])
                          : fmt::format("`{}.after[{}]` is `{}`, which is no step of the plan", at, k, s.after[k])};
    }
    if (s.retries < 0 || s.retries > kMaxRetries)
      throw Invalid{fmt::format("`{}.retries` is {}; it must be from 0 to {}", at, s.retries, kMaxRetries)};
    for (auto [value, key] : {std::pair{s.timeout_ms, "timeout"}, std::pair{s.estimate_ms, "estimate"},
                              std::pair{s.undo_estimate_ms, "undo_estimate"}})
      if (value < 0) throw Invalid{fmt::format("`{}.{}` must not be negative", at, key)};
    // No timeout would leave the hard bound without one: the compiler never writes it.
    if (s.timeout_ms == 0) throw Invalid{fmt::format("`{}.timeout` is 0; it must be positive", at)};
  }
  auto known = [&](const std::string& id, const std::string& at) {
    if (!index.contains(id)) throw Invalid{fmt::format("`{}` is `{}`, which is no step of the plan", at, id)};
  };
  std::set<std::string_view> groups;
  for (size_t i = 0; i < plan.fanouts.size(); ++i) {
    const FanOut& f = plan.fanouts[i];
    std::string at = fmt::format("plan.fan_outs[{}]", i);
    if (f.concurrency < 0) throw Invalid{fmt::format("`{}.concurrency` must not be negative", at)};
    for (size_t k = 0; k < f.instances.size(); ++k) known(f.instances[k], fmt::format("{}.instances[{}]", at, k));
    groups.insert(f.id);
  }
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (!plan.steps[i].group.empty() && !groups.contains(plan.steps[i].group))
      throw Invalid{fmt::format("`plan.steps[{}].fan_out` is `{}`, which is no fan-out of the plan", i,
                                plan.steps[i].group)};
  for (size_t k = 0; k < plan.rollback_order.size(); ++k)
    known(plan.rollback_order[k], fmt::format("plan.rollback.order[{}]", k));
  if (plan.parallelism < 1 || plan.parallelism > kMaxParallelism)
    throw Invalid{fmt::format("`plan.time.parallelism` is {}; it must be from 1 to {}", plan.parallelism,
                              kMaxParallelism)};
  for (size_t k = 0; k < plan.points_of_no_return.size(); ++k)
    known(plan.points_of_no_return[k].step, fmt::format("plan.points_of_no_return[{}].step", k));
  // An input names an output some step declares, and that step runs first
  // (plan order is topological) or is the step itself.
  for (size_t i = 0; i < plan.steps.size(); ++i)
    for (size_t k = 0; k < plan.steps[i].inputs.size(); ++k) {
      const std::string& input = plan.steps[i].inputs[k];
      std::string at = fmt::format("plan.steps[{}].inputs[{}]", i, k);
      size_t dot = input.rfind('.');
      auto producer = dot == std::string::npos ? index.end() : index.find(input.substr(0, dot));
      if (producer == index.end() || producer->second > i)
        throw Invalid{fmt::format("`{}` is `{}`, which no earlier step of the plan makes", at, input)};
      const auto& outputs = plan.steps[producer->second].outputs;
      if (std::none_of(outputs.begin(), outputs.end(), [&](const Output& o) { return o.name == input.substr(dot + 1); }))
        throw Invalid{fmt::format("`{}` is `{}`, an output its step does not declare", at, input)};
    }
}

}  // namespace

Json ToJson(const Plan& plan, bool with_digest) {
  Json j = Object(16);
  j["version"] = kPlanVersion;
  j["sparkc"] = plan.compiler;
  j["module"] = plan.module;
  // Only when the spec has parameters: other plans and digests stay as they were.
  if (!plan.params.empty()) {
    Json params = Object(plan.params.size());
    for (const auto& [name, value] : plan.params) params[name] = value;
    j["params"] = std::move(params);
  }
  Json objective;
  objective["rto"] = plan.rto_ms < 0 ? Json() : Seconds(plan.rto_ms);
  objective["rpo"] = plan.rpo_ms < 0 ? Json() : Seconds(plan.rpo_ms);
  j["objective"] = std::move(objective);
  Json phases = Json::array();
  for (const Phase& p : plan.phases) phases.push_back(Json{{"id", p.id}, {"title", p.title}});
  j["phases"] = std::move(phases);
  Json steps = Json::array();
  for (const Step& s : plan.steps) steps.push_back(StepJson(s));
  j["steps"] = std::move(steps);
  Json fanouts = Json::array();
  for (const FanOut& f : plan.fanouts)
    fanouts.push_back(Json{{"id", f.id}, {"concurrency", f.concurrency}, {"instances", f.instances}});
  j["fan_outs"] = std::move(fanouts);
  auto conditions = [](const std::vector<Invariant>& list) {
    Json out = Json::array();
    for (const Invariant& inv : list) {
      Json i;
      i["id"] = inv.id;
      if (!inv.description.empty()) i["description"] = inv.description;
      i["source"] = inv.source;
      i["when"] = inv.runtime ? "runtime" : "proven";
      if (inv.runtime) i["check"] = inv.expr;
      out.push_back(std::move(i));
    }
    return out;
  };
  j["requires"] = conditions(plan.preconditions);
  j["invariants"] = conditions(plan.invariants);
  Json windows = Json::array();
  for (const Window& w : plan.windows)
    windows.push_back(Json{{"id", w.id}, {"from", w.from}, {"to", w.to}, {"max", Seconds(w.max_ms)},
                           {"bound", BoundsJson(w.bound)}});
  j["windows"] = std::move(windows);
  j["time"] = Json{{"contract", kTimeContract}, {"parallelism", plan.parallelism},
                   {"forward", BoundsJson(plan.forward)}, {"rollback", BoundsJson(plan.rollback)}};
  j["rollback"] = Json{{"order", plan.rollback_order}};
  Json points = Json::array();
  for (const PointOfNoReturn& p : plan.points_of_no_return)
    points.push_back(Json{{"step", p.step}, {"gate", p.gate}});
  j["points_of_no_return"] = std::move(points);
  if (with_digest) j["digest"] = plan.digest;
  return j;
}

bool TimeBoundsHold(const Plan& plan, std::string& error) {
  // The bounds a reviewer reads are the ones the steps give: a plan edited
  // to promise more than its steps can keep is refused, not believed.
  Plan recomputed = plan;
  ComputeTimeBounds(recomputed);
  auto same = [&](const Bounds& a, const Bounds& b, const std::string& at) {
    if (a == b) return true;
    bool estimate = a.estimate != b.estimate;
    const Bound& x = estimate ? a.estimate : a.hard;
    const Bound& y = estimate ? b.estimate : b.hard;
    error = fmt::format("`{}.{}` does not follow from the plan's steps: it states {}, they give {}{}; "
                        "re-plan the spec", at, estimate ? "estimate" : "hard", BoundText(x), BoundText(y),
                        x.total_ms == y.total_ms ? " (by another chain)" : "");
    return false;
  };
  if (!same(plan.forward, recomputed.forward, "plan.time.forward") ||
      !same(plan.rollback, recomputed.rollback, "plan.time.rollback"))
    return false;
  for (size_t w = 0; w < plan.windows.size(); ++w)
    if (!same(plan.windows[w].bound, recomputed.windows[w].bound, fmt::format("plan.windows[{}].bound", w)))
      return false;
  return true;
}

bool FromJson(const Json& j, Plan& plan, std::string& error) {
  plan = Plan{};
  try {
    int64_t version = Int(Get(j, "version", "plan"), "plan.version");
    Only(j, "plan", {"version", "sparkc", "module", "params", "objective", "phases", "steps", "fan_outs", "requires", "invariants",
                     "windows", "time", "rollback", "points_of_no_return", "digest"});
    if (version != kPlanVersion)
      throw Invalid{fmt::format("plan version {} is not supported (this sparkc reads version {})",
                                version, kPlanVersion)};
    plan.compiler = Str(Get(j, "sparkc", "plan"), "plan.sparkc");
    plan.module = Str(Get(j, "module", "plan"), "plan.module");
    if (auto it = j.find("params"); it != j.end()) {
      if (!it->is_object()) throw Invalid{"`plan.params` must be a map"};
      for (const auto& [name, value] : it->items())
        plan.params.emplace_back(name, Str(value, "plan.params." + name));
    }
    const Json& objective = Get(j, "objective", "plan");
    Only(objective, "plan.objective", {"rto", "rpo"});
    const Json& rto = Get(objective, "rto", "plan.objective");
    const Json& rpo = Get(objective, "rpo", "plan.objective");
    plan.rto_ms = rto.is_null() ? -1 : Millis(rto, "plan.objective.rto");
    plan.rpo_ms = rpo.is_null() ? -1 : Millis(rpo, "plan.objective.rpo");
    ReadList(j, "phases", plan.phases, [](const Json& p, const std::string& path) {
      Only(p, path, {"id", "title"});
      return Phase{Str(Get(p, "id", path), path + ".id"), Str(Get(p, "title", path), path + ".title")};
    });
    ReadList(j, "steps", plan.steps, ReadStep);
    ReadList(j, "fan_outs", plan.fanouts, [](const Json& f, const std::string& path) {
      Only(f, path, {"id", "concurrency", "instances"});
      return FanOut{Str(Get(f, "id", path), path + ".id"), Int(Get(f, "concurrency", path), path + ".concurrency"),
                    StrList(Get(f, "instances", path), path + ".instances")};
    });
    ReadList(j, "requires", plan.preconditions, ReadInvariant);
    ReadList(j, "invariants", plan.invariants, ReadInvariant);
    ReadList(j, "windows", plan.windows, [](const Json& w, const std::string& path) {
      Only(w, path, {"id", "from", "to", "max", "bound"});
      return Window{Str(Get(w, "id", path), path + ".id"), Str(Get(w, "from", path), path + ".from"),
                    Str(Get(w, "to", path), path + ".to"), Millis(Get(w, "max", path), path + ".max"),
                    ReadBounds(Get(w, "bound", path), path + ".bound")};
    });
    const Json& time = Get(j, "time", "plan");
    Only(time, "plan.time", {"contract", "parallelism", "forward", "rollback"});
    if (Str(Get(time, "contract", "plan.time"), "plan.time.contract") != kTimeContract)
      throw Invalid{"`plan.time.contract` is not the contract this sparkc proves; re-plan the spec"};
    plan.parallelism = Int(Get(time, "parallelism", "plan.time"), "plan.time.parallelism");
    plan.forward = ReadBounds(Get(time, "forward", "plan.time"), "plan.time.forward");
    plan.rollback = ReadBounds(Get(time, "rollback", "plan.time"), "plan.time.rollback");
    const Json& rollback = Get(j, "rollback", "plan");
    Only(rollback, "plan.rollback", {"order"});
    plan.rollback_order = StrList(Get(rollback, "order", "plan.rollback"), "plan.rollback.order");
    ReadList(j, "points_of_no_return", plan.points_of_no_return, [](const Json& p, const std::string& path) {
      Only(p, path, {"step", "gate"});
      return PointOfNoReturn{Str(Get(p, "step", path), path + ".step"), Str(Get(p, "gate", path), path + ".gate")};
    });
    plan.digest = Str(Get(j, "digest", "plan"), "plan.digest");
    Validate(plan);
    return true;
  } catch (const Invalid& invalid) {
    error = invalid.message;
    return false;
  }
}

std::string Sha256(std::string_view bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr);
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", hash[i]);
  return out;
}

std::string ComputeDigest(const Plan& plan) { return Sha256(ToJson(plan, false).dump()); }

std::string EmitJson(const Plan& plan) { return ToJson(plan).dump(2) + "\n"; }

std::string HumanDuration(int64_t ms) {
  static constexpr std::pair<int64_t, const char*> kUnits[] = {
      {86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}, {1, "ms"}};
  if (ms == 0) return "0 s";
  std::string out;
  uint64_t rest = ms < 0 ? -static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  for (const auto& [size, name] : kUnits) {
    if (rest < static_cast<uint64_t>(size)) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : " ", rest / size, name);
    rest %= size;
  }
  return ms < 0 ? "-" + out : out;
}

nlohmann::ordered_json ActionToJson(const Action& action) { return ActionJson(action); }
nlohmann::ordered_json UndoToJson(const Undo& undo) { return UndoJson(undo); }

}  // namespace sparkc::plan
