// The state store: runs and every step transition, in SQLite (WAL,
// synchronous=FULL). A transition is durable when Record returns; the
// runtime records before it acts.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
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
};

class StateStore {
 public:
  ~StateStore();
  // Opens (creating if needed) DIR/state.db. False with a reason on failure.
  static std::unique_ptr<StateStore> Open(const std::string& dir, std::string& error);

  int64_t CreateRun(const std::string& digest, const std::string& plan_json);
  std::optional<RunInfo> LastRun();
  // LastRun without the plan (which can be megabytes).
  std::optional<RunInfo> LastRunSummary();
  // Plan files by the SHA-256 of their bytes, once they were read and their
  // digest verified: the same bytes again need not be parsed to be known.
  void RememberPlanFile(const std::string& file_sha256, const std::string& digest);
  std::optional<std::string> PlanFileDigest(const std::string& file_sha256);
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
  std::map<std::string, StepRecord> Steps(int64_t run);
  std::vector<Transition> Journal(int64_t run);
  // Durable on return, before the approved step counts as succeeded.
  void RecordApproval(int64_t run, const Approval& approval);
  std::vector<Approval> Approvals(int64_t run);

 private:
  struct Waiter {
    bool done = false;
    std::exception_ptr error;
  };
  struct Pending {
    int64_t run;
    const Transition* transition;  // nullptr: Flush's marker
    Waiter* waiter;                // nullptr: queued by RecordLater
    std::shared_ptr<const Transition> owned;  // RecordLater's copy
  };
  void Commit(Pending entry);

  explicit StateStore(sqlite3* db) : db_(db) {}
  void Migrate();
  void Exec(const char* sql);
  void WriteBatch(const std::vector<Pending>& batch);

  sqlite3* db_;
  // Prepared once: a transition is a handful of microseconds of SQL.
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_transition_ = nullptr;
  std::mutex mutex_;  // one statement or transaction at a time on db_
  std::mutex queue_mutex_;
  std::condition_variable committed_;
  std::vector<Pending> queue_;
  bool committing_ = false;
};

// One apply or rollback per state store: an advisory lock on DIR/lock that
// the kernel releases when its holder dies, so a dead holder never blocks.
class StoreLock {
 public:
  ~StoreLock();
  // Null when another process holds it; `holder` then says who (pid, host, start).
  static std::unique_ptr<StoreLock> Acquire(const std::string& dir, std::string& holder, std::string& error);

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

// UTC, ISO 8601 with milliseconds.
std::string NowTimestamp();

}  // namespace sparkc::runtime
