#include "runtime/engine/slurm.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>

#include "compiler/plan/placement.h"
#include "compiler/plan/step_time.h"
#include "compiler/source/source.h"
#include "runtime/apply/reporter.h"
#include "runtime/apply/schedule.h"
#include "runtime/apply/session.h"
#include "runtime/apply/step.h"
#include "runtime/exec/process.h"

namespace sparkc::runtime {

using namespace detail;

namespace {

// The run's step jobs share a name, which a failed step's job cancels by;
// the rollback's and the finish job are named apart, so that they stay.
std::string JobName(int64_t run) { return fmt::format("sparkc-r{}", run); }
std::string UndoJobName(int64_t run) { return JobName(run) + "-undo"; }
std::string FinishJobName(int64_t run) { return JobName(run) + "-finish"; }

// The whole time Slurm must allow a job, in whole minutes plus one for
// sparkc itself; 0: no limit. A step's is the plan's hard bound for it
// (`step_time`: every attempt's timeout, its kill grace and the backoffs;
// for an undo job, the undo's). A job that may wait in `sparkc step` for a
// slot (the plan's parallelism, a fan-out's concurrency) gets the hard bound
// of the whole run or rollback (`whole_ms`), which holds that wait and the
// step. The step's own wrapper enforces the exact timeout; this only keeps
// Slurm from ending a job sparkc would not.
int64_t TimeLimitMinutes(const plan::Step& step, const plan::StepTime& step_time, int64_t whole_ms, bool may_wait) {
  if (step.timeout_ms <= 0 || !step_time.bounded()) return 0;
  int64_t ms = step_time.ms;
  if (may_wait) {
    if (whole_ms == plan::kUnbounded) return 0;
    ms = std::max(ms, whole_ms);
  }
  return (ms + 59'999) / 60'000 + 1;
}

// What every job of a run is submitted with: its name, where its output
// goes (an array task's apart), where it starts.
std::vector<std::string> CommonArgs(const std::string& name, const SlurmSubmission& s, bool array = false) {
  std::filesystem::path output = std::filesystem::path(s.output_dir) / (array ? "%x-%A_%a.out" : "%x-%j.out");
  return {"--job-name=" + name, "--output=" + output.string(), "--chdir=" + std::filesystem::current_path().string()};
}

bool WaitsForPerson(const plan::Step& step) {
  return step.gate || step.action.kind == plan::Action::Kind::Manual;
}

// The script a job runs: `sparkc step do` of its step (an array's task
// picks its step by index). A failed step stops new ones, as in the local
// runtime: the run's pending jobs are cancelled (the finish job, named
// apart, stays and rolls back). The state's location comes from the
// environment, so that a password in it is in no script Slurm keeps.
std::string Script(const SlurmSubmission& s, const std::vector<std::string>& steps, bool array) {
  std::string words;
  for (const std::string& id : steps) words += " " + ShellWord(id);
  std::string script = "#!/bin/sh\n# sparkc: run " + std::to_string(s.run) + "\n";
  if (array) {
    script += "set --" + words + "\nshift \"$SLURM_ARRAY_TASK_ID\"\nstep=$1\n";
  } else {
    script += "step=" + ShellWord(steps.front()) + "\n";
  }
  script += fmt::format("{} step do {} \"$step\" --state \"$SPARKC_STATE\" --run {}\ncode=$?\n", ShellWord(s.sparkc),
                        ShellWord(s.plan_file), s.run);
  script += fmt::format("[ $code -eq 4 ] && scancel --state=PENDING --name={} --user=\"$(id -un)\"\nexit $code\n",
                        JobName(s.run));
  return script;
}

std::string FinishScript(const SlurmSubmission& s) {
  return fmt::format("#!/bin/sh\n# sparkc: run {} ends\n"
                     "exec {} step finish {} --state \"$SPARKC_STATE\" --run {} --engine slurm\n",
                     s.run, ShellWord(s.sparkc), ShellWord(s.plan_file), s.run);
}

std::string UndoScript(const SlurmSubmission& s, const std::string& step) {
  return fmt::format("#!/bin/sh\n# sparkc: run {}, rollback\n"
                     "exec {} step undo {} {} --state \"$SPARKC_STATE\" --run {}\n",
                     s.run, ShellWord(s.sparkc), ShellWord(s.plan_file), ShellWord(step), s.run);
}

// What an operator runs to submit a run's rollback (again) as placed jobs.
std::string FinishAgain(const RunOptions& options, const std::string& plan_file, int64_t run) {
  return SparkcCommand(options, "step", {"finish", plan_file, "--run", std::to_string(run), "--engine", "slurm"});
}

// The run's finish job: after every job before it ended, however.
SlurmJob FinishJob(const SlurmSubmission& s, const std::vector<SlurmJob>& before) {
  SlurmJob finish{"", {}, {}, CommonArgs(FinishJobName(s.run), s), FinishScript(s), false, true};
  for (const SlurmJob& job : before) finish.after.push_back(job.key);
  return finish;
}

// The journal's approval rows of a run's engine record, newest last.
std::optional<nlohmann::json> EngineRecord(StateStore& store, int64_t run) {
  std::optional<nlohmann::json> found;
  for (const Approval& a : store.Approvals(run)) {
    if (a.step != kEngineRecord) continue;
    nlohmann::json j = nlohmann::json::parse(a.note, nullptr, false);
    if (j.is_object()) found = std::move(j);
  }
  return found;
}

// The record's jobs: the run's ("jobs", "finish") and, after a failure, its
// rollback's ("rollback", "conclude"); with `rollback_only`, the undo jobs.
std::vector<std::string> JobIds(const nlohmann::json& record, bool rollback_only = false) {
  std::vector<std::string> ids;
  for (const char* group : {"jobs", "rollback"}) {
    if (rollback_only && std::string_view(group) == "jobs") continue;
    nlohmann::json jobs = record.value(group, nlohmann::json::object());
    for (const auto& [key, id] : jobs.items()) ids.push_back(id);
  }
  if (rollback_only) return ids;
  for (const char* single : {"finish", "conclude"})
    if (record.contains(single)) ids.push_back(record[single]);
  return ids;
}

class CommandLine : public SlurmClient {
 public:
  std::optional<std::string> Submit(const std::vector<std::string>& args, const std::string& script,
                                    std::string& error) override {
    std::vector<std::string> argv = {"sbatch", "--parsable"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(script);
    ProcessResult r = Run(argv);
    if (!r.ok()) {
      error = fmt::format("sbatch: {}: {}", r.Summary(), Trim(r.err));
      return std::nullopt;
    }
    // `--parsable` prints "ID" or "ID;CLUSTER".
    std::string id = Trim(r.out.substr(0, r.out.find(';')));
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      error = fmt::format("sbatch printed `{}`, not a job id", Trim(r.out));
      return std::nullopt;
    }
    return id;
  }
  bool Release(const std::vector<std::string>& ids, std::string& error) override {
    return ids.empty() || Ok({"scontrol", "release", Join(ids)}, error);
  }
  bool Cancel(const std::vector<std::string>& ids, std::string& error) override {
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    return ids.empty() || Ok(argv, error);
  }
  std::set<std::string> Live(const std::vector<std::string>& ids) override {
    std::set<std::string> live;
    if (ids.empty()) return live;
    // An array's tasks are listed as ID_N: the array job is live while one is.
    ProcessResult r = Run({"squeue", "-h", "-o", "%F %i", "--jobs", Join(ids)});
    std::set<std::string> wanted(ids.begin(), ids.end());
    size_t at = 0;
    while (at < r.out.size()) {
      size_t end = r.out.find('\n', at);
      std::string line = r.out.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? r.out.size() : end + 1;
      std::string array_id = line.substr(0, line.find(' '));
      std::string id = line.substr(line.find(' ') + 1);
      if (wanted.contains(array_id)) live.insert(array_id);
      if (wanted.contains(id)) live.insert(id);
    }
    return live;
  }

 private:
  static ProcessResult Run(const std::vector<std::string>& argv) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.timeout_ms = 60'000;
    return RunProcess(spec);
  }
  static bool Ok(const std::vector<std::string>& argv, std::string& error) {
    ProcessResult r = Run(argv);
    if (!r.ok()) error = fmt::format("{}: {}: {}", argv.front(), r.Summary(), Trim(r.err));
    return r.ok();
  }
  static std::string Join(const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
    return out;
  }
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
};

}  // namespace

std::unique_ptr<SlurmClient> CommandLineSlurm() { return std::make_unique<CommandLine>(); }

std::vector<SlurmJob> SlurmJobs(const plan::Plan& plan, const SlurmSubmission& s,
                                const std::set<std::string>& succeeded) {
  std::map<std::string, const plan::Step*> step_of;
  for (const plan::Step& step : plan.steps) step_of[step.id] = &step;
  // A fan-out whose instances are placed alike is one array job; one placed
  // per instance (`nodelist = n`) is a job an instance, its concurrency
  // kept by `sparkc step do`'s fan-out slots instead of the array's `%N`.
  std::map<std::string, const plan::FanOut*> fanout_of;
  bool may_wait = plan.steps.size() > static_cast<size_t>(plan.parallelism);
  for (const plan::FanOut& f : plan.fanouts) {
    bool alike = std::all_of(f.instances.begin(), f.instances.end(), [&](const std::string& id) {
      return step_of.at(id)->slurm == step_of.at(f.instances.front())->slurm;
    });
    if (alike)
      for (const std::string& id : f.instances) fanout_of[id] = &f;
    else
      may_wait = may_wait || f.concurrency > 0;
  }
  auto key_of = [&](const std::string& step) {
    auto it = fanout_of.find(step);
    return it == fanout_of.end() ? step : it->second->id;
  };
  std::vector<SlurmJob> jobs;
  std::map<std::string, size_t> index;  // key -> jobs[]
  for (const plan::Step& step : plan.steps) {  // topological: a job's dependencies come first
    if (succeeded.contains(step.id)) continue;
    std::string key = key_of(step.id);
    auto [it, added] = index.try_emplace(key, jobs.size());
    if (added) jobs.push_back({key, {}, {}, {}, {}, false, false});
    SlurmJob& job = jobs[it->second];
    job.steps.push_back(step.id);
    job.held = job.held || WaitsForPerson(step);
    for (const std::string& before : step.after) {
      if (succeeded.contains(before)) continue;
      std::string dep = key_of(before);
      if (dep != key && std::find(job.after.begin(), job.after.end(), dep) == job.after.end()) job.after.push_back(dep);
    }
  }
  for (SlurmJob& job : jobs) {
    bool array = fanout_of.contains(job.steps.front());
    int64_t minutes = 0;
    for (const std::string& id : job.steps) {
      const plan::Step& step = *step_of.at(id);
      minutes = std::max(minutes, TimeLimitMinutes(step, plan::ForwardTime(step, plan::Basis::Timeout),
                                                   plan.forward.hard.total_ms, may_wait));
    }
    job.args = CommonArgs(JobName(s.run), s, array);
    job.args.push_back("--kill-on-invalid-dep=yes");
    if (minutes > 0 && !job.held) job.args.push_back(fmt::format("--time={}", minutes));
    for (std::string& option : plan::SbatchOptions(step_of.at(job.steps.front())->slurm))
      job.args.push_back(std::move(option));
    if (array) {
      const plan::FanOut& f = *fanout_of.at(job.steps.front());
      std::string range = fmt::format("--array=0-{}", job.steps.size() - 1);
      if (f.concurrency > 0) range += fmt::format("%{}", f.concurrency);
      job.args.push_back(range);
    }
    if (job.held) job.args.push_back("--hold");
    job.script = Script(s, job.steps, array);
  }
  SlurmJob finish = FinishJob(s, jobs);
  jobs.push_back(std::move(finish));
  return jobs;
}

std::vector<SlurmJob> SlurmRollbackJobs(const plan::Plan& plan, const SlurmSubmission& s,
                                        const std::vector<bool>& undo) {
  auto n = static_cast<uint32_t>(plan.steps.size());
  PlannedWalk walk = RollbackWalk(plan, static_cast<int>(plan.parallelism), undo);
  auto undoing = static_cast<int64_t>(std::count(undo.begin(), undo.end(), true));
  bool may_wait = undoing > plan.parallelism ||
                  std::any_of(walk.options.limit.begin(), walk.options.limit.end(), [](int l) { return l > 0; });
  std::vector<SlurmJob> jobs;
  for (uint32_t k = 0; k < n; ++k) {  // the rollback's order: a job's dependencies come first
    uint32_t i = RollbackStep(n, k);
    if (!undo[i]) continue;
    const plan::Step& step = plan.steps[i];
    SlurmJob job{step.id, {step.id}, {}, CommonArgs(UndoJobName(s.run), s), UndoScript(s, step.id), false, false};
    for (uint32_t d : walk.deps[k]) job.after.push_back(plan.steps[RollbackStep(n, d)].id);
    std::sort(job.after.begin(), job.after.end());
    job.args.push_back("--kill-on-invalid-dep=yes");
    int64_t minutes = TimeLimitMinutes(step, plan::UndoTime(step, plan::Basis::Timeout), plan.rollback.hard.total_ms,
                                       may_wait);
    if (minutes > 0) job.args.push_back(fmt::format("--time={}", minutes));
    // Only an undo that acts needs its step's node; `none` and an
    // irreversible step's refusal are journaled wherever.
    if (step.undo.kind == plan::Undo::Kind::Action)
      for (std::string& option : plan::SbatchOptions(step.slurm)) job.args.push_back(std::move(option));
    jobs.push_back(std::move(job));
  }
  SlurmJob finish = FinishJob(s, jobs);
  jobs.push_back(std::move(finish));
  return jobs;
}

bool RunHeldByEngine(StateStore& store, SlurmClient& slurm, std::string& holder) {
  std::optional<RunInfo> last = store.LastRunSummary();
  if (!last || last->status != "running") return false;
  std::optional<nlohmann::json> record = EngineRecord(store, last->id);
  if (!record) return false;
  std::set<std::string> live = slurm.Live(JobIds(*record));
  if (live.empty()) return false;
  holder = fmt::format("run {}'s {} Slurm job{} (submitted by {})", last->id, live.size(), live.size() == 1 ? "" : "s",
                       record->value("submitted_by", "another runner"));
  return true;
}

int RefuseHeldByEngine(const RunOptions& options, const std::string& holder) {
  *options.err << fmt::format("sparkc: error: the state store `{}` is in use by {}\n"
                              "  help: follow it with `sparkc status --follow`, or stop it with `sparkc cancel`\n",
                              DisplayLocation(options.state_dir), holder);
  return kExitLocked;
}

namespace {

// Follows a run's journal: each transition as the local runner prints it,
// gates as they become ready, until the run ends.
class Follower {
 public:
  Follower(const plan::Plan& plan, const RunOptions& options, StateStore& store, int64_t run)
      : plan_(plan), options_(options), store_(store), run_(run),
        reporter_(*options.out, plan, options.live, static_cast<int>(plan.parallelism), options.format) {
    for (uint32_t i = 0; i < plan.steps.size(); ++i) index_[plan.steps[i].id] = i;
  }

