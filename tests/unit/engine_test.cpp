// The pieces every engine stands on: a step's claim in the journal (one
// process at a time, never while an apply holds the store), and the Slurm
// jobs a plan is submitted as.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "compiler/compile/compile.h"
#include "compiler/plan/argo.h"
#include "runtime/apply/state_access.h"
#include "runtime/apply/step.h"
#include "runtime/engine/slurm.h"
#include "runtime/state/store.h"

using namespace sparkc;
using namespace sparkc::runtime;

namespace {

std::string FreshDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(name) + "." + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

plan::Step MakeStep(std::string id, std::vector<std::string> after = {}) {
  plan::Step step;
  step.id = std::move(id);
  step.after = std::move(after);
  step.action.kind = plan::Action::Kind::Shell;
  step.action.argv = {"true"};
  step.timeout_ms = 90'000;
  return step;
}

// prep -> roll[a], roll[b], roll[c] (concurrency 2) -> go (a gate) -> last
plan::Plan FanOutPlan() {
  plan::Plan p;
  p.steps.push_back(MakeStep("prep"));
  for (const char* n : {"roll[a]", "roll[b]", "roll[c]"}) {
    p.steps.push_back(MakeStep(n, {"prep"}));
    p.steps.back().group = "roll";
  }
  plan::Step go = MakeStep("go", {"roll[a]", "roll[b]", "roll[c]"});
  go.gate = true;
  go.timeout_ms = 0;
  p.steps.push_back(go);
  p.steps.push_back(MakeStep("last", {"go"}));
  p.steps.back().retries = 2;
  p.fanouts.push_back({"roll", 2, {"roll[a]", "roll[b]", "roll[c]"}});
  return p;
}

const SlurmJob& Job(const std::vector<SlurmJob>& jobs, const std::string& key) {
  auto it = std::find_if(jobs.begin(), jobs.end(), [&](const SlurmJob& j) { return j.key == key; });
  REQUIRE(it != jobs.end());
  return *it;
}

bool Has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

}  // namespace

