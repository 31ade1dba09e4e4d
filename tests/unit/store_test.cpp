#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>

#include "runtime/state/store.h"

using namespace sparkc::runtime;

static std::string TempDir(const char* name) {
  auto dir = std::filesystem::temp_directory_path() / (std::string(name) + "." + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST_CASE("transitions are journaled and the latest state wins") {
  std::string dir = TempDir("sparkc_store");
  std::string error;
  auto store = StateStore::Open(dir, error);
  REQUIRE(store);
  int64_t run = store->CreateRun("sha256:abc", "{}");
  store->Record(run, {"a", StepStatus::Running, 1, {}, ""});
  store->Record(run, {"a", StepStatus::Failed, 1, 2, "exit code 2"});
  store->Record(run, {"a", StepStatus::Running, 2, {}, ""});
  store->Record(run, {"a", StepStatus::Succeeded, 2, {}, ""});
  auto steps = store->Steps(run);
  CHECK(steps["a"].status == StepStatus::Succeeded);
  CHECK(steps["a"].attempts == 2);
  auto journal = store->Journal(run);
  REQUIRE(journal.size() == 4);
  CHECK(journal[1].exit_code == 2);
  CHECK(journal[1].error == "exit code 2");
  store->SetRunStatus(run, "succeeded");
  store.reset();
  // Reopening sees everything: it was durable.
  auto again = StateStore::Open(dir, error);
  REQUIRE(again);
  auto last = again->LastRun();
  REQUIRE(last);
  CHECK(last->id == run);
  CHECK(last->status == "succeeded");
  CHECK(last->digest == "sha256:abc");
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
  std::string error;
  auto store = StateStore::Open(dir, error);
  REQUIRE(store);
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
// WAL is reused from its start once it holds 512 pages, and the database
// grows in 256 KiB chunks, so a long run stops growing either file per
// transition.
TEST_CASE("a long run reuses the write-ahead log instead of growing it") {
  std::string dir = TempDir("sparkc_store_wal");
  std::string error;
  auto store = StateStore::Open(dir, error);
  REQUIRE(store);
  int64_t run = store->CreateRun("sha256:abc", "{}");
  // Two pages a transition: 2400 frames, where SQLite's default checkpoint
  // (1000 pages) would leave a WAL of about 4 MiB.
  for (int i = 0; i < 1200; ++i) {
    std::string step = "s";
    step += std::to_string(i);  // GCC 12 warns (-Wrestrict, a false positive) on "s" + to_string
    store->Record(run, {step, StepStatus::Succeeded, 1, {}, ""});
  }
  auto wal = std::filesystem::file_size(std::filesystem::path(dir) / "state.db-wal");
  CHECK(wal <= 2560 * 1024);
  auto db = std::filesystem::file_size(std::filesystem::path(dir) / "state.db");
  CHECK(db % (256 * 1024) == 0);
  CHECK(store->Steps(run).size() == 1200);
  std::filesystem::remove_all(dir);
}