  // The run's final status, or "" when its jobs all ended without one.
  // `ids` says which jobs are the run's: a rollback adds its own.
  std::string Until(SlurmClient& slurm, const std::function<std::vector<std::string>()>& ids,
                    std::chrono::milliseconds poll) {
    int quiet_polls = 0;
    while (true) {
      Show();
      std::optional<RunInfo> info = store_.Run(run_);
      if (info && info->status != "running") return info->status;
      if (g_interrupted.load()) return "interrupted";
      // The jobs are gone but the run is not concluded: give the journal a
      // moment (the finish job's last commit), then say so.
      if (slurm.Live(ids()).empty() && ++quiet_polls > 8) return "";
      std::this_thread::sleep_for(poll);
    }
  }

  void Show() {
    std::vector<Transition> journal = store_.Journal(run_);
    for (; seen_ < journal.size(); ++seen_) {
      const Transition& t = journal[seen_];
      auto it = index_.find(t.step);
      if (it == index_.end()) continue;
      uint32_t i = it->second;
      status_[t.step] = t.status;
      switch (t.status) {
        case StepStatus::Running: reporter_.Event(Verb::Start, i, t.attempt > 1 ? fmt::format("(attempt {})", t.attempt) : ""); break;
        case StepStatus::Succeeded: reporter_.Event(Verb::Ok, i); break;
        case StepStatus::Failed: reporter_.Event(Verb::Fail, i, t.error); break;
        case StepStatus::Awaiting: reporter_.Event(Verb::Wait, i, t.error); break;
        case StepStatus::Undoing: reporter_.Event(Verb::Undo, i); break;
        case StepStatus::Undone: reporter_.Event(Verb::Undone, i, t.error); break;
        case StepStatus::UndoFailed: reporter_.Event(Verb::UndoFail, i, t.error); break;
        case StepStatus::Blocked: reporter_.Event(Verb::Stop, i, t.error); break;
        case StepStatus::Pending: break;
      }
    }
    // A gate's job is held until approved: say so once it is all that waits.
    for (const plan::Step& step : plan_.steps) {
      if (!WaitsForPerson(step) || announced_.contains(step.id) || status_.contains(step.id)) continue;
      bool ready = std::all_of(step.after.begin(), step.after.end(),
                               [&](const std::string& id) { return status_[id] == StepStatus::Succeeded; });
      if (!ready) continue;
      announced_.insert(step.id);
      reporter_.Event(Verb::Wait, index_[step.id],
                      fmt::format("its job is held: release it with `{}`", SparkcCommand(options_, "approve", {step.id})));
    }
  }

