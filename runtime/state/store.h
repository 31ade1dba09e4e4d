// The state store: runs and every step transition, in SQLite (WAL,
// synchronous=FULL) or PostgreSQL. A transition is durable when Record
// returns; the runtime records before it acts.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sparkc::runtime {

// Blocked: rollback stopped at an irreversible step. Awaiting: a manual step
// or gate waits for approval.
enum class StepStatus { Pending, Running, Succeeded, Failed, Undoing, Undone, UndoFailed, Blocked, Awaiting };
std::string_view StatusName(StepStatus s);
std::optional<StepStatus> ParseStatus(std::string_view name);

struct RunInfo {
  int64_t id = 0;
  std::string digest;
  std::string plan_json;
  std::string status;  // running, succeeded, failed, rolled_back, rollback_failed, stopped
  std::string started_at;
  std::string finished_at = {};  // empty while it runs (or when its runner died)
  std::string host = {};         // where its runner ran
};

// What one attempt of a step's action (or of its undo) printed, as the
// journal keeps it: the last kLogCap bytes of each stream, redacted and
// valid UTF-8 (CapturedLog in runtime/apply/actions.h makes it).
struct AttemptLog {
  std::string out, err;
  bool truncated = false;  // the streams held more than was kept
  bool empty() const { return out.empty() && err.empty() && !truncated; }
};
constexpr size_t kLogCap = 64 * 1024;

struct StoredLog {
  int64_t attempt = 0;
  std::string action;  // "do" or "undo"
  AttemptLog log;
  std::string at;
};

// Who let a gate or manual step pass, and how sparkc learned it.
struct Approval {
  std::string step;
  std::string by;
  std::string note;
  std::string source;  // "--approve", "approvals.yaml:4:5", "terminal"
  std::string at;      // when it was given (file) or taken (command line, terminal)
};

struct StepRecord {
  StepStatus status = StepStatus::Pending;
  int64_t attempts = 0;
};

struct Transition {
  std::string step;
  StepStatus status;
  int64_t attempt = 0;
  std::optional<int> exit_code;
  std::string error;
  // A success's step outputs, by name: written in the same transaction, so a
  // step is never `succeeded` without them. Secret ones are sealed first.
  std::vector<std::pair<std::string, std::string>> outputs = {};
  // The output of the attempt this transition ends (a success or failure of
  // `do`, of its undo), journaled with it; empty: nothing printed.
  AttemptLog log = {};
  // When it was journaled (NowTimestamp); set by Journal, not written.
  std::string at = {};
};
// "undo" for the transitions that end an undo, "do" for the others.
std::string_view LogAction(StepStatus status);

// The interface the runtime records through; the journal's rules (what is
// durable when) are the same for every backend. Backends: SQLite in a
// directory (sqlite_store.cpp), PostgreSQL at a URL (postgres_store.cpp).
class StateStore {
 public:
  virtual ~StateStore() = default;
  // DIR (DIR/state.db, created if needed) or a postgres:// URL. Null with a
  // reason on failure.
  static std::unique_ptr<StateStore> Open(const std::string& location, std::string& error);

  virtual int64_t CreateRun(const std::string& digest, const std::string& plan_json) = 0;
  virtual std::optional<RunInfo> LastRun() = 0;
  // LastRun without the plan (which can be megabytes).
  virtual std::optional<RunInfo> LastRunSummary() = 0;
  // Plan files by the SHA-256 of their bytes, once they were read and their
  // digest verified: the same bytes again need not be parsed to be known.
  virtual void RememberPlanFile(const std::string& file_sha256, const std::string& digest) = 0;
  virtual std::optional<std::string> PlanFileDigest(const std::string& file_sha256) = 0;
  // Commits what RecordLater queued first.
  void SetRunStatus(int64_t run, const std::string& status);
  // Durable on return: appends to the journal.
  // Concurrent callers share one commit (group commit): whoever finds no
  // commit in progress writes everything queued so far in one transaction.
  void Record(int64_t run, const Transition& t);
  // Queued, not yet durable: committed with the next Record (in order, so
  // before any later transition), by Flush or SetRunStatus. For a record a
  // crash may lose because what it says can be found out again (a success:
  // the step is then `running`, and a resumed run checks it), or for several
  // that the Flush after them makes durable in one commit.
  void RecordLater(int64_t run, const Transition& t);
  void Flush();
  // A step's state is the fold of its transitions: the latest status, the
  // highest attempt.
  std::map<std::string, StepRecord> Steps(int64_t run);
  std::vector<Transition> Journal(int64_t run);
  // Durable on return, before the approved step counts as succeeded.
  virtual void RecordApproval(int64_t run, const Approval& approval) = 0;
  virtual std::vector<Approval> Approvals(int64_t run) = 0;
  // The outputs journaled in a run, by "step.name".
  virtual std::map<std::string, std::string> Outputs(int64_t run) = 0;
  // Every run, newest first, without its plan.
  virtual std::vector<RunInfo> Runs() = 0;
  // One run with its plan.
  virtual std::optional<RunInfo> Run(int64_t id) = 0;
  // What each attempt of `step` printed in `run`, in the order they ended.
  virtual std::vector<StoredLog> Logs(int64_t run, const std::string& step) = 0;

