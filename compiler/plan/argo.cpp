#include "compiler/plan/argo.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/plan/step_time.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kPlanPath = "/sparkc/plan.json";

// Argo names tasks and templates with letters, digits and `-` (starting
// with a letter or digit), at most 128 characters. Step ids keep their own
// spelling in the task's parameters. Every name is taken once: the name of
// a step, of a fan-out's DAG and of a gate's approval never coincide, and a
// name two ids would share gets a number.
class Names {
 public:
  std::string For(const std::string& id) { return Named("step\n" + id, Clean(id)); }
  std::string FanOut(const std::string& id) { return Named("fan-out\n" + id, "fanout-" + Clean(id)); }
  std::string Approval(const std::string& id) { return Named("approval\n" + id, Clean(id) + "-approval"); }

  // An id as letters, digits and single `-`s, lower case.
  static std::string Clean(const std::string& id) {
    std::string name;
    for (char c : id) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
      char out = ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
      if (out == '-' && (name.empty() || name.back() == '-')) continue;
      name += out;
    }
    while (!name.empty() && name.back() == '-') name.pop_back();
    return name.empty() ? "step" : name;
  }

 private:
  std::string Named(const std::string& key, std::string name) {
    if (auto it = given_.find(key); it != given_.end()) return it->second;
    // Room for a number and for Argo's own suffixes on pods.
    constexpr size_t kLongest = 100;
    if (name.size() > kLongest) name.resize(kLongest);
    while (name.back() == '-') name.pop_back();
    std::string unique = name;
    for (int k = 2; taken_.contains(unique); ++k) unique = fmt::format("{}-{}", name, k);
    taken_.insert(unique);
    return given_[key] = unique;
  }

  std::map<std::string, std::string> given_;
  std::set<std::string> taken_ = {"begin", "plan", "step", "step-untimed", "approval", "finish"};
};

Json Parameter(const std::string& name, const std::string& value) { return Json{{"name", name}, {"value", value}}; }

Json Env(const ArgoOptions& options) {
  Json env = Json::array({Parameter("SPARKC_STATE", "{{workflow.parameters.state}}")});
  if (!options.password_secret.empty()) {
    size_t slash = options.password_secret.find('/');
    env.push_back({{"name", "PGPASSWORD"},
                   {"valueFrom", {{"secretKeyRef", {{"name", options.password_secret.substr(0, slash)},
                                                    {"key", options.password_secret.substr(slash + 1)}}}}}});
  }
  return env;
}

// Argo reads `{{` anywhere in a template, a raw artifact's data included,
// as a variable, and fails on one it cannot resolve; a plan has them (a
// step's output read at run time, a Go template in a shell command). In the
// plan's JSON every `{` inside a string is written `\u007b`: the same
// plan to a JSON reader, and no `{{` left (two structural braces never
// meet: an object's first member is a string).
std::string WithoutDoubleBraces(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string && c == '{') {
      out += "\\u007b";
      continue;
    }
    out += c;
    if (escaped) escaped = false;
    else if (in_string && c == '\\') escaped = true;
    else if (c == '"') in_string = !in_string;
  }
  return out;
}

// The plan travels inside the Workflow, as a raw artifact each sparkc
// container finds at kPlanPath: what runs is what was exported.
Json PlanArtifact(const Plan& plan) {
  return Json::array(
      {{{"name", "plan"}, {"path", kPlanPath}, {"raw", {{"data", WithoutDoubleBraces(ToJson(plan).dump())}}}}});
}

// `main` is the name Argo gives a template's container when none is given;
// Kubernetes' own schema requires one.
Json Container(const ArgoOptions& options, Json command) {
  return {{"name", "main"},
          {"image", "{{workflow.parameters.image}}"},
          {"command", std::move(command)},
          {"env", Env(options)}};
}

// Seconds Argo may give one step: every attempt's timeout and the backoffs
// (the hard bound the plan's proofs use), plus a minute for sparkc itself.
// 0: no deadline.
int64_t DeadlineSeconds(const Step& step) {
  StepTime t = ForwardTime(step, Basis::Timeout);
  if (!t.bounded() || step.timeout_ms <= 0) return 0;
  return (t.ms + 999) / 1000 + 60;
}

