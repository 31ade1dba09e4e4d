#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "runtime/state/store.h"

using namespace sparkc::runtime;

static std::string TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(name) + "." + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

static std::unique_ptr<StateStore> OpenStore(const std::string& location) {
  std::string error;
  auto store = StateStore::Open(location, error);
  INFO(error);
  REQUIRE(store);
  return store;
}

// What every backend must do: journal transitions (a success queued with
// RecordLater goes out with the next commit), fold them into states, and
// keep runs, plan files and approvals across a reopen.
static void JournalRoundTrip(const std::string& location) {
  auto store = OpenStore(location);
  int64_t run = store->CreateRun("sha256:abc", "{\"k\": 1}");
  store->Record(run, {"a", StepStatus::Running, 1, {}, ""});
  store->Record(run, {"a", StepStatus::Failed, 1, 2, "exit code 2", {}, {"", "no such table\n", false}});
  store->Record(run, {"a", StepStatus::Running, 2, {}, ""});
  // Queued with its log: both go out with the next commit.
  store->RecordLater(run, {"a", StepStatus::Succeeded, 2, {}, "", {}, {"created\n", "", true}});
  CHECK(store->Steps(run)["a"].status == StepStatus::Running);  // queued, not written
  store->SetRunStatus(run, "succeeded");                         // commits what was queued first
  auto steps = store->Steps(run);
  CHECK(steps["a"].status == StepStatus::Succeeded);
  CHECK(steps["a"].attempts == 2);
  auto journal = store->Journal(run);
  REQUIRE(journal.size() == 4);
  CHECK_FALSE(journal[0].exit_code);
  CHECK(journal[1].exit_code == 2);
  CHECK(journal[1].error == "exit code 2");
  store->RememberPlanFile("sha256:file", "sha256:abc");
  store->RememberPlanFile("sha256:file", "sha256:abc2");
  CHECK(store->PlanFileDigest("sha256:file") == "sha256:abc2");
  CHECK_FALSE(store->PlanFileDigest("sha256:none"));
  store->RecordApproval(run, {"gate", "dba", "looks good", "--approve", "2026-12-01T00:00:00.000Z"});
  store.reset();
  // Reopening sees everything: it was durable.
  auto again = OpenStore(location);
  auto last = again->LastRun();
  REQUIRE(last);
  CHECK(last->id == run);
  CHECK(last->status == "succeeded");
  CHECK(last->digest == "sha256:abc");
  CHECK(last->plan_json == "{\"k\": 1}");
  CHECK(again->LastRunSummary()->plan_json.empty());
  auto approvals = again->Approvals(run);
  REQUIRE(approvals.size() == 1);
  CHECK(approvals[0].by == "dba");
  CHECK(approvals[0].note == "looks good");
  CHECK(approvals[0].source == "--approve");
  // Each attempt's output, in the order the attempts ended.
  auto logs = again->Logs(run, "a");
  REQUIRE(logs.size() == 2);
  CHECK(logs[0].attempt == 1);
  CHECK(logs[0].action == "do");
  CHECK(logs[0].log.err == "no such table\n");
  CHECK(logs[0].log.out.empty());
  CHECK_FALSE(logs[0].log.truncated);
  CHECK(logs[1].attempt == 2);
  CHECK(logs[1].log.out == "created\n");
  CHECK(logs[1].log.truncated);
  CHECK_FALSE(logs[1].at.empty());
  CHECK(again->Logs(run, "b").empty());
  // Runs newest first, without their plans; one run with its plan.
  auto runs = again->Runs();
  REQUIRE_FALSE(runs.empty());
  CHECK(runs.front().id == run);
  CHECK(runs.front().plan_json.empty());
  CHECK_FALSE(runs.front().finished_at.empty());
  CHECK_FALSE(runs.front().host.empty());
  auto one = again->Run(run);
  REQUIRE(one);
  CHECK(one->plan_json == "{\"k\": 1}");
  CHECK_FALSE(again->Run(run + 1000));
}

