// The PostgreSQL backend: the tables of the SQLite store in the schema
// `sparkc` of the database a postgres:// URL names, so a team's runners
// share one journal; the lock is an advisory lock of the holder's session,
// which the server releases when that session ends.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <map>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "compiler/plan/plan.h"
#include "runtime/state/backends.h"

namespace sparkc::runtime {
namespace {

// Created once per database, under kSchemaLockKey: two runners opening a new
// database at once would otherwise race on CREATE ... IF NOT EXISTS.
constexpr const char* kSchema = R"sql(
CREATE SCHEMA IF NOT EXISTS sparkc;
CREATE TABLE IF NOT EXISTS sparkc.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO sparkc.meta VALUES ('schema', '2') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS sparkc.runs (
  id BIGSERIAL PRIMARY KEY, digest TEXT NOT NULL, plan TEXT NOT NULL, status TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, host TEXT, pid BIGINT,
  first_transition BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sparkc.transitions (
  id BIGSERIAL PRIMARY KEY, run_id BIGINT NOT NULL REFERENCES sparkc.runs(id), step TEXT NOT NULL,
  status TEXT NOT NULL, attempt BIGINT NOT NULL, exit_code INTEGER, error TEXT, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sparkc.plan_files (sha256 TEXT PRIMARY KEY, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sparkc.outputs (
  run_id BIGINT NOT NULL REFERENCES sparkc.runs(id), step TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (run_id, step, name));
CREATE TABLE IF NOT EXISTS sparkc.logs (
  id BIGSERIAL PRIMARY KEY, run_id BIGINT NOT NULL REFERENCES sparkc.runs(id), step TEXT NOT NULL,
  attempt BIGINT NOT NULL, action TEXT NOT NULL, stdout TEXT NOT NULL, stderr TEXT NOT NULL,
  truncated BOOLEAN NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_step ON sparkc.logs (run_id, step);
CREATE TABLE IF NOT EXISTS sparkc.approvals (
  id BIGSERIAL PRIMARY KEY, run_id BIGINT NOT NULL REFERENCES sparkc.runs(id), step TEXT NOT NULL,
  approved_by TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL, given_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sparkc.lock_holder (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sparkc.claim_holders (key TEXT PRIMARY KEY, holder TEXT NOT NULL);
CREATE OR REPLACE VIEW sparkc.steps AS
SELECT run_id, step, status, attempts, updated_at FROM (
  SELECT run_id, step, status, at AS updated_at,
         max(attempt) OVER (PARTITION BY run_id, step) AS attempts,
         row_number() OVER (PARTITION BY run_id, step ORDER BY id DESC) AS latest
  FROM sparkc.transitions) AS folded
WHERE latest = 1;
)sql";

// "sparkc" in ASCII: the session lock of one state store (one database).
constexpr const char* kStoreLockKey = "126875781737315";
constexpr const char* kSchemaLockKey = "126875781737316";

using Params = std::vector<std::optional<std::string>>;

class Result {
 public:
  explicit Result(PGresult* r) : r_(r, PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view View(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string Text(int row, int col) const { return std::string(View(row, col)); }
  int64_t Int(int row, int col) const { return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// How long a statement may wait for the server (SPARKC_JOURNAL_TIMEOUT_MS,
// default 30 s).
std::chrono::milliseconds JournalTimeout() {
  static const std::chrono::milliseconds timeout = [] {
    const char* value = std::getenv("SPARKC_JOURNAL_TIMEOUT_MS");
    long long ms = value != nullptr ? std::atoll(value) : 0;
    return std::chrono::milliseconds(ms > 0 ? ms : 30'000);
  }();
  return timeout;
}

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class Connection {
 public:
  explicit Connection(PGconn* c) : c_(c) {}
  ~Connection() { PQfinish(c_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Null with the server's reason. A URL that sets no connect_timeout gets
  // 10 s: an unreachable server is an error, not a hang.
  static std::unique_ptr<Connection> Open(const std::string& url, std::string& error) {
    std::string full = url;
    auto add = [&](std::string_view key, std::string_view value) {
      if (full.find(std::string(key) + "=") != std::string::npos) return;
      full += fmt::format("{}{}={}", full.find('?') == std::string::npos ? "?" : "&", key, value);
    };
    add("connect_timeout", "10");
    add("application_name", "sparkc");
    // A peer that vanished (a crashed host, a cut network) is noticed in
    // about 20 s rather than the kernel's two hours.
    add("keepalives", "1");
    add("keepalives_idle", "10");
    add("keepalives_interval", "5");
    add("keepalives_count", "2");
    add("tcp_user_timeout", "20000");
    char* parse_error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(full.c_str(), &parse_error);
    // libpq's message may quote the URL, password and all.
    PQfreemem(parse_error);
    if (parsed == nullptr) {
      error = fmt::format("`{}` is not a PostgreSQL URL libpq can read (its message is not shown: it may "
                          "quote the password)\n  help: the form is postgres://USER:PASSWORD@HOST:PORT/DATABASE, "
                          "with reserved characters percent-encoded", DisplayLocation(url));
      return nullptr;
    }
    bool at_in_host = false;
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o)
      at_in_host |= std::string_view(o->keyword) == "host" && o->val != nullptr && std::strchr(o->val, '@');
    PQconninfoFree(parsed);
    if (at_in_host) {
      error = fmt::format("`{}`: the URL has more than one `@`, so libpq would read part of the password as the "
                          "host\n  help: write `@` in a password as %40", DisplayLocation(url));
      return nullptr;
    }
    auto connection = std::make_unique<Connection>(PQconnectdb(full.c_str()));
    if (connection->c_ == nullptr || PQstatus(connection->c_) != CONNECTION_OK) {
      error = fmt::format("cannot connect to `{}`: {}", DisplayLocation(url),
                          connection->c_ ? Trimmed(PQerrorMessage(connection->c_)) : "out of memory");
      return nullptr;
    }
    // NOTICEs (`relation ... already exists, skipping`) are not for the user.
    PQsetNoticeProcessor(connection->c_, [](void*, const char*) {}, nullptr);
    // The server ends a statement that runs past the journal timeout (a
    // lock held by someone else) on its own, too.
    try {
      connection->Exec(fmt::format("SET statement_timeout = {}", JournalTimeout().count()));
    } catch (const std::exception& e) {
      error = fmt::format("cannot use `{}`: {}", DisplayLocation(url), e.what());
      return nullptr;
    }
    return connection;
  }

  // Throws when the server fails the statement, or when no answer comes
  // within the journal timeout: a server that stopped (SIGSTOP, a frozen
  // VM) keeps its TCP connection open, so neither keepalives nor the
  // server's statement_timeout end the wait; this deadline does. A
  // connection that timed out is abandoned: what it was in the middle of
  // is unknown, so every later statement on it fails too.
  Result Exec(const std::string& sql, const Params& params = {}) {
    if (abandoned_) throw std::runtime_error("the connection was abandoned after a journal timeout");
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    int sent = params.empty() ? PQsendQuery(c_, sql.c_str())
                              : PQsendQueryParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                  values.data(), nullptr, nullptr, 0);
    if (!sent) throw std::runtime_error(Trimmed(PQerrorMessage(c_)));
    auto deadline = std::chrono::steady_clock::now() + JournalTimeout();
    PGresult* last = nullptr;
    while (true) {
      while (PQisBusy(c_)) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd fd{PQsocket(c_), POLLIN, 0};
        if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) == 0) {
          PQclear(last);
          abandoned_ = true;
          throw std::runtime_error(fmt::format("PostgreSQL did not answer within {} ms (SPARKC_JOURNAL_TIMEOUT_MS)",
                                               JournalTimeout().count()));
        }
        if (!PQconsumeInput(c_)) {
          PQclear(last);
          throw std::runtime_error(Trimmed(PQerrorMessage(c_)));
        }
      }
      PGresult* r = PQgetResult(c_);
      if (r == nullptr) break;
      PQclear(last);
      last = r;
    }
    Result result(last);
    ExecStatusType status = PQresultStatus(last);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* message = last != nullptr ? PQresultErrorMessage(last) : PQerrorMessage(c_);
      throw std::runtime_error(Trimmed(message != nullptr && *message ? message : PQerrorMessage(c_)));
    }
    return result;
  }

  void EnsureSchema() {
    Exec("BEGIN");
    try {
      Exec(fmt::format("SELECT pg_advisory_xact_lock({})", kSchemaLockKey));
      Exec(kSchema);
      int version = std::atoi(Exec("SELECT value FROM sparkc.meta WHERE key = 'schema'").Text(0, 0).c_str());
      if (version > kSchemaVersion)
        throw std::runtime_error(fmt::format("its schema is version {}, newer than this sparkc knows ({}); "
                                             "use the sparkc that wrote it",
                                             version, kSchemaVersion));
      Exec("COMMIT");
    } catch (...) {
      ExecQuietly("ROLLBACK");
      throw;
    }
  }

  void ExecQuietly(const char* sql) {
    try {
      Exec(sql);
    } catch (const std::exception&) {
    }
  }

  std::mutex mutex;  // one statement or transaction at a time, whoever shares the session

 private:
  PGconn* c_;
  bool abandoned_ = false;
};

// The session that holds a store's lock, by URL, while the lock lives. A
// store this process opens on that URL writes through the same session, so
// a lost session (which loses the lock with it) fails the next write
// instead of leaving this runner writing while another takes the lock.
//
// A process may hold several at once on one URL (a step's claim and a
// parallelism slot): the first taken is the one stores write through.
class LockedSessions {
 public:
  void Add(const std::string& url, const std::shared_ptr<Connection>& session) {
    std::lock_guard lock(mutex_);
    by_url_[url].push_back(session);
  }
  void Remove(const std::string& url, const std::shared_ptr<Connection>& session) {
    std::lock_guard lock(mutex_);
    auto it = by_url_.find(url);
    if (it == by_url_.end()) return;
    std::erase_if(it->second, [&](const std::weak_ptr<Connection>& held) {
      std::shared_ptr<Connection> live = held.lock();
      return !live || live == session;
    });
    if (it->second.empty()) by_url_.erase(it);
  }
  std::shared_ptr<Connection> Find(const std::string& url) {
    std::lock_guard lock(mutex_);
    auto it = by_url_.find(url);
    if (it == by_url_.end()) return nullptr;
    for (const std::weak_ptr<Connection>& held : it->second)
      if (std::shared_ptr<Connection> live = held.lock()) return live;
    return nullptr;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::weak_ptr<Connection>>> by_url_;
};

LockedSessions& Locked() {
  static LockedSessions sessions;
  return sessions;
}

std::string Number(int64_t n) { return std::to_string(n); }

class PostgresStore : public StateStore {
 public:
  explicit PostgresStore(std::shared_ptr<Connection> db) : db_(std::move(db)) {}
  ~PostgresStore() override { FlushQuietly(); }

  int64_t CreateRun(const std::string& digest, const std::string& plan_json) override {
    std::lock_guard lock(db_->mutex);
    // As in SQLite: ids only grow, so the run's transitions come after this.
    return db_->Exec("INSERT INTO sparkc.runs (digest, plan, status, started_at, host, pid, first_transition) "
                     "VALUES ($1, $2, 'running', $3, $4, $5, (SELECT coalesce(max(id), 0) FROM sparkc.transitions)) "
                     "RETURNING id",
                     {digest, plan_json, NowTimestamp(), HostName(), Number(getpid())})
        .Int(0, 0);
  }

  std::optional<RunInfo> LastRun() override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT id, digest, plan, status, started_at, coalesce(finished_at, ''), "
                         "coalesce(host, '') FROM sparkc.runs ORDER BY id DESC LIMIT 1");
    if (r.rows() == 0) return std::nullopt;
    return RunInfo{r.Int(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4), r.Text(0, 5), r.Text(0, 6)};
  }

  std::optional<RunInfo> LastRunSummary() override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT id, digest, status, started_at FROM sparkc.runs ORDER BY id DESC LIMIT 1");
    if (r.rows() == 0) return std::nullopt;
    return RunInfo{r.Int(0, 0), r.Text(0, 1), "", r.Text(0, 2), r.Text(0, 3)};
  }

  void RememberPlanFile(const std::string& file_sha256, const std::string& digest) override {
    std::lock_guard lock(db_->mutex);
    db_->Exec("INSERT INTO sparkc.plan_files VALUES ($1, $2) ON CONFLICT (sha256) DO UPDATE SET digest = $2",
              {file_sha256, digest});
  }

  std::optional<std::string> PlanFileDigest(const std::string& file_sha256) override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT digest FROM sparkc.plan_files WHERE sha256 = $1", {file_sha256});
    if (r.rows() == 0) return std::nullopt;
    return r.Text(0, 0);
  }

  void RecordApproval(int64_t run, const Approval& a) override {
    std::lock_guard lock(db_->mutex);
    db_->Exec("INSERT INTO sparkc.approvals (run_id, step, approved_by, source, note, given_at, recorded_at) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {Number(run), a.step, a.by, a.source, a.note, a.at, NowTimestamp()});
  }

  std::vector<Approval> Approvals(int64_t run) override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT step, approved_by, note, source, given_at FROM sparkc.approvals "
                         "WHERE run_id = $1 ORDER BY id",
                         {Number(run)});
    std::vector<Approval> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4)});
    return out;
  }