// Argo reads `{{...}}` as its variables, Kubernetes `$(...)` in a
// container's arguments as its environment's.
bool ExpandedByArgo(const std::string& text) {
  return text.find("{{") != std::string::npos || text.find("}}") != std::string::npos ||
         text.find("$(") != std::string::npos;
}

bool WaitsForPerson(const Step& step) { return step.gate || step.action.kind == Action::Kind::Manual; }

}  // namespace

std::string ArgoPlanProblem(const Plan& plan) {
  for (const Step& step : plan.steps)
    if (ExpandedByArgo(step.id))
      return fmt::format("{}step `{}`: Argo would read `{{{{`, `}}}}` or `$(` in its id as a variable; "
                         "give the instance another key",
                         step.source.empty() ? "" : step.source + ": ", step.id);
  return "";
}

std::string ArgoOptionsProblem(const ArgoOptions& options) {
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"--image", options.image},
                                    {"--state", options.state},
                                    {"--password-secret", options.password_secret}})
    if (ExpandedByArgo(value))
      return fmt::format("{} holds `{{{{`, `}}}}` or `$(`, which Argo or Kubernetes would expand", name);
  return "";
}

std::string EmitArgoWorkflow(const Plan& plan, const ArgoOptions& options) {
  Names names;
  std::map<std::string, const FanOut*> fanout_of;
  for (const FanOut& f : plan.fanouts)
    for (const std::string& id : f.instances) fanout_of[id] = &f;
  // A task's name in the DAG it is in: a fan-out's instances are in their
  // own DAG (for its `parallelism`), which the main DAG sees as one task.
  auto outer = [&](const std::string& id) {
    auto it = fanout_of.find(id);
    return it == fanout_of.end() ? names.For(id) : names.FanOut(it->second->id);
  };

  // A step's task; one that waits for a person gets a suspend before it,
  // where a person decides (`argo resume`), and passes only on an approval
  // journaled by `sparkc approve`.
  std::set<std::string> used_templates;
  auto add_step = [&](Json& tasks, const Step& step, const std::string& run, Json dependencies) {
    if (WaitsForPerson(step)) {
      std::string approval = names.Approval(step.id);
      tasks.push_back({{"name", approval}, {"template", "approval"}, {"dependencies", std::move(dependencies)}});
      dependencies = Json::array({approval});
    }
    int64_t deadline = DeadlineSeconds(step);
    Json args = Json::array({Parameter("step", step.id), Parameter("run", run),
                             Parameter("retries", std::to_string(step.retries))});
    if (deadline > 0) args.push_back(Parameter("deadline", std::to_string(deadline)));
    std::string step_template = deadline > 0 ? "step" : "step-untimed";
    used_templates.insert(step_template);
    tasks.push_back({{"name", names.For(step.id)},
                     {"template", step_template},
                     {"dependencies", std::move(dependencies)},
                     {"arguments", {{"parameters", std::move(args)}}}});
  };

  Json main_tasks = Json::array({{{"name", "begin"}, {"template", "begin"}}});
  std::map<std::string, Json> fanout_tasks;   // by fan-out id: the tasks of its DAG
  std::map<std::string, std::set<std::string>> fanout_after;  // what the fan-out waits for
  const std::string run_here = "{{tasks.begin.outputs.parameters.run}}";
  for (const Step& step : plan.steps) {
    auto f = fanout_of.find(step.id);
    if (f != fanout_of.end()) {
      Json inner = Json::array();
      for (const std::string& before : step.after)
        if (fanout_of.contains(before) && fanout_of.at(before) == f->second) inner.push_back(names.For(before));
        else fanout_after[f->second->id].insert(outer(before));
      Json& tasks = fanout_tasks.try_emplace(f->second->id, Json::array()).first->second;
      add_step(tasks, step, "{{inputs.parameters.run}}", std::move(inner));
      continue;
    }
    Json dependencies = Json::array({"begin"});
    std::set<std::string> seen;
    for (const std::string& before : step.after)
      if (seen.insert(outer(before)).second) dependencies.push_back(outer(before));
    add_step(main_tasks, step, run_here, std::move(dependencies));
  }
  Json templates = Json::array();
  for (const FanOut& f : plan.fanouts) {
    auto tasks = fanout_tasks.find(f.id);
    if (tasks == fanout_tasks.end()) continue;
    Json dependencies = Json::array({"begin"});
    for (const std::string& name : fanout_after[f.id]) dependencies.push_back(name);
    main_tasks.push_back({{"name", names.FanOut(f.id)}, {"template", names.FanOut(f.id)},
                          {"dependencies", std::move(dependencies)},
                          {"arguments", {{"parameters", Json::array({Parameter("run", run_here)})}}}});
    Json dag = {{"name", names.FanOut(f.id)},
                {"inputs", {{"parameters", Json::array({{{"name", "run"}}})}}}};
    if (f.concurrency > 0) dag["parallelism"] = f.concurrency;
    dag["dag"] = {{"tasks", std::move(tasks->second)}};
    templates.push_back(std::move(dag));
  }
  templates.insert(templates.begin(), Json{{"name", "plan"}, {"dag", {{"tasks", std::move(main_tasks)}}}});
  templates.push_back(
      {{"name", "begin"},
       {"inputs", {{"artifacts", PlanArtifact(plan)}}},
       {"outputs", {{"parameters", Json::array({{{"name", "run"}, {"globalName", "sparkc-run"},
                                                  {"valueFrom", {{"path", "/tmp/sparkc-run"}}}}})}}},
       {"container", Container(options, Json::array({"sh", "-c",
                                                     fmt::format("sparkc step begin {} --state \"$SPARKC_STATE\" "
                                                                 "> /tmp/sparkc-run", kPlanPath)}))}});
  // A step with a timeout gets a deadline; Kubernetes has no "none" for
  // one (0 is refused), so a step without gets a template without.
  for (bool timed : {true, false}) {
    Json parameters = Json::array({{{"name", "step"}}, {{"name", "run"}}, {{"name", "retries"}}});
    if (timed) parameters.push_back({{"name", "deadline"}});
    Json t = {{"name", timed ? "step" : "step-untimed"},
              {"inputs", {{"parameters", std::move(parameters)}, {"artifacts", PlanArtifact(plan)}}},
              // sparkc retries a failed attempt itself; Argo re-runs a pod the
              // infrastructure lost, and `step do` settles what it left.
              {"retryStrategy", {{"limit", "{{inputs.parameters.retries}}"}, {"retryPolicy", "OnError"}}}};
    if (timed) t["activeDeadlineSeconds"] = "{{inputs.parameters.deadline}}";
    t["container"] = Container(options, Json::array({"sparkc", "step", "do", kPlanPath, "{{inputs.parameters.step}}",
                                                     "--state", "$(SPARKC_STATE)", "--run",
                                                     "{{inputs.parameters.run}}"}));
    if (used_templates.contains(t["name"].get<std::string>())) templates.push_back(std::move(t));
  }
  templates.push_back({{"name", "approval"}, {"suspend", Json::object()}});
  // The exit handler concludes the run: succeeded, or rolled back when a
  // step failed (`sparkc step finish`).
  templates.push_back(
      {{"name", "finish"},
       {"inputs", {{"artifacts", PlanArtifact(plan)}}},
       {"container", Container(options, Json::array({"sparkc", "step", "finish", kPlanPath, "--state",
                                                     "$(SPARKC_STATE)", "--run",
                                                     "{{workflow.outputs.parameters.sparkc-run}}"}))}});

  // Kubernetes adds 5 characters to a generateName, and a Workflow's name
  // has at most 63.
  std::string prefix = "sparkc-" + Names::Clean(plan.module.empty() ? "plan" : plan.module);
  if (prefix.size() > 57) prefix.resize(57);
  while (prefix.back() == '-') prefix.pop_back();
  Json spec = {{"entrypoint", "plan"}, {"onExit", "finish"}, {"parallelism", plan.parallelism},
               {"arguments", {{"parameters", Json::array({Parameter("image", options.image),
                                                          Parameter("state", options.state)})}}},
               {"templates", std::move(templates)}};
  Json workflow = {{"apiVersion", "argoproj.io/v1alpha1"},
                   {"kind", "Workflow"},
                   {"metadata", {{"generateName", prefix + "-"},
                                 {"annotations", {{"sparkc/plan-digest", plan.digest}}}}},
                   {"spec", std::move(spec)}};
  return "# Generated by sparkc " + plan.compiler + " from plan " + plan.digest +
         ". Validated, not executed: docs/engines.md.\n" + EmitYamlDocument(workflow);
}

}  // namespace sparkc::plan
