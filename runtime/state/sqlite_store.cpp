// The SQLite backend: DIR/state.db in WAL mode with synchronous=FULL, and
// a flock on DIR/lock.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "compiler/source/source.h"
#include "runtime/state/backends.h"
#include "runtime/state/state_dir.h"

namespace sparkc::runtime {
namespace {

// Schema 2: a step's state is the fold of its transitions (the view `steps`,
// for people and scripts), so a durable transition writes one B-tree page,
// the journal's last, instead of two. Schema 1 kept `steps` as a table
// updated with each transition; Migrate derives it again.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema', '2');
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY, digest TEXT NOT NULL, plan TEXT NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, host TEXT, pid INTEGER,
  first_transition INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS transitions (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
  status TEXT NOT NULL, attempt INTEGER NOT NULL, exit_code INTEGER, error TEXT, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS plan_files (sha256 TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (
  run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (run_id, step, name));
CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
  attempt INTEGER NOT NULL, action TEXT NOT NULL, stdout TEXT NOT NULL, stderr TEXT NOT NULL,
  truncated INTEGER NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_step ON logs (run_id, step);
CREATE TABLE IF NOT EXISTS approvals (
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
  approved_by TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL, given_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL);
)sql";

constexpr const char* kStepsView = R"sql(
CREATE VIEW IF NOT EXISTS steps AS
SELECT run_id, step, status, attempts, updated_at FROM (
  SELECT run_id, step, status, at AS updated_at,
         max(attempt) OVER (PARTITION BY run_id, step) AS attempts,
         row_number() OVER (PARTITION BY run_id, step ORDER BY id DESC) AS latest
  FROM transitions)
WHERE latest = 1;
)sql";

// From schema 1: every row of the old `steps` table was written with a
// transition, so the view shows the same states; `first_transition` 0 makes
// an old run's queries scan the journal from its start.
constexpr const char* kFromSchema1 = R"sql(
ALTER TABLE runs ADD COLUMN first_transition INTEGER NOT NULL DEFAULT 0;
DROP TABLE steps;
UPDATE meta SET value = '2' WHERE key = 'schema';
)sql";

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));
  return stmt;
}

