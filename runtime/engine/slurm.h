// The Slurm engine: a plan run as Slurm jobs, each job `sparkc step do` of
// one step (or an array of a fan-out's steps), the journal in a state store
// every node reaches. Slurm orders and places the jobs; the journal makes
// each step happen once (runtime/apply/step.h). Every call to Slurm goes
// through SlurmClient, so the submission is testable without a cluster.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/apply/apply.h"

namespace sparkc::runtime {

// sbatch, scontrol and scancel, as the submitter uses them.
class SlurmClient {
 public:
  virtual ~SlurmClient() = default;
  // `sbatch --parsable ARGS SCRIPT`: the job id, or nullopt with `error`.
  virtual std::optional<std::string> Submit(const std::vector<std::string>& args, const std::string& script,
                                            std::string& error) = 0;
  virtual bool Release(const std::vector<std::string>& ids, std::string& error) = 0;
  virtual bool Cancel(const std::vector<std::string>& ids, std::string& error) = 0;
  // The ids among `ids` Slurm still has pending or running.
  virtual std::set<std::string> Live(const std::vector<std::string>& ids) = 0;
};
// The commands on PATH, with SLURM_CONF as the environment gives it.
std::unique_ptr<SlurmClient> CommandLineSlurm();

// One job of a run: a step, a fan-out as an array, an undo, or the run's
// finish.
struct SlurmJob {
  std::string key;                 // the step id, the fan-out id, or "" for the finish job
  std::vector<std::string> steps;  // the steps it runs (an array's, by task index)
  std::vector<std::string> after;  // keys of the jobs it waits for
  std::vector<std::string> args;   // sbatch options, dependency excepted (set at submission)
  std::string script;              // the batch script
  bool held = false;               // a gate or manual step: released by `sparkc approve`
  bool after_any = false;          // waits for `after` to end (the finish job), not to succeed
};

struct SlurmSubmission {
  std::string sparkc;     // the binary the jobs run (the submitter's own)
  std::string plan_file;  // absolute: the plan as the jobs read it
  std::string output_dir; // absolute: where the jobs write their output
  int64_t run = 0;
};

// The jobs a run of `plan` is submitted as, in submission order (each after
// the jobs it waits for); steps that already succeeded get none. Pure: the
// same plan and submission give the same jobs.
std::vector<SlurmJob> SlurmJobs(const plan::Plan& plan, const SlurmSubmission& submission,
                                const std::set<std::string>& succeeded);

// The jobs of a failed run's rollback: one `sparkc step undo` job per step
// with `undo[i]`, placed as its step was (an undo acts where its step did),
// each after the undo jobs of the steps that come after it, in the local
// rollback's order (RollbackWalk). An undo job waits for those to succeed:
// one that fails leaves what its step depends on applied, as locally. Last,
// the finish job again, after every undo job ended: it concludes the run.
// Pure, like SlurmJobs.
std::vector<SlurmJob> SlurmRollbackJobs(const plan::Plan& plan, const SlurmSubmission& submission,
                                        const std::vector<bool>& undo);

struct EngineOptions {
  bool detach = false;          // submit, print how to follow, exit
  std::string output_dir = ".sparkc-slurm";
  std::chrono::milliseconds poll{250};
};

// `sparkc apply --engine slurm --dry-run`: the jobs it would submit, with
// their options and dependencies; nothing is submitted.
int DryRunOnSlurm(const plan::Plan& plan, const RunOptions& options, const EngineOptions& engine);
// `sparkc apply --engine slurm`.
int ApplyOnSlurm(const plan::Plan& plan, const RunOptions& options, const EngineOptions& engine, SlurmClient& slurm);
// `sparkc status --follow`: the last run as it goes, until it ends; exit
// codes as apply's. Interrupted, it stops following; with `cancel_on_interrupt`
// (the submitter attached to its run, as a local apply is) it cancels the
// run's jobs as `sparkc cancel` does.
int FollowRun(const RunOptions& options, const EngineOptions& engine, SlurmClient& slurm,
              bool cancel_on_interrupt = false);
// `sparkc step finish --engine slurm`, what the finish job runs, after a
// failure (runtime/apply/step.h's RollbackRunner): submits the run's
// SlurmRollbackJobs and journals them with the run's jobs; run again as the
// last of them, concludes the run (rolled_back, or rollback_failed naming
// what is still applied). `plan_file` is the plan the jobs read.
int RollBackOnSlurm(const plan::Plan& plan, const RunOptions& options, int64_t run, const std::string& plan_file,
                    SlurmClient& slurm);
// `sparkc cancel`: the last run's jobs cancelled; the run stays resumable.
int CancelRun(const RunOptions& options, SlurmClient& slurm);
// `sparkc approve STEP`: journaled (who and when), then its held job released.
int ApproveStep(const RunOptions& options, const std::string& step, const std::string& note, SlurmClient& slurm);

// Whether the last run of the store is being run by an engine's jobs that
// Slurm still has: then `holder` says whose, and no other runner may start.
bool RunHeldByEngine(class StateStore& store, SlurmClient& slurm, std::string& holder);
// Says so (exit 7).
int RefuseHeldByEngine(const RunOptions& options, const std::string& holder);

}  // namespace sparkc::runtime