  std::map<std::string, std::string> Outputs(int64_t run) override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT step, name, value FROM sparkc.outputs WHERE run_id = $1", {Number(run)});
    std::map<std::string, std::string> out;
    for (int i = 0; i < r.rows(); ++i) out[r.Text(i, 0) + "." + r.Text(i, 1)] = r.Text(i, 2);
    return out;
  }

  std::vector<RunInfo> Runs() override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT id, digest, status, started_at, coalesce(finished_at, ''), coalesce(host, '') "
                         "FROM sparkc.runs ORDER BY id DESC");
    std::vector<RunInfo> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.Int(i, 0), r.Text(i, 1), "", r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5)});
    return out;
  }

  std::optional<RunInfo> Run(int64_t id) override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT id, digest, plan, status, started_at, coalesce(finished_at, ''), "
                         "coalesce(host, '') FROM sparkc.runs WHERE id = $1",
                         {Number(id)});
    if (r.rows() == 0) return std::nullopt;
    return RunInfo{r.Int(0, 0), r.Text(0, 1), r.Text(0, 2), r.Text(0, 3), r.Text(0, 4), r.Text(0, 5), r.Text(0, 6)};
  }

  std::vector<StoredLog> Logs(int64_t run, const std::string& step) override {
    std::lock_guard lock(db_->mutex);
    Result r = db_->Exec("SELECT attempt, action, stdout, stderr, truncated, at FROM sparkc.logs "
                         "WHERE run_id = $1 AND step = $2 ORDER BY id",
                         {Number(run), step});
    std::vector<StoredLog> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.Int(i, 0), r.Text(i, 1), {r.Text(i, 2), r.Text(i, 3), r.Text(i, 4) == "t"}, r.Text(i, 5)});
    return out;
  }

 protected:
  // One INSERT of every row, one round trip and one commit per batch; a
  // batch past what one statement may bind goes in several, in a transaction.
  void WriteBatch(const std::vector<Pending>& batch) override {
    constexpr size_t kRowsPerStatement = 4096;  // 7 parameters a row; PostgreSQL binds at most 65535
    std::vector<const Pending*> rows;
    for (const Pending& p : batch)
      if (p.transition != nullptr) rows.push_back(&p);
    if (rows.empty()) return;
    std::string now = NowTimestamp();
    std::lock_guard lock(db_->mutex);
    bool with_outputs = std::any_of(rows.begin(), rows.end(), [](const Pending* p) {
      return !p->transition->outputs.empty() || !p->transition->log.empty();
    });
    bool several = rows.size() > kRowsPerStatement || with_outputs;
    if (several) db_->Exec("BEGIN");
    try {
      for (size_t begin = 0; begin < rows.size(); begin += kRowsPerStatement) {
        std::string sql =
            "INSERT INTO sparkc.transitions (run_id, step, status, attempt, exit_code, error, at) VALUES ";
        Params params;
        for (size_t i = begin; i < std::min(rows.size(), begin + kRowsPerStatement); ++i) {
          const Transition& t = *rows[i]->transition;
          size_t n = params.size();
          sql += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${}, ${})", n == 0 ? "" : ", ", n + 1, n + 2, n + 3,
                             n + 4, n + 5, n + 6, n + 7);
          params.insert(params.end(), {Number(rows[i]->run), t.step, std::string(StatusName(t.status)),
                                       Number(t.attempt),
                                       t.exit_code ? std::optional(Number(*t.exit_code)) : std::nullopt, t.error,
                                       now});
        }
        db_->Exec(sql, params);
      }
      for (const Pending* row : rows) {
        const Transition& t = *row->transition;
        if (t.log.empty()) continue;
        db_->Exec("INSERT INTO sparkc.logs (run_id, step, attempt, action, stdout, stderr, truncated, at) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                  {Number(row->run), t.step, Number(t.attempt), std::string(LogAction(t.status)), t.log.out,
                   t.log.err, t.log.truncated ? "true" : "false", now});
      }
      for (const Pending* row : rows)
        for (const auto& [name, value] : row->transition->outputs)
          db_->Exec("INSERT INTO sparkc.outputs (run_id, step, name, value) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT (run_id, step, name) DO UPDATE SET value = EXCLUDED.value",
                    {Number(row->run), row->transition->step, name, value});
      if (several) db_->Exec("COMMIT");
    } catch (...) {
      if (several) db_->ExecQuietly("ROLLBACK");
      throw;
    }
  }

  void ReadJournal(int64_t run, const std::function<void(const Row&)>& each) override {
    Result r = [&] {
      std::lock_guard lock(db_->mutex);
      return db_->Exec(fmt::format("SELECT step, status, attempt, exit_code, error, at {}", kRunJournal),
                       {Number(run)});
    }();
    for (int i = 0; i < r.rows(); ++i) {
      std::optional<int> exit_code;
      if (!r.IsNull(i, 3)) exit_code = static_cast<int>(r.Int(i, 3));
      each({r.View(i, 0), r.View(i, 1), r.Int(i, 2), exit_code, r.View(i, 4), r.View(i, 5)});
    }
  }

  void WriteRunStatus(int64_t run, const std::string& status) override {
    std::lock_guard lock(db_->mutex);
    db_->Exec("UPDATE sparkc.runs SET status = $1, finished_at = $2 WHERE id = $3",
              {status, NowTimestamp(), Number(run)});
  }

 private:
  // The run's range of the journal, as in SQLite.
  static constexpr const char* kRunJournal =
      "FROM sparkc.transitions WHERE id > (SELECT first_transition FROM sparkc.runs WHERE id = $1) "
      "AND run_id = $1 ORDER BY id";

  std::shared_ptr<Connection> db_;
};

