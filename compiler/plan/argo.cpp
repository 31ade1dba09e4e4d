#include "compiler/plan/argo.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/plan/step_time.h"

namespace sparkc::plan {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kPlanPath = "/sparkc/plan.json";

// Argo names tasks and templates like Kubernetes objects: letters, digits
// and `-`. Step ids keep their own spelling in the task's parameters; a
// name two ids would share gets a number.
class Names {
 public:
  std::string For(const std::string& id) {
    if (auto it = given_.find(id); it != given_.end()) return it->second;
    std::string name;
    for (char c : id) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0;
      char out = ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
      if (out == '-' && (name.empty() || name.back() == '-')) continue;
      name += out;
    }
    while (!name.empty() && name.back() == '-') name.pop_back();
    if (name.empty()) name = "step";
    std::string unique = name;
    for (int k = 2; taken_.contains(unique); ++k) unique = fmt::format("{}-{}", name, k);
    taken_.insert(unique);
    return given_[id] = unique;
  }

 private:
  std::map<std::string, std::string> given_;
  std::set<std::string> taken_ = {"begin", "plan", "step", "approval", "finish"};
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

// The plan travels inside the Workflow, as a raw artifact each sparkc
// container finds at kPlanPath: what runs is what was exported.
Json PlanArtifact(const Plan& plan) {
  return Json::array({{{"name", "plan"}, {"path", kPlanPath}, {"raw", {{"data", ToJson(plan).dump()}}}}});
}

Json Container(const ArgoOptions& options, Json command) {
  return {{"image", "{{workflow.parameters.image}}"}, {"command", std::move(command)}, {"env", Env(options)}};
}

// Seconds Argo may give one step: every attempt's timeout and the backoffs
// (the hard bound the plan's proofs use), plus a minute for sparkc itself.
// 0: no deadline.
int64_t DeadlineSeconds(const Step& step) {
  StepTime t = ForwardTime(step, Basis::Timeout);
  if (!t.bounded() || step.timeout_ms <= 0) return 0;
  return (t.ms + 999) / 1000 + 60;
}

bool WaitsForPerson(const Step& step) { return step.gate || step.action.kind == Action::Kind::Manual; }

}  // namespace

std::string EmitArgoWorkflow(const Plan& plan, const ArgoOptions& options) {
  Names names;
  std::map<std::string, const FanOut*> fanout_of;
  for (const FanOut& f : plan.fanouts)
    for (const std::string& id : f.instances) fanout_of[id] = &f;
  // A task's name in the DAG it is in: a fan-out's instances are in their
  // own DAG (for its `parallelism`), which the main DAG sees as one task.
  auto outer = [&](const std::string& id) {
    auto it = fanout_of.find(id);
    return it == fanout_of.end() ? names.For(id) : "fanout-" + names.For(it->second->id);
  };

  auto step_task = [&](const Step& step, const std::string& run, Json dependencies) {
    Json args = Json::array({Parameter("step", step.id), Parameter("run", run),
                             Parameter("retries", std::to_string(step.retries)),
                             Parameter("deadline", std::to_string(DeadlineSeconds(step)))});
    return Json{{"name", names.For(step.id)}, {"template", "step"}, {"dependencies", std::move(dependencies)},
                {"arguments", {{"parameters", std::move(args)}}}};
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
      fanout_tasks[f->second->id].push_back(step_task(step, "{{inputs.parameters.run}}", std::move(inner)));
      continue;
    }
    Json dependencies = Json::array({"begin"});
    std::set<std::string> seen;
    for (const std::string& before : step.after)
      if (seen.insert(outer(before)).second) dependencies.push_back(outer(before));
    if (WaitsForPerson(step)) {
      // The suspend is where a person decides (`argo resume`); the step
      // after it passes only on an approval journaled by `sparkc approve`.
      std::string approval = names.For(step.id) + "-approval";
      main_tasks.push_back({{"name", approval}, {"template", "approval"}, {"dependencies", dependencies}});
      dependencies = Json::array({approval});
    }
    main_tasks.push_back(step_task(step, run_here, std::move(dependencies)));
    // A fan-out's task comes where its first instance would.
  }
  Json templates = Json::array();
  for (const FanOut& f : plan.fanouts) {
    auto tasks = fanout_tasks.find(f.id);
    if (tasks == fanout_tasks.end()) continue;
    Json dependencies = Json::array({"begin"});
    for (const std::string& name : fanout_after[f.id]) dependencies.push_back(name);
    main_tasks.push_back({{"name", "fanout-" + names.For(f.id)}, {"template", "fanout-" + names.For(f.id)},
                          {"dependencies", std::move(dependencies)},
                          {"arguments", {{"parameters", Json::array({Parameter("run", run_here)})}}}});
    Json dag = {{"name", "fanout-" + names.For(f.id)},
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
  templates.push_back(
      {{"name", "step"},
       {"inputs", {{"parameters", Json::array({{{"name", "step"}}, {{"name", "run"}}, {{"name", "retries"}},
                                               {{"name", "deadline"}}})},
                   {"artifacts", PlanArtifact(plan)}}},
       // sparkc retries a failed attempt itself; Argo re-runs a pod the
       // infrastructure lost, and `step do` settles what it left.
       {"retryStrategy", {{"limit", "{{inputs.parameters.retries}}"}, {"retryPolicy", "OnError"}}},
       {"activeDeadlineSeconds", "{{inputs.parameters.deadline}}"},
       {"container", Container(options, Json::array({"sparkc", "step", "do", kPlanPath, "{{inputs.parameters.step}}",
                                                     "--state", "$(SPARKC_STATE)", "--run",
                                                     "{{inputs.parameters.run}}"}))}});
  templates.push_back({{"name", "approval"}, {"suspend", Json::object()}});
  // The exit handler concludes the run: succeeded, or rolled back when a
  // step failed (`sparkc step finish`).
  templates.push_back(
      {{"name", "finish"},
       {"inputs", {{"artifacts", PlanArtifact(plan)}}},
       {"container", Container(options, Json::array({"sparkc", "step", "finish", kPlanPath, "--state",
                                                     "$(SPARKC_STATE)", "--run",
                                                     "{{workflow.outputs.parameters.sparkc-run}}"}))}});

  std::string module = names.For(plan.module.empty() ? "plan" : plan.module);
  Json spec = {{"entrypoint", "plan"}, {"onExit", "finish"}, {"parallelism", plan.parallelism},
               {"arguments", {{"parameters", Json::array({Parameter("image", options.image),
                                                          Parameter("state", options.state)})}}},
               {"templates", std::move(templates)}};
  Json workflow = {{"apiVersion", "argoproj.io/v1alpha1"},
                   {"kind", "Workflow"},
                   {"metadata", {{"generateName", "sparkc-" + module + "-"},
                                 {"annotations", {{"sparkc/plan-digest", plan.digest}}}}},
                   {"spec", std::move(spec)}};
  return "# Generated by sparkc " + plan.compiler + " from plan " + plan.digest +
         ". Validated, not executed: docs/engines.md.\n" + EmitYamlDocument(workflow);
}

}  // namespace sparkc::plan