  Reporter& reporter() { return reporter_; }

 private:
  const plan::Plan& plan_;
  const RunOptions& options_;
  StateStore& store_;
  int64_t run_;
  Reporter reporter_;
  std::map<std::string, uint32_t> index_;
  std::map<std::string, StepStatus> status_;
  std::set<std::string> announced_;
  size_t seen_ = 0;
};

// As a local apply's: `awaiting` when the run stopped at a gate or manual
// step that waits for `sparkc approve`; `finish` concludes the run as its
// finish job would have.
int ExitFor(const std::string& status, bool awaiting, Reporter& reporter, const RunOptions& options, int64_t run,
            const std::string& finish) {
  if (status == "succeeded") {
    reporter.Line(fmt::format("run {} succeeded", run));
    return kExitOk;
  }
  if (status == "rolled_back") {
    reporter.Line(fmt::format("run {} failed and was rolled back: every step that acted is undone", run));
    return kExitRolledBack;
  }
  if (status == "interrupted") {
    reporter.Line(fmt::format("stopped following run {}; its jobs go on (`{}` stops them)", run,
                              SparkcCommand(options, "cancel")));
    return kExitNeedsOperator;
  }
  if (status.empty()) {
    *options.err << fmt::format("sparkc: error: the Slurm jobs of run {} ended, but the run was not concluded\n"
                                "  help: see `{}`; `{}` concludes it (after a failure, it submits the rollback as "
                                "placed jobs)\n",
                                run, SparkcCommand(options, "status"), finish);
    return kExitNeedsOperator;
  }
  if (status == "rollback_failed") {
    reporter.Line(fmt::format("run {} failed and its rollback is incomplete: some steps are still applied; see `{}`",
                              run, SparkcCommand(options, "status")));
    return kExitNeedsOperator;
  }
  if (status == "stopped" && awaiting) {
    reporter.Line(fmt::format("run {} stopped: a step waits for `{}`; applying the plan again then resumes the run",
                              run, SparkcCommand(options, "approve", {"STEP"})));
    return kExitAwaitingApproval;
  }
  reporter.Line(fmt::format("run {} {}; see `{}`", run, status, SparkcCommand(options, "status")));
  return kExitNeedsOperator;
}

// Where the jobs read the plan: its canonical JSON, written once per run.
bool WritePlanForJobs(const plan::Plan& plan, const std::string& path, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    error = fmt::format("cannot create `{}`: {}", std::filesystem::path(path).parent_path().string(), ec.message());
    return false;
  }
  return WriteFileAtomically(path, plan::ToJson(plan).dump(2) + "\n", error);
}

std::string SelfPath() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "sparkc" : self.string();
}