// A prepared statement that finalizes itself, or one the store keeps
// (borrowed: reset for the next use instead).
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
  }
  Statement(sqlite3* db, sqlite3_stmt* borrowed) : db_(db), stmt_(borrowed), owned_(false) { Reset(); }
  ~Statement() {
    if (owned_) sqlite3_finalize(stmt_);
    else sqlite3_reset(stmt_);
  }
  Statement& Bind(int i, int64_t v) { return Check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& Bind(int i, const std::string& v) {
    return Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& BindNull(int i) { return Check(sqlite3_bind_null(stmt_, i)); }
  // Ready to run again with new bindings.
  Statement& Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(sqlite3_errmsg(db_));
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  // Valid until the next Step.
  std::string_view View(int col) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string_view() : std::string_view(p, sqlite3_column_bytes(stmt_, col));
  }
  std::string Text(int col) { return std::string(View(col)); }

 private:
  Statement& Check(int rc) {
    if (rc != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool owned_ = true;
};

class SqliteStore : public StateStore {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  // Refuses a database that holds less than the marker says it once did.
  bool CheckMarker(const std::string& dir, std::string& error);
  ~SqliteStore() override {
    FlushQuietly();
    for (sqlite3_stmt* stmt : {begin_, commit_, insert_transition_}) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  void Exec(const char* sql);
  void Migrate();

  int64_t CreateRun(const std::string& digest, const std::string& plan_json) override;
  std::optional<RunInfo> LastRun() override;
  std::optional<RunInfo> LastRunSummary() override;
  void RememberPlanFile(const std::string& file_sha256, const std::string& digest) override;
  std::optional<std::string> PlanFileDigest(const std::string& file_sha256) override;
  void RecordApproval(int64_t run, const Approval& approval) override;
  std::vector<Approval> Approvals(int64_t run) override;
  std::map<std::string, std::string> Outputs(int64_t run) override;
  std::vector<RunInfo> Runs() override;
  std::optional<RunInfo> Run(int64_t id) override;
  std::vector<StoredLog> Logs(int64_t run, const std::string& step) override;

 protected:
  void WriteBatch(const std::vector<Pending>& batch) override;
  void WriteRunStatus(int64_t run, const std::string& status) override;
  void ReadJournal(int64_t run, const std::function<void(const Row&)>& each) override;

 private:
  sqlite3* db_;
  // Prepared once: a transition is a handful of microseconds of SQL.
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_transition_ = nullptr;
  std::mutex mutex_;  // one statement or transaction at a time on db_
  StateMarker marker_;
  Committed committed_;
};

bool SqliteStore::CheckMarker(const std::string& dir, std::string& error) {
  // The marker first: a commit between the two reads can only put the
  // database further ahead of it.
  Committed marked;
  if (!marker_.Open(dir, marked, error)) return false;
  {
    Statement s(db_, "SELECT (SELECT coalesce(max(id), 0) FROM runs), (SELECT coalesce(max(id), 0) FROM transitions)");
    s.Step();
    committed_ = {s.Int(0), s.Int(1)};
  }
  if (committed_.run < marked.run || committed_.transition < marked.transition) {
    error = fmt::format("it holds less than it once did: run {} and transition {} were committed here, but the "
                        "database's last are run {} and transition {} (a truncated state.db, or a -wal file "
                        "deleted after a crash?); applying would run steps again that already ran\n"
                        "  help: restore the state directory from a backup; to start over on purpose, move `{}` "
                        "aside",
                        marked.run, marked.transition, committed_.run, committed_.transition, dir);
    return false;
  }
  if (committed_.run != marked.run || committed_.transition != marked.transition) marker_.Write(committed_);
  return true;
}

// In one transaction, so a second sparkc opening the same store meanwhile
// waits for it and then finds the schema current.
void SqliteStore::Migrate() {
  Exec("BEGIN IMMEDIATE");
  try {
    Exec(kSchema);
    int version = 0;
    {
      Statement s(db_, "SELECT value FROM meta WHERE key = 'schema'");
      if (s.Step()) version = std::atoi(s.Text(0).c_str());
    }
    if (version > kSchemaVersion)
      throw std::runtime_error(fmt::format("its schema is version {}, newer than this sparkc knows ({}); "
                                           "use the sparkc that wrote it",
                                           version, kSchemaVersion));
    if (version == 1) Exec(kFromSchema1);
    Exec(kStepsView);
    Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStore::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error(text);
  }
}

int64_t SqliteStore::CreateRun(const std::string& digest, const std::string& plan_json) {
  std::lock_guard lock(mutex_);
  // Transition ids only grow, so every transition of this run comes after
  // the journal's last now: a run's queries start there, not at the start.
  Statement s(db_, "INSERT INTO runs (digest, plan, status, started_at, host, pid, first_transition) "
                   "VALUES (?, ?, 'running', ?, ?, ?, (SELECT coalesce(max(id), 0) FROM transitions))");
  s.Bind(1, digest).Bind(2, plan_json).Bind(3, NowTimestamp()).Bind(4, HostName()).Bind(5, getpid());
  s.Step();
  committed_.run = sqlite3_last_insert_rowid(db_);
  marker_.Write(committed_);
  return committed_.run;
}

std::optional<RunInfo> SqliteStore::LastRun() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, digest, plan, status, started_at, coalesce(finished_at, ''), coalesce(host, '') "
                   "FROM runs ORDER BY id DESC LIMIT 1");
  if (!s.Step()) return std::nullopt;
  return RunInfo{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)};
}

void SqliteStore::RememberPlanFile(const std::string& file_sha256, const std::string& digest) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT OR REPLACE INTO plan_files VALUES (?, ?)");
  s.Bind(1, file_sha256).Bind(2, digest);
  s.Step();
}

std::optional<std::string> SqliteStore::PlanFileDigest(const std::string& file_sha256) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT digest FROM plan_files WHERE sha256 = ?");
  s.Bind(1, file_sha256);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::optional<RunInfo> SqliteStore::LastRunSummary() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, digest, status, started_at FROM runs ORDER BY id DESC LIMIT 1");
  if (!s.Step()) return std::nullopt;
  return RunInfo{s.Int(0), s.Text(1), "", s.Text(2), s.Text(3)};
}

void SqliteStore::WriteRunStatus(int64_t run, const std::string& status) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
  s.Bind(1, status).Bind(2, NowTimestamp()).Bind(3, run);
  s.Step();
}