TEST_CASE("transitions are journaled and the latest state wins") {
  std::string dir = TempDir("sparkc_store");
  JournalRoundTrip(dir);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the lock admits one holder and names it") {
  std::string dir = TempDir("sparkc_lock");
  std::string holder, error;
  auto first = StoreLock::Acquire(dir, holder, error);
  REQUIRE(first);
  auto second = StoreLock::Acquire(dir, holder, error);
  CHECK_FALSE(second);
  CHECK(error.empty());
  CHECK(holder.find("pid " + std::to_string(getpid())) == 0);
  first.reset();
  auto third = StoreLock::Acquire(dir, holder, error);
  CHECK(third);
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unusable state directory is an error, not a crash") {
  std::string error;
  auto store = StateStore::Open("/proc/sparkc-cannot-create-this", error);
  CHECK_FALSE(store);
  CHECK_FALSE(error.empty());
}

TEST_CASE("records queued for later go out with the next commit, in order") {
  std::string dir = TempDir("sparkc_store_later");
  auto store = OpenStore(dir);
  int64_t run = store->CreateRun("sha256:later", "{}");
  store->RecordLater(run, {"noop1", StepStatus::Succeeded, 1, {}, ""});
  CHECK(store->Steps(run).empty());  // queued, not written
  store->Record(run, {"real", StepStatus::Running, 1, {}, ""});
  auto journal = store->Journal(run);
  REQUIRE(journal.size() == 2);
  CHECK(journal[0].step == "noop1");  // before the record that came after it
  CHECK(journal[1].step == "real");
  store->RecordLater(run, {"noop2", StepStatus::Succeeded, 1, {}, ""});
  store->Flush();
  CHECK(store->Steps(run).count("noop2") == 1);
  store->RecordLater(run, {"noop3", StepStatus::Succeeded, 1, {}, ""});
  store->SetRunStatus(run, "succeeded");  // commits what was queued first
  CHECK(store->Steps(run).count("noop3") == 1);
  store->Flush();  // nothing queued: no commit, no error
  std::filesystem::remove_all(dir);
}

// A commit that grows a file costs a second disk write (its new size): the
// WAL is reused from its start once it holds 128 pages, and the database
// grows in 256 KiB chunks, so a long run stops growing either file per
// transition.
TEST_CASE("a long run reuses the write-ahead log instead of growing it") {
  std::string dir = TempDir("sparkc_store_wal");
  auto store = OpenStore(dir);
  int64_t run = store->CreateRun("sha256:abc", "{}");
  // One page a transition: 1200 frames, where SQLite's default checkpoint
  // (1000 pages) would leave a WAL of about 4 MiB.
  for (int i = 0; i < 1200; ++i) {
    std::string step = "s";
    step += std::to_string(i);  // GCC 12 warns (-Wrestrict, a false positive) on "s" + to_string
    store->Record(run, {step, StepStatus::Succeeded, 1, {}, ""});
  }
  auto wal = std::filesystem::file_size(std::filesystem::path(dir) / "state.db-wal");
  CHECK(wal <= 640 * 1024);
  auto db = std::filesystem::file_size(std::filesystem::path(dir) / "state.db");
  CHECK(db % (256 * 1024) == 0);
  CHECK(store->Steps(run).size() == 1200);
  std::filesystem::remove_all(dir);
}