TEST_CASE("a step's claim is one process's, and excludes a whole-store lock", "[engine]") {
  std::string dir = FreshDir("sparkc_claim");
  std::string holder, error;
  auto first = StoreLock::Claim(dir, 1, "a", holder, error);
  REQUIRE(first);
  CHECK(error.empty());
  CHECK_FALSE(StoreLock::Claim(dir, 1, "a", holder, error));
  CHECK(holder.find("pid ") == 0);
  CHECK(error.empty());
  // Another step, or the same step of another run, is another claim.
  auto other = StoreLock::Claim(dir, 1, "b", holder, error);
  CHECK(other);
  auto next_run = StoreLock::Claim(dir, 2, "a", holder, error);
  CHECK(next_run);
  // An apply or rollback cannot take the store while steps run ...
  CHECK_FALSE(StoreLock::Acquire(dir, holder, error));
  CHECK(holder == kStepClaimants);
  first.reset();
  other.reset();
  next_run.reset();
  // ... and takes it once they end; then no step can be claimed.
  auto whole = StoreLock::Acquire(dir, holder, error);
  REQUIRE(whole);
  CHECK_FALSE(StoreLock::Claim(dir, 1, "a", holder, error));
  whole.reset();
  CHECK(StoreLock::Claim(dir, 1, "a", holder, error));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a claim file planted as a symlink is refused, not written through", "[engine]") {
  std::string dir = FreshDir("sparkc_claim_link");
  std::string holder, error;
  { REQUIRE(StoreLock::Claim(dir, 1, "a", holder, error)); }
  std::filesystem::path claims = std::filesystem::path(dir) / "claims";
  auto file = std::filesystem::directory_iterator(claims)->path();
  std::filesystem::path target = std::filesystem::path(dir) / "target";
  { std::ofstream(target) << "keep"; }
  std::filesystem::remove(file);
  std::filesystem::create_symlink(target, file);
  CHECK_FALSE(StoreLock::Claim(dir, 1, "a", holder, error));
  CHECK(error.find("cannot open claim file") != std::string::npos);
  std::ifstream in(target);
  std::string kept;
  in >> kept;
  CHECK(kept == "keep");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a plan's Slurm jobs: a job a step, a fan-out an array, gates held, one finish job", "[engine]") {
  plan::Plan p = FanOutPlan();
  SlurmSubmission s{"/opt/sparkc", "/shared/run-7.plan.json", "/shared/out", 7};
  std::vector<SlurmJob> jobs = SlurmJobs(p, s, {});
  REQUIRE(jobs.size() == 5);  // prep, roll, go, last, finish
  CHECK(jobs.front().key == "prep");
  CHECK(jobs.back().key.empty());

  const SlurmJob& roll = Job(jobs, "roll");
  CHECK(roll.steps == std::vector<std::string>{"roll[a]", "roll[b]", "roll[c]"});
  CHECK(roll.after == std::vector<std::string>{"prep"});
  CHECK(Has(roll.args, "--array=0-2%2"));
  CHECK(Has(roll.args, "--kill-on-invalid-dep=yes"));
  CHECK(roll.script.find("set -- 'roll[a]' 'roll[b]' 'roll[c]'") != std::string::npos);
  CHECK(roll.script.find("shift \"$SLURM_ARRAY_TASK_ID\"") != std::string::npos);

  const SlurmJob& go = Job(jobs, "go");
  CHECK(go.held);
  CHECK(Has(go.args, "--hold"));
  CHECK(go.after == std::vector<std::string>{"roll"});
  CHECK(std::none_of(go.args.begin(), go.args.end(), [](const std::string& a) { return a.starts_with("--time"); }));

  // Three attempts of 90 s and the backoffs between them, rounded up to
  // minutes, and one for sparkc.
  const SlurmJob& last = Job(jobs, "last");
  CHECK_FALSE(last.held);
  CHECK(Has(last.args, "--time=6"));
  CHECK(last.script.find("/opt/sparkc step do /shared/run-7.plan.json \"$step\" --state \"$SPARKC_STATE\" --run 7") !=
        std::string::npos);
  // A failed step stops what has not started: the run's pending jobs.
  CHECK(last.script.find("scancel --state=PENDING --name=sparkc-r7") != std::string::npos);

  const SlurmJob& finish = jobs.back();
  CHECK(finish.after == std::vector<std::string>{"prep", "roll", "go", "last"});
  CHECK(Has(finish.args, "--job-name=sparkc-r7-finish"));
  CHECK(finish.script.find("step finish /shared/run-7.plan.json") != std::string::npos);

  // The state's location is in no script (a URL may carry a password).
  for (const SlurmJob& job : jobs) CHECK(job.script.find("postgres") == std::string::npos);
  // Deterministic.
  std::vector<SlurmJob> again = SlurmJobs(p, s, {});
  for (size_t i = 0; i < jobs.size(); ++i) {
    CHECK(again[i].args == jobs[i].args);
    CHECK(again[i].script == jobs[i].script);
  }
}

TEST_CASE("a step's `slurm` block places its job; a fan-out placed per instance is a job an instance",
          "[engine]") {
  plan::Plan p = FanOutPlan();
  p.parallelism = 8;
  p.steps[0].slurm.partition = "gpu";
  p.steps[0].slurm.gres = "gpu:h100:2";
  p.steps[0].slurm.cpus = 4;
  p.steps[0].slurm.mem_bytes = (int64_t{16} << 30) + 1;  // rounded up to MiB, sbatch's unit
  SlurmSubmission s{"/opt/sparkc", "/p.json", "/out", 1};
  std::vector<SlurmJob> jobs = SlurmJobs(p, s, {});
  const SlurmJob& prep = Job(jobs, "prep");
  CHECK(Has(prep.args, "--partition=gpu"));
  CHECK(Has(prep.args, "--gres=gpu:h100:2"));
  CHECK(Has(prep.args, "--cpus-per-task=4"));
  CHECK(Has(prep.args, "--mem=16385M"));
  CHECK(std::none_of(Job(jobs, "last").args.begin(), Job(jobs, "last").args.end(),
                     [](const std::string& a) { return a.starts_with("--partition"); }));
  // Alike: still one array, placed once.
  for (const char* id : {"roll[a]", "roll[b]", "roll[c]"})
    for (plan::Step& step : p.steps)
      if (step.id == id) step.slurm.constraint = "a100&ib";
  jobs = SlurmJobs(p, s, {});
  CHECK(Has(Job(jobs, "roll").args, "--constraint=a100&ib"));
  // Placed apart: a job an instance, and what came after the fan-out waits
  // for each of them.
  for (plan::Step& step : p.steps)
    if (step.group == "roll") step.slurm.nodelist = "node-" + step.id.substr(5, 1);
  jobs = SlurmJobs(p, s, {});
  REQUIRE(jobs.size() == 7);  // prep, three instances, go, last, finish
  const SlurmJob& b = Job(jobs, "roll[b]");
  CHECK(b.steps == std::vector<std::string>{"roll[b]"});
  CHECK(Has(b.args, "--nodelist=node-b"));
  CHECK(std::none_of(b.args.begin(), b.args.end(), [](const std::string& a) { return a.starts_with("--array"); }));
  CHECK(Job(jobs, "go").after == std::vector<std::string>{"roll[a]", "roll[b]", "roll[c]"});
}