void SqliteStore::WriteBatch(const std::vector<Pending>& batch) {
  if (std::none_of(batch.begin(), batch.end(), [](const Pending& p) { return p.transition != nullptr; })) return;
  std::lock_guard lock(mutex_);
  std::string now = NowTimestamp();
  if (begin_ == nullptr) {
    begin_ = Prepare(db_, "BEGIN IMMEDIATE");
    commit_ = Prepare(db_, "COMMIT");
    insert_transition_ = Prepare(db_, "INSERT INTO transitions (run_id, step, status, attempt, exit_code, error, at) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  }
  Statement(db_, begin_).Step();
  try {
    Statement journal(db_, insert_transition_);
    for (const Pending& p : batch) {
      if (p.transition == nullptr) continue;
      const Transition& t = *p.transition;
      std::string status(StatusName(t.status));
      journal.Reset().Bind(1, p.run).Bind(2, t.step).Bind(3, status).Bind(4, t.attempt);
      if (t.exit_code) journal.Bind(5, *t.exit_code);
      else journal.BindNull(5);
      journal.Bind(6, t.error).Bind(7, now);
      journal.Step();
      if (!t.log.empty()) {
        Statement log(db_, "INSERT INTO logs (run_id, step, attempt, action, stdout, stderr, truncated, at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        log.Bind(1, p.run).Bind(2, t.step).Bind(3, t.attempt).Bind(4, std::string(LogAction(t.status)));
        log.Bind(5, t.log.out).Bind(6, t.log.err).Bind(7, int64_t{t.log.truncated}).Bind(8, now).Step();
      }
      for (const auto& [name, value] : t.outputs) {
        Statement output(db_, "INSERT OR REPLACE INTO outputs (run_id, step, name, value) VALUES (?, ?, ?, ?)");
        output.Bind(1, p.run).Bind(2, t.step).Bind(3, name).Bind(4, value).Step();
      }
    }
    Statement(db_, commit_).Step();
    committed_.transition = sqlite3_last_insert_rowid(db_);
    marker_.Write(committed_);
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// A rowid range from the run's first transition: no index on run_id, which
// would be one more page to write with every transition.
constexpr const char* kRunJournal =
    "FROM transitions WHERE id > (SELECT first_transition FROM runs WHERE id = ?1) AND run_id = ?1 ORDER BY id";

void SqliteStore::ReadJournal(int64_t run, const std::function<void(const Row&)>& each) {
  std::lock_guard lock(mutex_);
  Statement s(db_, fmt::format("SELECT step, status, attempt, exit_code, error, at {}", kRunJournal).c_str());
  s.Bind(1, run);
  while (s.Step()) {
    std::optional<int> exit_code;
    if (!s.IsNull(3)) exit_code = static_cast<int>(s.Int(3));
    each({s.View(0), s.View(1), s.Int(2), exit_code, s.View(4), s.View(5)});
  }
}

void SqliteStore::RecordApproval(int64_t run, const Approval& a) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "INSERT INTO approvals (run_id, step, approved_by, source, note, given_at, recorded_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, run).Bind(2, a.step).Bind(3, a.by).Bind(4, a.source).Bind(5, a.note).Bind(6, a.at).Bind(7, NowTimestamp());
  s.Step();
}

std::vector<Approval> SqliteStore::Approvals(int64_t run) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT step, approved_by, note, source, given_at FROM approvals WHERE run_id = ? ORDER BY id");
  s.Bind(1, run);
  std::vector<Approval> out;
  while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  return out;
}

std::map<std::string, std::string> SqliteStore::Outputs(int64_t run) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT step, name, value FROM outputs WHERE run_id = ?");
  s.Bind(1, run);
  std::map<std::string, std::string> out;
  while (s.Step()) out[s.Text(0) + "." + s.Text(1)] = s.Text(2);
  return out;
}

std::vector<RunInfo> SqliteStore::Runs() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, digest, status, started_at, coalesce(finished_at, ''), coalesce(host, '') "
                   "FROM runs ORDER BY id DESC");
  std::vector<RunInfo> out;
  while (s.Step()) out.push_back({s.Int(0), s.Text(1), "", s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
  return out;
}

std::optional<RunInfo> SqliteStore::Run(int64_t id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT id, digest, plan, status, started_at, coalesce(finished_at, ''), coalesce(host, '') "
                   "FROM runs WHERE id = ?");
  s.Bind(1, id);
  if (!s.Step()) return std::nullopt;
  return RunInfo{s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)};
}

std::vector<StoredLog> SqliteStore::Logs(int64_t run, const std::string& step) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT attempt, action, stdout, stderr, truncated, at FROM logs WHERE run_id = ? AND step = ? "
                   "ORDER BY id");
  s.Bind(1, run).Bind(2, step);
  std::vector<StoredLog> out;
  while (s.Step()) out.push_back({s.Int(0), s.Text(1), {s.Text(2), s.Text(3), s.Int(4) != 0}, s.Text(5)});
  return out;
}

// A flock on the state directory itself: removing or replacing a file in it
// cannot release it. DIR/lock only says who holds it.
class FileLock : public StoreLock {
 public:
  FileLock(int fd, std::string info_path) : fd_(fd), info_path_(std::move(info_path)) {}
  ~FileLock() override {
    unlink(info_path_.c_str());
    close(fd_);  // releases the flock
  }

 private:
  int fd_;
  std::string info_path_;
};

std::string ReadHolder(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  char buffer[512] = {};
  ssize_t n = fd >= 0 ? pread(fd, buffer, sizeof buffer - 1, 0) : -1;
  if (fd >= 0) close(fd);
  std::string holder = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "another process";
  while (!holder.empty() && holder.back() == '\n') holder.pop_back();
  return holder;
}

}  // namespace