// What run `run`'s jobs run: this binary, the plan written for them under
// the output directory.
SlurmSubmission SubmissionOf(const EngineOptions& engine, int64_t run) {
  SlurmSubmission s{SelfPath(), "", std::filesystem::absolute(engine.output_dir).lexically_normal().string(), run};
  s.plan_file = (std::filesystem::path(s.output_dir) / fmt::format("run-{}.plan.json", run)).string();
  return s;
}

// The store for a command on the last run: failures to open it, or of a
// statement, reported as E0903 (exit 4).
template <typename Work>
int OnStore(const RunOptions& options, Work work) {
  std::unique_ptr<StateStore> store = OpenStoreOrReport(options);
  if (!store) return kExitNeedsOperator;
  try {
    return work(*store);
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

// The jobs find the store in their environment (SPARKC_STATE), never in an
// argument or script. Slurm keeps their environment too (in its state, and
// in slurmdbd with job_env), so a password goes to `dir`/pgpass, a file
// only this user reads, which libpq finds by PGPASSFILE.
bool ExportStore(const std::string& url, const std::string& password, const std::filesystem::path& dir,
                 std::string& error) {
  if (!password.empty()) {
    std::string file = (dir / "pgpass").string();
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec); ec) {
      error = fmt::format("cannot create `{}`: {}", dir.string(), ec.message());
      return false;
    }
    if (!WriteFileAtomically(file, PasswordFileLine(password), error, 0600)) {
      error = fmt::format("cannot write `{}`: {}", file, error);
      return false;
    }
    setenv("PGPASSFILE", file.c_str(), 1);
  }
  setenv("SPARKC_STATE", url.c_str(), 1);
  return true;
}