static void Sql(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

static std::string Query(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  std::string out;
  sqlite3_exec(
      db, sql,
      [](void* text, int columns, char** values, char**) {
        auto& s = *static_cast<std::string*>(text);
        for (int i = 0; i < columns; ++i)
          s += std::string(values[i] ? values[i] : "NULL") + (i + 1 < columns ? "|" : "\n");
        return 0;
      },
      &out, nullptr);
  sqlite3_close(db);
  return out;
}

TEST_CASE("a step's state is the fold of its transitions, in the store and in the view") {
  std::string dir = TempDir("sparkc_store_view");
  auto store = OpenStore(dir);
  int64_t first = store->CreateRun("sha256:one", "{}");
  store->Record(first, {"a", StepStatus::Running, 1, {}, ""});
  store->Record(first, {"a", StepStatus::Succeeded, 1, {}, ""});
  int64_t second = store->CreateRun("sha256:two", "{}");
  store->Record(second, {"a", StepStatus::Running, 1, {}, ""});
  store->Record(second, {"a", StepStatus::Failed, 1, 1, "exit code 1"});
  store->Record(second, {"a", StepStatus::Running, 2, {}, ""});
  store->Record(second, {"a", StepStatus::Failed, 2, 1, "exit code 1"});
  // A rollback records a lower attempt after a higher one: attempts stays the highest.
  store->Record(second, {"a", StepStatus::Undone, 1, {}, ""});
  auto steps = store->Steps(second);
  CHECK(steps["a"].status == StepStatus::Undone);
  CHECK(steps["a"].attempts == 2);
  CHECK(store->Steps(first)["a"].status == StepStatus::Succeeded);
  CHECK(store->Journal(first).size() == 2);
  CHECK(store->Journal(second).size() == 5);
  store.reset();
  CHECK(Query(dir + "/state.db", "SELECT run_id, step, status, attempts FROM steps ORDER BY run_id") ==
        "1|a|succeeded|1\n2|a|undone|2\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a state store of schema 1 is migrated and keeps every run and state") {
  std::string dir = TempDir("sparkc_store_v1");
  std::filesystem::create_directories(dir);
  std::string db = dir + "/state.db";
  // What sparkc wrote before schema 2, with a run it left half done.
  Sql(db, R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('schema', '1');
    CREATE TABLE runs (id INTEGER PRIMARY KEY, digest TEXT NOT NULL, plan TEXT NOT NULL, status TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT, host TEXT, pid INTEGER);
    CREATE TABLE transitions (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
      step TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL, exit_code INTEGER, error TEXT,
      at TEXT NOT NULL);
    CREATE TABLE steps (run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL, status TEXT NOT NULL,
      attempts INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
    CREATE TABLE plan_files (sha256 TEXT PRIMARY KEY, digest TEXT NOT NULL);
    CREATE TABLE approvals (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id),
      step TEXT NOT NULL, approved_by TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL,
      given_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
    INSERT INTO runs VALUES (1, 'sha256:old', '{"steps":[]}', 'stopped', '2026-11-01T00:00:00.000Z', NULL, 'h', 1);
    INSERT INTO transitions VALUES (1, 1, 'a', 'running', 1, NULL, '', '2026-11-01T00:00:01.000Z');
    INSERT INTO transitions VALUES (2, 1, 'a', 'succeeded', 1, NULL, '', '2026-11-01T00:00:02.000Z');
    INSERT INTO transitions VALUES (3, 1, 'b', 'running', 1, NULL, '', '2026-11-01T00:00:03.000Z');
    INSERT INTO steps VALUES (1, 'a', 'succeeded', 1, '2026-11-01T00:00:02.000Z');
    INSERT INTO steps VALUES (1, 'b', 'running', 1, '2026-11-01T00:00:03.000Z');
  )sql");
  auto store = OpenStore(dir);
  auto last = store->LastRun();
  REQUIRE(last);
  CHECK(last->digest == "sha256:old");
  CHECK(last->plan_json == "{\"steps\":[]}");
  auto steps = store->Steps(1);
  REQUIRE(steps.size() == 2);
  CHECK(steps["a"].status == StepStatus::Succeeded);
  CHECK(steps["b"].status == StepStatus::Running);
  CHECK(store->Journal(1).size() == 3);
  // The resumed run goes on recording.
  store->Record(1, {"b", StepStatus::Succeeded, 1, {}, ""});
  CHECK(store->Steps(1)["b"].status == StepStatus::Succeeded);
  store.reset();
  CHECK(Query(db, "SELECT value FROM meta WHERE key = 'schema'") == "2\n");
  CHECK(Query(db, "SELECT type FROM sqlite_master WHERE name = 'steps'") == "view\n");
  CHECK(Query(db, "SELECT step, status, updated_at FROM steps ORDER BY step") ==
        "a|succeeded|2026-11-01T00:00:02.000Z\nb|succeeded|" +
            Query(db, "SELECT at FROM transitions WHERE id = 4"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a state store from a newer sparkc is refused, not changed") {
  std::string dir = TempDir("sparkc_store_v9");
  std::filesystem::create_directories(dir);
  std::string db = dir + "/state.db";
  Sql(db, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '9');");
  std::string error;
  CHECK_FALSE(StateStore::Open(dir, error));
  CHECK(error.find("schema is version 9, newer than this sparkc knows (2)") != std::string::npos);
  CHECK(Query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'") == "0\n");
  std::filesystem::remove_all(dir);
}

// The same store against PostgreSQL: hidden, run by tests/e2e/postgres_state.sh
// with SPARKC_TEST_POSTGRES set to the URL of the server it starts.
static std::string PostgresUrl() {
  const char* url = std::getenv("SPARKC_TEST_POSTGRES");
  REQUIRE(url != nullptr);
  return url;
}

TEST_CASE("PostgreSQL: transitions, runs, plan files and approvals round-trip", "[.postgres]") {
  JournalRoundTrip(PostgresUrl());
}

TEST_CASE("PostgreSQL: concurrent records share commits and none is lost", "[.postgres]") {
  auto store = OpenStore(PostgresUrl());
  int64_t run = store->CreateRun("sha256:pg-group", "{}");
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w)
    workers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i)
        store->Record(run, {"s" + std::to_string(w * 50 + i), StepStatus::Succeeded, 1, {}, ""});
    });
  for (std::thread& t : workers) t.join();
  CHECK(store->Steps(run).size() == 400);
  // More rows than one statement may bind go in one transaction.
  for (int i = 0; i < 5000; ++i) store->RecordLater(run, {"later" + std::to_string(i), StepStatus::Succeeded, 1, {}, ""});
  store->Flush();
  CHECK(store->Journal(run).size() == 5400);
}

TEST_CASE("PostgreSQL: the lock admits one holder and names it", "[.postgres]") {
  std::string holder, error;
  auto first = StoreLock::Acquire(PostgresUrl(), holder, error);
  REQUIRE(first);
  auto second = StoreLock::Acquire(PostgresUrl(), holder, error);
  CHECK_FALSE(second);
  CHECK(error.empty());
  CHECK(holder.find("pid " + std::to_string(getpid())) == 0);
  first.reset();
  CHECK(StoreLock::Acquire(PostgresUrl(), holder, error));
}

TEST_CASE("a URL's password comes out whole, and the rest of the URL stays as written") {
  auto separate = [](const std::string& url, std::string& password) {
    std::string without, error;
    password = "?";
    return SeparatePassword(url, without, password, error) ? without : "error: " + error;
  };
  std::string password;
  CHECK(separate("postgres://u:s%40cr%3At@db:5432/x?sslmode=require", password) ==
        "postgres://u@db:5432/x?sslmode=require");
  CHECK(password == "s@cr:t");
  CHECK(separate("postgresql://u@h1:5432,h2:5433/x?password=hunter22&sslmode=require", password) ==
        "postgresql://u@h1:5432,h2:5433/x?sslmode=require");
  CHECK(password == "hunter22");
  CHECK(separate("postgres://u:pw@db/x?password=other", password) == "postgres://u@db/x");
  CHECK(password == "other");  // libpq's own reading: the parameter wins
  CHECK(separate("postgres://u@db/x", password) == "postgres://u@db/x");
  CHECK(password.empty());
  CHECK(separate("postgres://u:line%0Abreak@db/x", password).find("a line break") != std::string::npos);
  CHECK(separate("postgres://u:hunter%zz@db/x", password).find("hunter") == std::string::npos);
  // libpq's password file: `:` and `\` escaped, any server.
  CHECK(PasswordFileLine("a:b\\c") == "*:*:*:*:a\\:b\\\\c\n");
}

TEST_CASE("a state store location shows no password") {
  CHECK(DisplayLocation("postgres://u:secret@db:5432/x?sslmode=require") == "postgres://u:***@db:5432/x?sslmode=require");
  CHECK(DisplayLocation("postgresql://u@db/x") == "postgresql://u@db/x");
  CHECK(DisplayLocation("postgres://u:p@ss@db/x") == "postgres://***@db/x");
  CHECK(DisplayLocation("postgres://u:p@db") == "postgres://u:***@db");
  CHECK(DisplayLocation("postgres://db/x") == "postgres://db/x");
  // A password given as a parameter, and URLs libpq cannot read, whose
  // parse errors would quote them.
  CHECK(DisplayLocation("postgres://u@db:5432/x?password=hunter22&sslmode=require") ==
        "postgres://u:***@db:5432/x?sslmode=require");
  CHECK(DisplayLocation("postgresql://db/x?password=hunter22").find("hunter22") == std::string::npos);
  CHECK(DisplayLocation("postgres://u:hunter%zz@db/x") == "postgres://(a URL libpq cannot read)");
  CHECK(DisplayLocation("postgres://u@db/x?password=hunter22&bogus=1") == "postgres://(a URL libpq cannot read)");
  CHECK(DisplayLocation(".sparkc") == ".sparkc");
  CHECK(IsPostgresUrl("postgresql://db/x"));
  CHECK_FALSE(IsPostgresUrl("state/postgres://x"));
}
