#include "runtime/state/store.h"

#include <ctime>

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

#include "compiler/plan/plan.h"
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

std::string_view LogAction(StepStatus status) {
  return status == StepStatus::Undone || status == StepStatus::UndoFailed ? "undo" : "do";
}

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

namespace {

// What libpq reads from a URL, by keyword; false when it cannot read it.
bool Conninfo(const std::string& url, std::map<std::string, std::string>& given) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  PQfreemem(error);  // it may quote the URL, password and all
  if (options == nullptr) return false;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
    if (o->val != nullptr) given[o->keyword] = o->val;
  PQconninfoFree(options);
  return true;
}

}  // namespace

std::string DisplayLocation(const std::string& location) {
  if (!IsPostgresUrl(location)) return location;
  // Built from libpq's own reading of the URL, so that a password is hidden
  // wherever it was given (user:PASSWORD@ or ?password=), and nothing of a
  // URL libpq cannot read is shown: its error message may quote it.
  std::map<std::string, std::string> given;
  if (!Conninfo(location, given)) return "postgres://(a URL libpq cannot read)";
  auto take = [&](const char* key) {
    auto it = given.find(key);
    if (it == given.end()) return std::string();
    std::string value = it->second;
    given.erase(it);
    return value;
  };
  std::string user = take("user"), password = take("password"), host = take("host"), port = take("port"),
              dbname = take("dbname");
  std::string out = location.substr(0, location.find("://") + 3);
  // `u:p@ss@db`: libpq reads host `ss@db`, which holds the rest of what the
  // user meant as the password. Everything before the authority's last `@`
  // is hidden (Connection::Open refuses such a URL).
  if (host.find('@') != std::string::npos) {
    size_t authority = out.size();
    size_t at = location.rfind('@', location.find_first_of("/?", authority));
    return out + "***" + location.substr(at);
  }
  if (!user.empty() || !password.empty()) out += user + (password.empty() ? "" : ":***") + "@";
  out += host + (port.empty() ? "" : ":" + port);
  if (!dbname.empty()) out += "/" + dbname;
  char separator = '?';
  for (const auto& [key, value] : given) {
    out += fmt::format("{}{}={}", separator, key, value);
    separator = '&';
  }
  return out;
}

bool SeparatePassword(const std::string& url, std::string& without, std::string& password, std::string& error) {
  std::map<std::string, std::string> given;
  if (!IsPostgresUrl(url) || !Conninfo(url, given)) {
    error = fmt::format("`{}` is not a PostgreSQL URL libpq can read", DisplayLocation(url));
    return false;
  }
  without = url;
  password = given.contains("password") ? given["password"] : "";
  if (password.empty()) return true;
  if (password.find_first_of("\r\n") != std::string::npos) {
    error = fmt::format("the password of `{}` holds a line break, which no password file can", DisplayLocation(url));
    return false;
  }
  // The text of the URL less the password, so that every other part keeps
  // its own spelling (encodings, several hosts); libpq then says whether
  // that is what was meant.
  size_t authority = without.find("://") + 3;
  size_t end = std::min(without.find_first_of("/?", authority), without.size());
  size_t at = without.rfind('@', end);
  if (at != std::string::npos && at >= authority) {
    size_t colon = without.find(':', authority);
    if (colon < at) without.erase(colon, at - colon);
  }
  if (size_t query = without.find('?'); query != std::string::npos) {
    std::string kept;
    std::stringstream parts(without.substr(query + 1));
    for (std::string part; std::getline(parts, part, '&');)
      if (!part.starts_with("password=")) kept += (kept.empty() ? "" : "&") + part;
    without.resize(query);
    if (!kept.empty()) without += "?" + kept;
  }
  std::map<std::string, std::string> left;
  given.erase("password");
  if (!Conninfo(without, left) || left != given) {
    error = fmt::format("cannot take the password out of `{}`", DisplayLocation(url));
    return false;
  }
  return true;
}

std::string PasswordFileLine(const std::string& password) {
  std::string escaped;
  for (char c : password) {
    if (c == ':' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "*:*:*:*:" + escaped + "\n";
}

std::unique_ptr<StateStore> StateStore::Open(const std::string& location, std::string& error) {
  return IsPostgresUrl(location) ? OpenPostgres(location, error) : OpenSqlite(location, error);
}

std::unique_ptr<StoreLock> StoreLock::Acquire(const std::string& location, std::string& holder, std::string& error) {
  return IsPostgresUrl(location) ? AcquirePostgresLock(location, holder, error)
                                 : AcquireFileLock(location, holder, error);
}

std::unique_ptr<StoreLock> StoreLock::Claim(const std::string& location, int64_t run, const std::string& step,
                                            std::string& holder, std::string& error) {
  // Step ids are identifiers (no `/` or NUL), but the key is hashed anyway:
  // it names a file and an advisory lock.
  std::string key = fmt::format("{}-{}", run, plan::Sha256(step).substr(7, 32));
  return IsPostgresUrl(location) ? ClaimPostgresStep(location, key, holder, error)
                                 : ClaimFileStep(location, key, holder, error);
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
                   row.exit_code, std::string(row.error), {}, {}, std::string(row.at)});
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

std::optional<int64_t> TimestampMs(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace sparkc::runtime