// Submits `jobs` in order, each held but those that wait for a person
// (`release` gets the others: nothing starts before the caller journals
// the ids), its dependencies on jobs submitted before. Ids go to `ids` and,
// by key, to `by_key` (the finish job's to `finish`); the scripts under
// `scripts`. On failure, cancels what it submitted and says why in `error`.
bool Submit(const std::vector<SlurmJob>& jobs, const std::filesystem::path& scripts, SlurmClient& slurm,
            nlohmann::json& by_key, nlohmann::json& finish, std::vector<std::string>& ids,
            std::vector<std::string>& release, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(scripts, ec);
  if (ec) {
    error = fmt::format("cannot create `{}`: {}", scripts.string(), ec.message());
    return false;
  }
  std::map<std::string, std::string> id_of;
  std::vector<std::string> submitted;
  for (const SlurmJob& job : jobs) {
    std::vector<std::string> args = job.args;
    if (!job.after.empty()) {
      std::string dependency = job.after_any ? "--dependency=afterany" : "--dependency=afterok";
      for (const std::string& key : job.after) dependency += ":" + id_of.at(key);
      args.push_back(dependency);
    }
    if (!job.held) args.push_back("--hold");
    args.push_back("--export=ALL");
    std::string script = (scripts / ((job.key.empty() ? std::string("finish") : job.key) + ".sh")).string();
    std::optional<std::string> id;
    if (WriteFileAtomically(script, job.script, error)) id = slurm.Submit(args, script, error);
    if (!id) {
      std::string cancel_error;
      slurm.Cancel(submitted, cancel_error);
      return false;
    }
    id_of[job.key] = *id;
    submitted.push_back(*id);
    ids.push_back(*id);
    (job.key.empty() ? finish : by_key[job.key]) = *id;
    if (!job.held) release.push_back(*id);
  }
  return true;
}

}  // namespace

int DryRunOnSlurm(const plan::Plan& plan, const RunOptions& options, const EngineOptions& engine) {
  std::vector<SlurmJob> jobs = SlurmJobs(plan, SubmissionOf(engine, 0), {});
  *options.out << fmt::format("dry run of {} on Slurm: {} job{}, submitted held and released together once the run "
                              "is journaled; nothing is submitted\n",
                              plan.module, jobs.size(), jobs.size() == 1 ? "" : "s");
  for (const SlurmJob& job : jobs) {
    // What differs between jobs; the name, output and directory do not.
    std::vector<std::string> shown;
    for (const std::string& arg : job.args)
      if (!arg.starts_with("--job-name=") && !arg.starts_with("--output=") && !arg.starts_with("--chdir=") &&
          !arg.starts_with("--kill-on-invalid-dep"))
        shown.push_back(ShellWord(arg));
    std::string what = job.key.empty() ? "(finish)" : job.key;
    std::string after = job.after.empty() ? ""
                        : job.key.empty() ? " after every job ended,"
                                          : fmt::format(" after {} succeeded,", fmt::join(job.after, ", "));
    std::string runs = job.key.empty() ? "sparkc step finish (concludes the run; after a failure, submits an undo "
                                         "job per step that acted, placed as its step)"
                       : job.steps.size() > 1 ? fmt::format("sparkc step do of {}", fmt::join(job.steps, ", "))
                                              : "sparkc step do";
    *options.out << fmt::format("  {:<20}{} {}{}{}\n", Printable(what), Printable(after), runs,
                                shown.empty() ? "" : ": sbatch ", Printable(fmt::format("{}", fmt::join(shown, " "))));
  }
  return kExitOk;
}