class PostgresLock : public StoreLock {
 public:
  PostgresLock(std::string url, std::shared_ptr<Connection> session)
      : url_(std::move(url)), session_(std::move(session)) {
    Locked().Add(url_, session_);
  }
  ~PostgresLock() override {
    Locked().Remove(url_, session_);
    try {
      std::lock_guard lock(session_->mutex);
      session_->Exec(fmt::format("SELECT pg_advisory_unlock({})", kStoreLockKey));
    } catch (const std::exception&) {
      // Closing the session releases it as well.
    }
  }

 private:
  std::string url_;
  std::shared_ptr<Connection> session_;
};

// `holder` is LockHolderInfo's "pid N on HOST since TIME".
bool HeldByDeadLocalProcess(const std::string& holder) {
  int pid = 0;
  char host[256] = {};
  if (std::sscanf(holder.c_str(), "pid %d on %255s", &pid, host) != 2 || pid <= 0) return false;
  return host == HostName() && kill(pid, 0) != 0 && errno == ESRCH;
}

class PostgresClaim : public StoreLock {
 public:
  PostgresClaim(std::string url, std::shared_ptr<Connection> session, std::string lock)
      : url_(std::move(url)), session_(std::move(session)), lock_(std::move(lock)) {
    Locked().Add(url_, session_);
  }
  ~PostgresClaim() override {
    Locked().Remove(url_, session_);
    try {
      std::lock_guard lock(session_->mutex);
      session_->Exec(fmt::format("SELECT pg_advisory_unlock({}), pg_advisory_unlock_shared({})", lock_,
                                 kStoreLockKey));
    } catch (const std::exception&) {
      // Closing the session releases them as well.
    }
  }