TEST_CASE("a job that may wait for a slot is allowed the run's hard bound, not only its step's", "[engine]") {
  plan::Plan p = FanOutPlan();
  p.forward.hard.total_ms = 25 * 60'000;
  SlurmSubmission s{"/opt/sparkc", "/p.json", "/out", 1};
  // Parallelism 1 and six steps: a ready job may wait for the others.
  CHECK(Has(Job(SlurmJobs(p, s, {}), "last").args, "--time=26"));
  // Room for every step at once: a job waits for nothing.
  p.parallelism = 6;
  CHECK(Has(Job(SlurmJobs(p, s, {}), "last").args, "--time=6"));
  p.forward.hard.total_ms = plan::kUnbounded;
  p.parallelism = 1;
  const std::vector<std::string> args = Job(SlurmJobs(p, s, {}), "last").args;
  CHECK(std::none_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--time"); }));
}

TEST_CASE("a resumed run submits only what has not succeeded", "[engine]") {
  plan::Plan p = FanOutPlan();
  SlurmSubmission s{"/opt/sparkc", "/p.json", "/out", 3};
  std::vector<SlurmJob> jobs = SlurmJobs(p, s, {"prep", "roll[a]", "roll[b]", "roll[c]"});
  REQUIRE(jobs.size() == 3);  // go, last, finish
  CHECK(jobs[0].key == "go");
  CHECK(jobs[0].after.empty());
  CHECK(jobs[1].after == std::vector<std::string>{"go"});
}

TEST_CASE("the Argo export: a task a step, fan-outs under their parallelism, gates suspended, an exit handler",
          "[engine]") {
  plan::Plan p = FanOutPlan();
  p.module = "nova_spark";
  p.parallelism = 3;
  p.digest = "sha256:00";
  plan::ArgoOptions options{"registry/sparkc:1", "postgres://sparkc@db/sparkc", "sparkc-db/password"};
  std::string yaml = plan::EmitArgoWorkflow(p, options);
  YAML::Node w = YAML::Load(yaml);
  CHECK(w["kind"].as<std::string>() == "Workflow");
  CHECK(w["metadata"]["generateName"].as<std::string>() == "sparkc-nova-spark-");
  YAML::Node spec = w["spec"];
  CHECK(spec["onExit"].as<std::string>() == "finish");
  CHECK(spec["parallelism"].as<int>() == 3);
  std::map<std::string, YAML::Node> templates;
  for (const YAML::Node& t : spec["templates"]) templates[t["name"].as<std::string>()] = t;
  std::map<std::string, YAML::Node> tasks;
  for (const YAML::Node& t : templates.at("plan")["dag"]["tasks"]) tasks[t["name"].as<std::string>()] = t;
  auto deps = [](const YAML::Node& task) {
    std::vector<std::string> out;
    for (const YAML::Node& d : task["dependencies"]) out.push_back(d.as<std::string>());
    return out;
  };
  // Every step is a task: prep, go and last in the main DAG, roll[*] in the
  // fan-out's own, which runs two at once.
  CHECK(deps(tasks.at("prep")) == std::vector<std::string>{"begin"});
  CHECK(deps(tasks.at("fanout-roll")) == std::vector<std::string>{"begin", "prep"});
  CHECK(templates.at("fanout-roll")["parallelism"].as<int>() == 2);
  std::vector<std::string> instances;
  for (const YAML::Node& t : templates.at("fanout-roll")["dag"]["tasks"])
    instances.push_back(t["arguments"]["parameters"][0]["value"].as<std::string>());
  CHECK(instances == std::vector<std::string>{"roll[a]", "roll[b]", "roll[c]"});
  // A gate: a suspend first, then its step (which passes on a journaled approval).
  CHECK(deps(tasks.at("go-approval")) == std::vector<std::string>{"begin", "fanout-roll"});
  CHECK(templates.at("approval")["suspend"].IsMap());
  CHECK(deps(tasks.at("go")) == std::vector<std::string>{"go-approval"});
  CHECK(deps(tasks.at("last")) == std::vector<std::string>{"begin", "go"});
  // Retries and timeouts.
  CHECK(tasks.at("last")["arguments"]["parameters"][2]["value"].as<std::string>() == "2");
  CHECK(templates.at("step")["retryStrategy"]["limit"].as<std::string>() == "{{inputs.parameters.retries}}");
  CHECK(templates.at("step")["activeDeadlineSeconds"].as<std::string>() == "{{inputs.parameters.deadline}}");
  // The plan rides along, and the password stays in its secret.
  CHECK(templates.at("step")["inputs"]["artifacts"][0]["raw"]["data"].as<std::string>() == plan::ToJson(p).dump());
  CHECK(templates.at("finish")["container"]["env"][1]["valueFrom"]["secretKeyRef"]["name"].as<std::string>() ==
        "sparkc-db");
  // Byte-stable.
  CHECK(plan::EmitArgoWorkflow(p, options) == yaml);
}

TEST_CASE("the Argo export: names never meet, no deadline of 0, no `{{` for Argo to read", "[engine]") {
  plan::Plan p;
  plan::Step a = MakeStep("a");
  a.gate = true;
  a.timeout_ms = 0;
  p.steps.push_back(a);
  p.steps.push_back(MakeStep("a_approval", {"a"}));  // `a`'s suspend would be `a-approval` too
  p.steps.push_back(MakeStep("fanout_roll"));         // the fan-out's DAG would be `fanout-roll` too
  for (const char* n : {"roll[x]", "roll[y]"}) {
    plan::Step s = MakeStep(n, {"fanout_roll"});
    s.group = "roll";
    s.action.kind = plan::Action::Kind::Manual;
    s.action.instruction = "check {{.Version}}";
    p.steps.push_back(s);
  }
  p.fanouts.push_back({"roll", 1, {"roll[x]", "roll[y]"}});
  p.module = std::string(80, 'm');
  std::string yaml = plan::EmitArgoWorkflow(p, {"registry/sparkc:1", "postgres://db/sparkc", ""});
  YAML::Node w = YAML::Load(yaml);
  CHECK(w["metadata"]["generateName"].as<std::string>().size() == 58);  // Kubernetes adds 5; 63 in all
  std::map<std::string, YAML::Node> templates;
  for (const YAML::Node& t : w["spec"]["templates"]) CHECK(templates.emplace(t["name"].as<std::string>(), t).second);
  std::map<std::string, std::string> template_of;  // every task of every DAG, by name
  for (const auto& [name, t] : templates)
    for (const YAML::Node& task : t["dag"] ? t["dag"]["tasks"] : YAML::Node(YAML::NodeType::Sequence))
      CHECK(template_of.emplace(task["name"].as<std::string>(), task["template"].as<std::string>()).second);
  CHECK(template_of.at("a-approval") == "approval");
  CHECK(template_of.at("a-approval-2") == "step");
  CHECK(template_of.at("fanout-roll") == "step");
  CHECK(template_of.at("fanout-roll-2") == "fanout-roll-2");
  // A manual instance waits for its suspend inside its fan-out's DAG.
  CHECK(template_of.at("roll-x-approval") == "approval");
  // A step with no bound has no deadline: Kubernetes refuses 0.
  CHECK(template_of.at("a") == "step-untimed");
  CHECK_FALSE(templates.at("step-untimed")["activeDeadlineSeconds"]);
  CHECK(templates.at("step")["activeDeadlineSeconds"]);
  // The plan's own `{{` is escaped in its JSON, which reads back the same.
  std::string data = templates.at("begin")["inputs"]["artifacts"][0]["raw"]["data"].as<std::string>();
  CHECK(data.find("{{") == std::string::npos);
  CHECK(nlohmann::json::parse(data) == nlohmann::json::parse(plan::ToJson(p).dump()));
  // What would reach `step do` changed is refused.
  CHECK(plan::ArgoPlanProblem(p).empty());
  p.steps[3].id = "roll[{{x}}]";
  CHECK(plan::ArgoPlanProblem(p).find("Argo would read") != std::string::npos);
  CHECK(plan::ArgoOptionsProblem({"registry/sparkc:$(TAG)", "postgres://db/sparkc", ""}).find("--image") == 0);
}

namespace {

plan::Action Shell(std::string command) {
  plan::Action a;
  a.kind = plan::Action::Kind::Shell;
  a.argv = {"sh", "-c", std::move(command)};
  return a;
}

// prep -> roll[a], roll[b], roll[c] -> go -> last, every undo acting but
// go's; prep and each roll instance placed on a node of their own.
plan::Plan PlacedPlan() {
  plan::Plan p = FanOutPlan();
  p.digest = "sha256:00";
  for (plan::Step& step : p.steps) {
    step.undo.kind = plan::Undo::Kind::Action;
    step.undo.action = Shell("echo undo-" + step.id);
    if (step.group == "roll") step.slurm.nodelist = "node-" + step.id.substr(5, 1);
  }
  p.steps[0].slurm.partition = "gpu";
  p.steps[0].slurm.gres = "gpu:1";
  p.steps[4].undo.kind = plan::Undo::Kind::None;  // go
  p.steps[4].slurm.nodelist = "node-go";
  return p;
}

// Slurm as the submitter sees it: every submission kept, ids counted from
// 100, `live` what squeue would list.
class FakeSlurm : public SlurmClient {
 public:
  struct Submitted {
    std::vector<std::string> args;
    std::string script;
  };
  std::vector<Submitted> submitted;
  std::set<std::string> live, released;
  std::optional<std::string> Submit(const std::vector<std::string>& args, const std::string& script,
                                    std::string&) override {
    std::ifstream in(script);
    submitted.push_back({args, std::string(std::istreambuf_iterator<char>(in), {})});
    return std::to_string(100 + submitted.size() - 1);
  }
  bool Release(const std::vector<std::string>& ids, std::string&) override {
    released.insert(ids.begin(), ids.end());
    return true;
  }
  bool Cancel(const std::vector<std::string>& ids, std::string&) override {
    for (const std::string& id : ids) live.erase(id);
    return true;
  }
  std::set<std::string> Live(const std::vector<std::string>& ids) override {
    std::set<std::string> out;
    for (const std::string& id : ids)
      if (live.contains(id)) out.insert(id);
    return out;
  }
};

Transition Moved(std::string step, StepStatus status) {
  Transition t;
  t.step = std::move(step);
  t.status = status;
  t.attempt = 1;
  return t;
}

std::string DependencyOf(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a.starts_with("--dependency=")) return a.substr(13);
  return "";
}

}  // namespace