int ApplyOnSlurm(const plan::Plan& plan, const RunOptions& requested, const EngineOptions& engine,
                 SlurmClient& slurm) {
  RunOptions options = requested;
  if (std::optional<int> refused = RefuseWithoutStateKey(plan, options)) return *refused;
  if (!IsPostgresUrl(options.state_dir)) {
    *options.err << fmt::format("sparkc: error: the Slurm engine's jobs journal from every node: --state must be a "
                                "postgres:// URL (found `{}`)\n  help: docs/engines.md says how to set one up\n",
                                DisplayLocation(options.state_dir));
    return kExitUsage;
  }
  std::string url, password, error;
  if (!SeparatePassword(options.state_dir, url, password, error)) {
    *options.err << fmt::format("sparkc: error: {}\n", error);
    return kExitNeedsOperator;
  }
  std::vector<std::string> ids;
  int64_t run = 0;
  {
    // The store lock is held while the run is chosen and its jobs submitted
    // held; it goes before they are released, so that the jobs can claim
    // their steps. The engine record then keeps other runners out.
    Opened state = OpenState(options);
    if (state.exit_code != kExitOk) return state.exit_code;
    try {
      std::string holder;
      if (RunHeldByEngine(*state.store, slurm, holder)) return RefuseHeldByEngine(options, holder);
      RunChoice choice = ChooseRun(plan, options, *state.store);
      if (choice.refused) return *choice.refused;
      if (choice.already_applied) {
        *options.out << fmt::format("run {} already applied this plan; nothing to do\n", choice.run);
        return kExitOk;
      }
      run = choice.run;
      std::set<std::string> succeeded;
      for (const auto& [id, record] : choice.previous)
        if (record.status == StepStatus::Succeeded) succeeded.insert(id);
      if (!choice.previous.empty())
        *options.out << fmt::format("resuming run {}: {} of {} steps already succeeded\n", run, succeeded.size(),
                                    plan.steps.size());
      SlurmSubmission submission = SubmissionOf(engine, run);
      if (!WritePlanForJobs(plan, submission.plan_file, error)) {
        *options.err << fmt::format("sparkc: error: {}\n", error);
        return kExitNeedsOperator;
      }
      std::vector<SlurmJob> jobs = SlurmJobs(plan, submission, succeeded);
      std::filesystem::path scripts = std::filesystem::path(submission.output_dir) / fmt::format("run-{}", run);
      std::error_code ec;
      if (std::filesystem::create_directories(scripts, ec); ec) {
        *options.err << fmt::format("sparkc: error: cannot create `{}`: {}\n", scripts.string(), ec.message());
        return kExitNeedsOperator;
      }
      if (!ExportStore(url, password, scripts, error)) {
        *options.err << fmt::format("sparkc: error: {}\n", error);
        return kExitNeedsOperator;
      }
      nlohmann::json record = {{"engine", "slurm"}, {"submitted_by", LockHolderInfo()}, {"plan", submission.plan_file},
                               {"jobs", nlohmann::json::object()}};
      std::vector<std::string> release;
      if (!Submit(jobs, scripts, slurm, record["jobs"], record["finish"], ids, release, error)) {
        state.store->SetRunStatus(run, "stopped");
        *options.err << fmt::format("sparkc: error: {}\n  help: the jobs submitted so far were cancelled; "
                                    "run {} is resumable once Slurm takes jobs\n", Redact(error), run);
        return kExitNeedsOperator;
      }
      state.store->RecordApproval(run, {kEngineRecord, "slurm", record.dump(), "--engine slurm", NowTimestamp()});
      if (!slurm.Release(release, error)) {
        *options.err << fmt::format("sparkc: error: {}\n", error);
        return kExitNeedsOperator;
      }
      *options.out << fmt::format("run {}: submitted {} Slurm job{} ({}..{}); output in {}\n", run, ids.size(),
                                  ids.size() == 1 ? "" : "s", ids.front(), ids.back(), submission.output_dir);
    } catch (const std::exception& e) {
      return ReportStateError(options, fmt::format("state store: {}", e.what()));
    }
  }
  if (engine.detach) {
    *options.out << fmt::format("detached; follow it with `{}`\n", SparkcCommand(options, "status", {"--follow"}));
    return kExitOk;
  }
  return FollowRun(options, engine, slurm, true);
}