 private:
  std::string url_;
  std::shared_ptr<Connection> session_;
  std::string lock_;
};

// The advisory lock of a claim key: 63 bits of its SHA-256 (a collision
// would make two steps wait for each other, never run one twice).
std::string ClaimLockKey(const std::string& key) {
  std::string hex = plan::Sha256(key).substr(7, 15);
  return std::to_string(std::stoll(hex, nullptr, 16));
}

}  // namespace

std::unique_ptr<StoreLock> ClaimPostgresStep(const std::string& url, const std::string& key, std::string& holder,
                                             std::string& error) {
  auto session = Connection::Open(url, error);
  if (!session) return nullptr;
  std::string lock = ClaimLockKey(key);
  try {
    session->EnsureSchema();
    if (session->Exec(fmt::format("SELECT pg_try_advisory_lock_shared({})", kStoreLockKey)).Text(0, 0) != "t") {
      Result r = session->Exec("SELECT holder FROM sparkc.lock_holder WHERE id = 1");
      holder = r.rows() > 0 ? r.Text(0, 0) : "another process";
      return nullptr;
    }
    // As for the store lock: a claimant that died on this machine is let go
    // by the server a moment later.
    auto try_lock = [&] { return session->Exec(fmt::format("SELECT pg_try_advisory_lock({})", lock)).Text(0, 0) == "t"; };
    for (int waited_ms = 0; !try_lock(); waited_ms += 50) {
      Result r = session->Exec("SELECT holder FROM sparkc.claim_holders WHERE key = $1", {key});
      holder = r.rows() > 0 ? r.Text(0, 0) : "another process";
      if (waited_ms >= 5000 || !HeldByDeadLocalProcess(holder)) {
        session->Exec(fmt::format("SELECT pg_advisory_unlock_shared({})", kStoreLockKey));
        return nullptr;
      }
      usleep(50'000);
    }
    session->Exec("INSERT INTO sparkc.claim_holders VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET holder = $2",
                  {key, LockHolderInfo()});
  } catch (const std::exception& e) {
    error = fmt::format("cannot claim in state store `{}`: {}", DisplayLocation(url), e.what());
    return nullptr;
  }
  return std::make_unique<PostgresClaim>(url, std::move(session), lock);
}

std::unique_ptr<StateStore> OpenPostgres(const std::string& url, std::string& error) {
  if (std::shared_ptr<Connection> locked = Locked().Find(url)) return std::make_unique<PostgresStore>(locked);
  std::shared_ptr<Connection> db = Connection::Open(url, error);
  if (!db) return nullptr;
  try {
    db->EnsureSchema();
  } catch (const std::exception& e) {
    error = fmt::format("cannot use state store `{}`: {}", DisplayLocation(url), e.what());
    return nullptr;
  }
  return std::make_unique<PostgresStore>(std::move(db));
}

std::unique_ptr<StoreLock> AcquirePostgresLock(const std::string& url, std::string& holder, std::string& error) {
  auto session = Connection::Open(url, error);
  if (!session) return nullptr;
  try {
    session->EnsureSchema();
    auto try_lock = [&] {
      return session->Exec(fmt::format("SELECT pg_try_advisory_lock({})", kStoreLockKey)).Text(0, 0) == "t";
    };
    // A holder that died on this machine leaves its lock until the server
    // sees its session close, a moment later: wait for that, not fail.
    for (int waited_ms = 0; !try_lock(); waited_ms += 50) {
      if (session->Exec(fmt::format("SELECT pg_try_advisory_lock_shared({})", kStoreLockKey)).Text(0, 0) == "t") {
        session->Exec(fmt::format("SELECT pg_advisory_unlock_shared({})", kStoreLockKey));
        holder = kStepClaimants;
        return nullptr;
      }
      Result r = session->Exec("SELECT holder FROM sparkc.lock_holder WHERE id = 1");
      holder = r.rows() > 0 ? r.Text(0, 0) : "another process";
      if (waited_ms >= 5000 || !HeldByDeadLocalProcess(holder)) return nullptr;
      usleep(50'000);
    }
    session->Exec("INSERT INTO sparkc.lock_holder VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET holder = $1",
                  {LockHolderInfo()});
  } catch (const std::exception& e) {
    error = fmt::format("cannot lock state store `{}`: {}", DisplayLocation(url), e.what());
    return nullptr;
  }
  return std::make_unique<PostgresLock>(url, std::move(session));
}

}  // namespace sparkc::runtime