TEST_CASE("a rollback on Slurm: an undo job per step that acted, placed as its step, in the rollback's order",
          "[engine]") {
  plan::Plan p = PlacedPlan();
  p.rollback.hard.total_ms = 10 * 60'000;
  SlurmSubmission s{"/opt/sparkc", "/shared/run-7.plan.json", "/shared", 7};
  // prep, roll[a], roll[b] and go acted; roll[c] never did, last neither.
  std::vector<bool> undo = {true, true, true, false, true, false};
  std::vector<SlurmJob> jobs = SlurmRollbackJobs(p, s, undo);
  std::vector<std::string> keys;
  for (const SlurmJob& job : jobs) keys.push_back(job.key);
  CHECK(keys == std::vector<std::string>{"go", "roll[b]", "roll[a]", "prep", ""});
  // Each undo after the undos of what came after its step, all of which must succeed.
  CHECK(Job(jobs, "go").after.empty());
  CHECK(Job(jobs, "roll[a]").after == std::vector<std::string>{"go"});
  CHECK(Job(jobs, "prep").after == std::vector<std::string>{"roll[a]", "roll[b]"});
  CHECK_FALSE(Job(jobs, "prep").after_any);
  CHECK(Has(Job(jobs, "prep").args, "--kill-on-invalid-dep=yes"));
  // Where its step ran: an undo acts where its step did. `undo = none` goes anywhere.
  CHECK(Has(Job(jobs, "prep").args, "--partition=gpu"));
  CHECK(Has(Job(jobs, "prep").args, "--gres=gpu:1"));
  CHECK(Has(Job(jobs, "roll[b]").args, "--nodelist=node-b"));
  const std::vector<std::string>& go = Job(jobs, "go").args;
  CHECK(std::none_of(go.begin(), go.end(), [](const std::string& a) { return a.starts_with("--nodelist"); }));
  // Named apart from the step jobs, which a failed step cancels by name.
  CHECK(Has(Job(jobs, "prep").args, "--job-name=sparkc-r7-undo"));
  CHECK(Job(jobs, "roll[a]").script.find(
            "exec /opt/sparkc step undo /shared/run-7.plan.json 'roll[a]' --state \"$SPARKC_STATE\" --run 7") !=
        std::string::npos);
  // Four undos, parallelism 1: one may wait for the others, so the rollback's bound.
  CHECK(Has(Job(jobs, "prep").args, "--time=11"));
  // Last, the finish job again, whatever became of the undos.
  const SlurmJob& finish = jobs.back();
  CHECK(finish.after_any);
  CHECK(finish.after == std::vector<std::string>{"go", "roll[b]", "roll[a]", "prep"});
  CHECK(finish.script.find("step finish /shared/run-7.plan.json --state \"$SPARKC_STATE\" --run 7 --engine slurm") !=
        std::string::npos);
  for (const SlurmJob& job : jobs) CHECK(job.script.find("postgres") == std::string::npos);
}