int FollowRun(const RunOptions& options, const EngineOptions& engine, SlurmClient& slurm, bool cancel_on_interrupt) {
  return OnStore(options, [&](StateStore& store) -> int {
    std::optional<RunInfo> last = store.LastRun();
    if (!last) {
      *options.out << "no run recorded\n";
      return kExitOk;
    }
    plan::Plan plan;
    std::string error;
    if (!ReadStoredPlan(*last, plan, error)) return ReportStateError(options, error);
    auto ids = [&] {
      std::optional<nlohmann::json> record = EngineRecord(store, last->id);
      return record ? JobIds(*record) : std::vector<std::string>{};
    };
    InterruptScope interrupts;
    struct Following {
      Following() { g_following.store(true); }
      ~Following() { g_following.store(false); }
    } following;
    Follower follower(plan, options, store, last->id);
    std::string status = follower.Until(slurm, ids, engine.poll);
    if (status == "interrupted" && cancel_on_interrupt) {
      follower.reporter().Line(fmt::format("interrupted: cancelling run {}'s Slurm jobs", last->id));
      int code = CancelRun(options, slurm);
      return code == kExitOk ? kExitNeedsOperator : code;
    }
    bool awaiting = false;
    for (const auto& [id, record] : store.Steps(last->id)) awaiting = awaiting || record.status == StepStatus::Awaiting;
    std::optional<nlohmann::json> record = EngineRecord(store, last->id);
    std::string plan_file = record ? record->value("plan", "PLAN") : "PLAN";
    return ExitFor(status, awaiting, follower.reporter(), options, last->id, FinishAgain(options, plan_file, last->id));
  });
}