std::unique_ptr<StoreLock> AcquireFileLock(const std::string& dir, std::string& holder, std::string& error) {
  if (!PrepareStateDir(dir, error)) return nullptr;
  std::string path = (std::filesystem::path(dir) / "lock").string();
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    error = fmt::format("cannot open state directory `{}`: {}", dir, std::strerror(errno));
    return nullptr;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    // Shared holders are `sparkc step` runs, which say who they are in
    // their claim files, not in DIR/lock.
    holder = flock(fd, LOCK_SH | LOCK_NB) == 0 ? kStepClaimants : ReadHolder(path);
    close(fd);
    return nullptr;
  }
  // Written like every file sparkc writes: a symlink planted as `lock` is
  // replaced, never written through.
  if (std::string why; !WriteFileAtomically(path, LockHolderInfo() + "\n", why)) {
    error = fmt::format("cannot write lock file `{}`: {}", path, why);
    close(fd);
    return nullptr;
  }
  return std::make_unique<FileLock>(fd, path);
}

// A step's claim: the directory's flock shared (an apply or rollback holds it
// exclusive) and DIR/claims/KEY exclusive; the claim file names its holder.
class FileClaim : public StoreLock {
 public:
  FileClaim(int dir_fd, int claim_fd) : dir_fd_(dir_fd), claim_fd_(claim_fd) {}
  ~FileClaim() override {
    close(claim_fd_);
    close(dir_fd_);
  }

 private:
  int dir_fd_, claim_fd_;
};

std::unique_ptr<StoreLock> ClaimFileStep(const std::string& dir, const std::string& key, std::string& holder,
                                         std::string& error) {
  if (!PrepareStateDir(dir, error)) return nullptr;
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    error = fmt::format("cannot open state directory `{}`: {}", dir, std::strerror(errno));
    return nullptr;
  }
  if (flock(dir_fd, LOCK_SH | LOCK_NB) != 0) {
    holder = ReadHolder((std::filesystem::path(dir) / "lock").string());
    close(dir_fd);
    return nullptr;
  }
  std::filesystem::path claims = std::filesystem::path(dir) / "claims";
  if (mkdir(claims.c_str(), 0700) != 0 && errno != EEXIST) {
    error = fmt::format("cannot create `{}`: {}", claims.string(), std::strerror(errno));
    close(dir_fd);
    return nullptr;
  }
  std::string path = (claims / (key + ".lock")).string();
  // O_NOFOLLOW: a symlink planted as the claim file is refused, never
  // written through. The file stays: removing it would race a claimant.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = fmt::format("cannot open claim file `{}`: {}", path, std::strerror(errno));
    close(dir_fd);
    return nullptr;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    holder = ReadHolder(path);
    close(fd);
    close(dir_fd);
    return nullptr;
  }
  std::string info = LockHolderInfo() + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, info.data(), info.size(), 0) != static_cast<ssize_t>(info.size())) {
    error = fmt::format("cannot write claim file `{}`: {}", path, std::strerror(errno));
    close(fd);
    close(dir_fd);
    return nullptr;
  }
  return std::make_unique<FileClaim>(dir_fd, fd);
}

std::unique_ptr<StateStore> OpenSqlite(const std::string& dir, std::string& error) {
  if (!PrepareStateDir(dir, error)) return nullptr;
  std::string path = (std::filesystem::path(dir) / "state.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW,
                      nullptr) != SQLITE_OK) {
    error = fmt::format("cannot open state store `{}`: {}", path, db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  auto store = std::make_unique<SqliteStore>(db);
  try {
    sqlite3_busy_timeout(db, 5000);
    // An fdatasync that grows a file also commits its new size, and on ext4
    // that halves the rate of durable transitions. SQLite writes its WAL from
    // the start again after each checkpoint, so a small WAL stops growing
    // after a few hundred transitions; the database grows in large chunks.
    int chunk_bytes = 256 * 1024;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk_bytes);
    store->Exec("PRAGMA journal_mode=WAL");
    // 128 pages (512 KiB): the first 128 transitions in a new state
    // directory grow the WAL, each such commit costing about two; later
    // ones overwrite it. A checkpoint copies the journal's few new pages.
    store->Exec("PRAGMA wal_autocheckpoint=128");
    store->Exec("PRAGMA synchronous=FULL");
    store->Exec("PRAGMA foreign_keys=ON");
    store->Migrate();
    std::string why;
    if (!store->CheckMarker(dir, why)) {
      error = fmt::format("cannot use state store `{}`: {}", path, why);
      return nullptr;
    }
  } catch (const std::exception& e) {
    error = fmt::format("cannot use state store `{}`: {}", path, e.what());
    return nullptr;
  }
  return store;
}

}  // namespace sparkc::runtime