TEST_CASE("the finish job on Slurm: submits the rollback once, then concludes the run from the journal",
          "[engine]") {
  plan::Plan p = PlacedPlan();
  std::string dir = FreshDir("sparkc-slurm-rollback");
  std::string error;
  int64_t run = 0;
  {
    std::unique_ptr<StateStore> store = StateStore::Open(dir, error);
    REQUIRE(store);
    run = store->CreateRun(p.digest, plan::ToJson(p).dump());
    store->RecordApproval(run, {kEngineRecord, "slurm", R"({"engine":"slurm","jobs":{"prep":"1"},"finish":"2"})",
                                "--engine slurm", NowTimestamp()});
    store->Record(run, Moved("prep", StepStatus::Running));
    store->Record(run, Moved("prep", StepStatus::Succeeded));
    store->Record(run, Moved("roll[a]", StepStatus::Running));
    store->Record(run, Moved("roll[a]", StepStatus::Failed));
  }
  std::ostringstream out, err;
  RunOptions options;
  options.state_dir = dir;
  options.out = &out;
  options.err = &err;
  FakeSlurm slurm;
  StepRequest finish{StepVerb::Finish, "", run, [&](const plan::Plan& plan, const RunOptions& o, int64_t r) {
                       return RollBackOnSlurm(plan, o, r, dir + "/run-1.plan.json", slurm);
                     }};
  // prep succeeded and roll[a] failed (its undo valid after a failure):
  // roll[a] is undone on its node, then prep on the GPU node, then the
  // finish job again.
  CHECK(RunStepCommand(p, options, finish) == kExitOk);
  REQUIRE(slurm.submitted.size() == 3);
  CHECK(Has(slurm.submitted[0].args, "--nodelist=node-a"));
  CHECK(slurm.submitted[0].script.find("step undo " + dir + "/run-1.plan.json 'roll[a]'") != std::string::npos);
  CHECK(Has(slurm.submitted[1].args, "--partition=gpu"));
  CHECK(Has(slurm.submitted[1].args, "--hold"));
  CHECK(DependencyOf(slurm.submitted[1].args) == "afterok:100");
  CHECK(slurm.submitted[1].script.find("step undo " + dir + "/run-1.plan.json prep") != std::string::npos);
  CHECK(std::filesystem::exists(std::filesystem::path(dir) / "run-1" / "rollback" / "prep.sh"));
  CHECK(DependencyOf(slurm.submitted[2].args) == "afterany:100:101");
  CHECK(slurm.released == std::set<std::string>{"100", "101", "102"});
  CHECK(out.str().find("rolling back 2 steps as Slurm jobs (100..102), each undo placed as its step") !=
        std::string::npos);
  {
    // Journaled with the run's jobs: followers, `cancel` and other runners see them.
    std::unique_ptr<StateStore> store = StateStore::Open(dir, error);
    std::string holder;
    slurm.live = {"101"};
    CHECK(RunHeldByEngine(*store, slurm, holder));
  }
  // Run again while an undo job runs (a requeued finish job): nothing more.
  out.str("");
  CHECK(RunStepCommand(p, options, finish) == kExitOk);
  CHECK(slurm.submitted.size() == 3);
  CHECK(out.str().find("1 job of its rollback still run") != std::string::npos);
  // Meanwhile, a local rollback is refused: the engine's jobs hold the run.
  CHECK(Rollback(options, &slurm) == kExitLocked);
  CHECK(err.str().find("is in use by run 1's 1 Slurm job") != std::string::npos);
  // The undo jobs ended without undoing a thing: the run's rollback
  // failed, and says what is still applied and how to try again.
  std::string again = "sparkc step finish " + dir + "/run-1.plan.json --run 1 --engine slurm --state";
  slurm.live.clear();
  out.str("");
  CHECK(RunStepCommand(p, options, finish) == kExitNeedsOperator);
  CHECK(out.str().find("rollback incomplete: still applied: prep, roll[a]") != std::string::npos);
  CHECK(out.str().find(again) != std::string::npos);
  CHECK(slurm.submitted.size() == 3);
  auto status = [&] { return StateStore::Open(dir, error)->Run(run)->status; };
  CHECK(status() == "rollback_failed");
  // Tried again: the undos still to do are submitted again, placed, and
  // the engine holds the run again.
  out.str("");
  CHECK(RunStepCommand(p, options, finish) == kExitOk);
  REQUIRE(slurm.submitted.size() == 6);
  CHECK(Has(slurm.submitted[3].args, "--nodelist=node-a"));
  CHECK(out.str().find("rolling back 2 steps as Slurm jobs (103..105)") != std::string::npos);
  CHECK(status() == "running");
  // A cancel then leaves the rollback unfinished, not a run to resume.
  slurm.live = {"104"};
  out.str("");
  CHECK(CancelRun(options, slurm) == kExitOk);
  CHECK(out.str().find("its rollback's among them; finish the rollback with `sparkc step finish PLAN --run 1 "
                       "--engine slurm --state") != std::string::npos);
  CHECK(slurm.live.empty());
  CHECK(status() == "rollback_failed");
  {
    std::unique_ptr<StateStore> store = StateStore::Open(dir, error);
    CHECK(store->Run(run)->status == "rollback_failed");
    for (const char* step : {"roll[a]", "prep"}) {
      store->Record(run, Moved(step, StepStatus::Undoing));
      store->Record(run, Moved(step, StepStatus::Undone));
    }
  }
  // Undone: rolled back.
  out.str("");
  CHECK(RunStepCommand(p, options, finish) == kExitRolledBack);
  CHECK(out.str().find("run 1 failed and was rolled back: every step that acted is undone") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a follower whose run's jobs ended unconcluded gives the finish job's own command", "[engine]") {
  std::string dir = FreshDir("sparkc-slurm-follow");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/spec.spark") << "step a { do = shell(\"true\"); undo = none }\n";
  SourceManager sources;
  Diagnostics diags(sources);
  plan::Plan p;
  REQUIRE(Compile(dir + "/spec.spark", sources, diags, p));
  std::string error;
  {
    std::unique_ptr<StateStore> store = StateStore::Open(dir + "/state", error);
    REQUIRE(store);
    int64_t run = store->CreateRun(p.digest, plan::ToJson(p).dump());
    store->RecordApproval(run, {kEngineRecord, "slurm",
                                R"({"engine":"slurm","plan":"/out/run-1.plan.json","jobs":{"a":"1"},"finish":"2"})",
                                "--engine slurm", NowTimestamp()});
  }
  // The finish job was cancelled: Slurm has none of the run's jobs, and the
  // run is still `running`.
  std::ostringstream out, err;
  RunOptions options;
  options.state_dir = dir + "/state";
  options.out = &out;
  options.err = &err;
  EngineOptions engine;
  engine.poll = std::chrono::milliseconds(1);
  FakeSlurm slurm;
  CHECK(FollowRun(options, engine, slurm) == kExitNeedsOperator);
  CHECK(err.str().find("the Slurm jobs of run 1 ended, but the run was not concluded") != std::string::npos);
  CHECK(err.str().find("`sparkc step finish /out/run-1.plan.json --run 1 --engine slurm --state") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}