int CancelRun(const RunOptions& options, SlurmClient& slurm) {
  return OnStore(options, [&](StateStore& store) -> int {
    std::optional<RunInfo> last = store.LastRunSummary();
    std::optional<nlohmann::json> record = last ? EngineRecord(store, last->id) : std::nullopt;
    if (!last || !record || last->status != "running") {
      *options.out << "no run of an engine is in progress; nothing to cancel\n";
      return kExitOk;
    }
    std::vector<std::string> ids = JobIds(*record);
    std::string error;
    if (!slurm.Cancel(ids, error)) {
      *options.err << fmt::format("sparkc: error: {}\n", error);
      return kExitNeedsOperator;
    }
    // The steps in flight are killed by Slurm; their `running` stays, and a
    // resumed run settles them by their checks, as after a crash.
    for (int i = 0; i < 600 && !slurm.Live(ids).empty(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (record->contains("rollback")) {
      // A rollback cut short is not a run to resume: what acted stays
      // applied until `rollback` finishes it.
      store.SetRunStatus(last->id, "rollback_failed");
      *options.out << fmt::format("run {}: cancelled its {} Slurm job{}, its rollback's among them; finish the "
                                  "rollback with `{}` (each undo placed as its step), or `{}` here\n",
                                  last->id, ids.size(), ids.size() == 1 ? "" : "s",
                                  FinishAgain(options, record->value("plan", "PLAN"), last->id),
                                  SparkcCommand(options, "rollback"));
      return kExitOk;
    }
    store.SetRunStatus(last->id, "stopped");
    *options.out << fmt::format("run {}: cancelled its {} Slurm job{}; resume it with `sparkc apply PLAN --engine slurm{}`\n",
                                last->id, ids.size(), ids.size() == 1 ? "" : "s",
                                options.state_dir == RunOptions{}.state_dir ? "" : " --state " + ShellWord(DisplayLocation(options.state_dir)));
    return kExitOk;
  });
}

int RollBackOnSlurm(const plan::Plan& plan, const RunOptions& options, int64_t run, const std::string& plan_file,
                    SlurmClient& slurm) {
  // One finish job at a time submits the rollback (Slurm may requeue one).
  std::string holder, error;
  std::unique_ptr<StoreLock> claim = StoreLock::Claim(options.state_dir, run, "!rollback", holder, error);
  if (!claim) {
    if (!error.empty()) return ReportStateError(options, error);
    *options.err << fmt::format("sparkc: error: the rollback of run {} is being submitted by {}\n", run, holder);
    return kExitLocked;
  }
  return OnStore(options, [&](StateStore& store) -> int {
    std::optional<nlohmann::json> record = EngineRecord(store, run);
    if (!record) {
      *options.err << fmt::format("sparkc: error: run {} was not submitted with `--engine slurm`; its rollback cannot "
                                  "run as its jobs\n  help: `{}` rolls it back here\n",
                                  run, SparkcCommand(options, "rollback"));
      return kExitUsage;
    }
    std::map<std::string, StepRecord> steps = store.Steps(run);
    std::vector<bool> undo(plan.steps.size(), false);
    std::vector<std::string> applied;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      auto it = steps.find(plan.steps[i].id);
      undo[i] = it != steps.end() && NeedsUndo(it->second.status, plan.steps[i]);
      if (undo[i]) applied.push_back(plan.steps[i].id);
    }
    std::filesystem::path plan_path = std::filesystem::absolute(plan_file).lexically_normal();
    std::string again = FinishAgain(options, plan_path.string(), run);
    // After a rollback that did not finish, this submits the undos still
    // to do again; otherwise a rollback submitted already is concluded.
    std::optional<RunInfo> info = store.LastRunSummary();
    bool retry = info && info->id == run && info->status == "rollback_failed";
    if (record->contains("rollback")) {
      // Run again: by the rollback's last job, or requeued while it runs.
      if (std::set<std::string> live = slurm.Live(JobIds(*record, true)); !live.empty()) {
        *options.out << fmt::format("run {}: {} job{} of its rollback still run; the last one concludes it\n", run,
                                    live.size(), live.size() == 1 ? "" : "s");
        return kExitOk;
      }
      if (!retry) {
        store.SetRunStatus(run, "rollback_failed");
        *options.out << fmt::format("run {}: rollback incomplete: still applied: {}\n", run, fmt::join(applied, ", "));
        *options.out << fmt::format("the journal records each step's state; see `{}`; `{}` submits the undos still "
                                    "to do again, each placed as its step\n", SparkcCommand(options, "status"), again);
        return kExitNeedsOperator;
      }
    }
    SlurmSubmission s{SelfPath(), plan_path.string(), plan_path.parent_path().string(), run};
    std::vector<SlurmJob> jobs = SlurmRollbackJobs(plan, s, undo);
    nlohmann::json updated = *record;
    updated["rollback"] = nlohmann::json::object();
    std::vector<std::string> ids, release;
    // Run by hand, as the finish job is not, it exports the store as the
    // submission did.
    std::filesystem::path run_dir = plan_path.parent_path() / fmt::format("run-{}", run);
    std::string url = options.state_dir, password;
    if ((IsPostgresUrl(url) && !SeparatePassword(options.state_dir, url, password, error)) ||
        !ExportStore(url, password, run_dir, error)) {
      *options.err << fmt::format("sparkc: error: {}\n", error);
      return kExitNeedsOperator;
    }
    if (!Submit(jobs, run_dir / "rollback", slurm, updated["rollback"], updated["conclude"], ids, release, error)) {
      store.SetRunStatus(run, "rollback_failed");
      *options.err << fmt::format("sparkc: error: run {} failed, and its rollback cannot be submitted: {}\n"
                                  "  help: nothing was undone; `{}` submits it again, `{}` runs it here\n",
                                  run, Redact(error), again, SparkcCommand(options, "rollback"));
      return kExitNeedsOperator;
    }
    store.RecordApproval(run, {kEngineRecord, "slurm", updated.dump(), "step finish --engine slurm", NowTimestamp()});
    // Held by the engine again: followers follow it, other runners wait.
    if (retry) store.SetRunStatus(run, "running");
    if (!slurm.Release(release, error)) {
      *options.err << fmt::format("sparkc: error: {}\n", error);
      return kExitNeedsOperator;
    }
    *options.out << fmt::format("run {}: a step failed; rolling back {} step{} as Slurm jobs ({}..{}), each undo "
                                "placed as its step; the last job concludes the run\n",
                                run, applied.size(), applied.size() == 1 ? "" : "s", ids.front(), ids.back());
    if (retry) *options.out << fmt::format("follow it with `{}`\n", SparkcCommand(options, "status", {"--follow"}));
    return kExitOk;
  });
}

int ApproveStep(const RunOptions& options, const std::string& step_id, const std::string& note, SlurmClient& slurm) {
  return OnStore(options, [&](StateStore& store) -> int {
    std::optional<RunInfo> last = store.LastRun();
    if (!last) {
      *options.err << "sparkc: error: no run recorded; nothing to approve\n";
      return kExitUsage;
    }
    plan::Plan plan;
    std::string error;
    if (!ReadStoredPlan(*last, plan, error)) return ReportStateError(options, error);
    auto it = std::find_if(plan.steps.begin(), plan.steps.end(), [&](const plan::Step& s) { return s.id == step_id; });
    if (it == plan.steps.end() || !WaitsForPerson(*it)) {
      *options.err << fmt::format("sparkc: error: run {} has no gate or manual step `{}`\n", last->id, step_id);
      return kExitUsage;
    }
    if (std::string refusal = RefuseApprover(options.approver, it->approvers); !refusal.empty()) {
      *options.err << fmt::format("sparkc: error: {}\n", refusal);
      return kExitUsage;
    }
    // Journaled before the job is released: the step finds it there.
    Approval approval{step_id, options.approver, note, "sparkc approve", NowTimestamp()};
    store.RecordApproval(last->id, approval);
    *options.out << fmt::format("approved `{}` of run {} as {}\n", step_id, last->id, options.approver);
    std::optional<nlohmann::json> record = EngineRecord(store, last->id);
    if (!record || !record->value("jobs", nlohmann::json::object()).contains(step_id)) return kExitOk;
    std::string id = (*record)["jobs"][step_id];
    if (!slurm.Release({id}, error)) {
      *options.err << fmt::format("sparkc: error: the approval is journaled, but its job cannot be released: {}\n",
                                  error);
      return kExitNeedsOperator;
    }
    *options.out << fmt::format("released Slurm job {}\n", id);
    return kExitOk;
  });
}

}  // namespace sparkc::runtime
