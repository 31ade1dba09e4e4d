#include "runtime/state/store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "runtime/state/backends.h"

namespace sparkc::runtime {
namespace {

constexpr const char* kStatusNames[] = {"pending", "running", "succeeded", "failed",
                                        "undoing", "undone",  "undo_failed", "blocked",
                                        "awaiting_approval"};

}  // namespace

struct StateStore::Waiter {
  bool done = false;
  std::exception_ptr error;
};

std::string_view StatusName(StepStatus s) { return kStatusNames[static_cast<int>(s)]; }

std::optional<StepStatus> ParseStatus(std::string_view name) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i)
    if (name == kStatusNames[i]) return static_cast<StepStatus>(i);
  return std::nullopt;
}

std::string NowTimestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t seconds = ms / 1000;
  tm utc;
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

std::string HostName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string LockHolderInfo() { return fmt::format("pid {} on {} since {}", getpid(), HostName(), NowTimestamp()); }

bool IsPostgresUrl(const std::string& location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

std::string DisplayLocation(const std::string& location) {
  if (!IsPostgresUrl(location)) return location;
  // The userinfo ends at the authority's last `@` (a password may hold one).
  size_t authority = location.find("://") + 3;
  size_t at = location.rfind('@', location.find('/', authority));
  if (at == std::string::npos || at < authority) return location;
  size_t colon = location.find(':', authority);
  if (colon > at) return location;
  return location.substr(0, colon + 1) + "***" + location.substr(at);
}

std::unique_ptr<StateStore> StateStore::Open(const std::string& location, std::string& error) {
  return IsPostgresUrl(location) ? OpenPostgres(location, error) : OpenSqlite(location, error);
}

std::unique_ptr<StoreLock> StoreLock::Acquire(const std::string& location, std::string& holder, std::string& error) {
  return IsPostgresUrl(location) ? AcquirePostgresLock(location, holder, error)
                                 : AcquireFileLock(location, holder, error);
}

std::map<std::string, StepRecord> StateStore::Steps(int64_t run) {
  std::map<std::string, StepRecord> out;
  ReadJournal(run, [&](const Row& row) {
    StepRecord& record = out[std::string(row.step)];
    record.status = ParseStatus(row.status).value_or(StepStatus::Pending);
    record.attempts = std::max(record.attempts, row.attempt);
  });
  return out;
}

std::vector<Transition> StateStore::Journal(int64_t run) {
  std::vector<Transition> out;
  ReadJournal(run, [&](const Row& row) {
    out.push_back({std::string(row.step), ParseStatus(row.status).value_or(StepStatus::Pending), row.attempt,
                   row.exit_code, std::string(row.error)});
  });
  return out;
}

void StateStore::SetRunStatus(int64_t run, const std::string& status) {
  Flush();
  WriteRunStatus(run, status);
}

void StateStore::FlushQuietly() noexcept {
  try {
    Flush();
  } catch (const std::exception&) {
    // Only RecordLater's records, which a crash could have lost as well.
  }
}

void StateStore::Record(int64_t run, const Transition& t) {
  Waiter me;
  Commit({run, &t, &me, nullptr});
  if (me.error) std::rethrow_exception(me.error);
}

void StateStore::RecordLater(int64_t run, const Transition& t) {
  auto copy = std::make_shared<const Transition>(t);
  std::lock_guard lock(queue_mutex_);
  queue_.push_back({run, copy.get(), nullptr, copy});
}

void StateStore::Flush() {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.empty() && !committing_) return;
  }
  Waiter me;
  Commit({0, nullptr, &me, nullptr});
  if (me.error) std::rethrow_exception(me.error);
}

// Queues `entry` and returns once a commit has written it: led by this
// thread when no commit is in progress, else by whoever leads the next.
void StateStore::Commit(Pending entry) {
  Waiter& me = *entry.waiter;
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(std::move(entry));
  while (!me.done) {
    if (committing_) {
      committed_.wait(lock);
      continue;
    }
    committing_ = true;
    std::vector<Pending> batch;
    batch.swap(queue_);
    lock.unlock();
    std::exception_ptr error;
    try {
      WriteBatch(batch);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    for (const Pending& p : batch) {
      if (p.waiter == nullptr) continue;
      p.waiter->done = true;
      p.waiter->error = error;
    }
    committing_ = false;
    committed_.notify_all();
  }
}

}  // namespace sparkc::runtime