 protected:
  struct Waiter;  // a Record or Flush waiting for its commit
  struct Pending {
    int64_t run;
    const Transition* transition;  // nullptr: Flush's marker
    Waiter* waiter;                // nullptr: queued by RecordLater
    std::shared_ptr<const Transition> owned;  // RecordLater's copy
  };
  // One transaction holding the batch's transitions (those not null), in
  // order; throws on failure.
  virtual void WriteBatch(const std::vector<Pending>& batch) = 0;
  virtual void WriteRunStatus(int64_t run, const std::string& status) = 0;
  // The run's transitions in order, each as views that live for the call.
  struct Row {
    std::string_view step, status;
    int64_t attempt;
    std::optional<int> exit_code;
    std::string_view error;
    std::string_view at;
  };
  virtual void ReadJournal(int64_t run, const std::function<void(const Row&)>& each) = 0;
  // For a backend's destructor, while WriteBatch still works: what
  // RecordLater queued, which a crash could have lost as well, is written if
  // it can be.
  void FlushQuietly() noexcept;

 private:
  void Commit(Pending entry);

  std::mutex queue_mutex_;
  std::condition_variable committed_;
  std::vector<Pending> queue_;
  bool committing_ = false;
};

// "postgres://" and "postgresql://" locations name a PostgreSQL store.
bool IsPostgresUrl(const std::string& location);
// The location as messages show it: a URL's password replaced by `***`.
std::string DisplayLocation(const std::string& location);
// A postgres:// URL as `without` and `password` (given as user:PASSWORD@ or
// ?password=; "" for none), for processes that must reach the store but
// whose arguments and environment others keep (Slurm jobs). False when
// libpq would not read `without` as the same URL less its password.
bool SeparatePassword(const std::string& url, std::string& without, std::string& password, std::string& error);
// A libpq password file (PGPASSFILE) holding `password` for any server.
std::string PasswordFileLine(const std::string& password);

// One apply or rollback per state store, held until destroyed. The kernel
// (SQLite: a flock on DIR/lock) or the server (PostgreSQL: an advisory lock
// of the holder's session) releases it when its holder dies, so a dead
// holder never blocks.
class StoreLock {
 public:
  virtual ~StoreLock() = default;
  // Null when another process holds it; `holder` then says who (pid, host,
  // start). Null with `error` set when the lock cannot be taken at all.
  static std::unique_ptr<StoreLock> Acquire(const std::string& location, std::string& holder, std::string& error);
  // One step of one run, for one process (`sparkc step`): the store lock
  // shared (steps of a run go on at once on many machines, and never while
  // an apply or rollback holds it) and the step's own key exclusive. The
  // same release-on-death as Acquire, so a step whose runner died can be
  // claimed again, and settled. Null when either is held; `holder` says who.
  static std::unique_ptr<StoreLock> Claim(const std::string& location, int64_t run, const std::string& step,
                                          std::string& holder, std::string& error);
};

// The holder StoreLock::Acquire names when the lock is held shared: steps
// run one by one.
constexpr const char* kStepClaimants = "steps being run by `sparkc step` (an engine's jobs)";

// Who takes a lock (or submits a run): "pid N on HOST since TIME".
std::string LockHolderInfo();

// UTC, ISO 8601 with milliseconds.
std::string NowTimestamp();
// One of those as milliseconds since the epoch; nullopt for other text.
std::optional<int64_t> TimestampMs(const std::string& text);

}  // namespace sparkc::runtime
