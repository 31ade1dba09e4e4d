#include "runtime/exec/process.h"
#include "compiler/plan/step_time.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

extern char** environ;

namespace sparkc::runtime {
namespace {

using Clock = std::chrono::steady_clock;

using plan::kKillGraceMs;  // SIGTERM first, SIGKILL after this (the time bounds count it)

struct Pipe {
  int fd[2] = {-1, -1};
  bool Open() { return pipe2(fd, O_CLOEXEC) == 0; }
  void Close(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
  ~Pipe() {
    Close(0);
    Close(1);
  }
};

std::vector<std::string> Environment(const ProcessSpec& spec) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry = *e;
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos) vars[std::string(entry.substr(0, eq))] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : spec.env) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

struct SpawnRegistry {
  std::mutex mutex;
  std::set<pid_t> pids;  // RunProcess children not yet reaped
};
SpawnRegistry& Spawned() {
  static SpawnRegistry registry;
  return registry;
}

// Our children, from /proc/self/task/*/children (a child belongs to the
// thread that started it; adopted orphans to the main thread).
std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t pid; in >> pid;) out.push_back(pid);
  }
  return out;
}

int64_t Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

std::string ProcessResult::Summary() const {
  if (!started) return spawn_error;
  if (cancelled) return "cancelled";
  if (timed_out) return fmt::format("timed out after {} ms; its process group was killed", elapsed_ms);
  if (signal != 0) return fmt::format("killed by signal {} ({})", signal, strsignal(signal));
  return fmt::format("exit code {}", exit_code);
}

ProcessResult RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel) {
  ProcessResult result;
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) {
    result.spawn_error = fmt::format("cannot create pipes: {}", std::strerror(errno));
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  // The child starts with default signal handling, whatever sparkc set.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_strings = spec.argv, env_strings = Environment(spec);
  std::vector<char*> argv = Pointers(argv_strings), envp = Pointers(env_strings);
  pid_t pid = -1;
  auto start = Clock::now();
  int rc = 0;
  {
    // Registered as it is born: the reaper of adopted orphans must never
    // reap a child whose exit status RunProcess is about to read.
    std::lock_guard lock(Spawned().mutex);
    rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    if (rc == 0) Spawned().pids.insert(pid);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    result.spawn_error = fmt::format("cannot run `{}`: {}", spec.argv[0], std::strerror(rc));
    return result;
  }
  result.started = true;
  result.pid = pid;
  in.Close(0);
  out.Close(1);
  err.Close(1);
  fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  if (!spec.has_stdin || spec.stdin_text.empty()) in.Close(1);

  size_t stdin_written = 0;
  bool exited = false;
  int status = 0;
  int64_t kill_sent_at = -1;
  auto deadline_passed = [&] { return spec.timeout_ms > 0 && Millis(Clock::now() - start) >= spec.timeout_ms; };
  auto append = [&](int fd, std::string& into) {
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    if (spec.on_output) spec.on_output(&into == &result.out ? 1 : 2, std::string_view(buffer, static_cast<size_t>(n)));
    size_t room = spec.output_cap > into.size() ? spec.output_cap - into.size() : 0;
    into.append(buffer, std::min<size_t>(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) result.truncated = true;
    return true;
  };
  // Poll until the child has exited and its pipes are drained. A daemon the
  // step started may keep the pipes open; stop reading shortly after exit.
  int64_t exited_at = -1;
  // A pidfd wakes poll the moment the child exits (Linux 5.3+); without one,
  // the loop notices at the next poll timeout.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  while (true) {
    int64_t now = Millis(Clock::now() - start);
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exited_at = now;
    }
    bool streams_open = out.fd[0] >= 0 || err.fd[0] >= 0;
    if (exited && (!streams_open || now - exited_at > 200)) break;
    if (!exited && kill_sent_at < 0 &&
        (deadline_passed() || (cancel != nullptr && cancel->load()))) {
      result.timed_out = deadline_passed();
      result.cancelled = !result.timed_out;
      kill(-pid, SIGTERM);
      kill_sent_at = now;
    }
    if (kill_sent_at >= 0 && !exited && now - kill_sent_at > kKillGraceMs) kill(-pid, SIGKILL);
    pollfd fds[4];
    int nfds = 0;
    if (pidfd >= 0 && !exited) fds[nfds++] = {pidfd, POLLIN, 0};
    for (int fd : {out.fd[0], err.fd[0]})
      if (fd >= 0) fds[nfds++] = {fd, POLLIN, 0};
    if (in.fd[1] >= 0) fds[nfds++] = {in.fd[1], POLLOUT, 0};
    poll(fds, nfds, exited ? 10 : 50);
    for (int i = 0; i < nfds; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out.fd[0] && !append(out.fd[0], result.out)) out.Close(0);
      else if (fds[i].fd == err.fd[0] && !append(err.fd[0], result.err)) err.Close(0);
      else if (fds[i].fd == in.fd[1]) {
        ssize_t n = write(in.fd[1], spec.stdin_text.data() + stdin_written,
                          spec.stdin_text.size() - stdin_written);
        if (n > 0) stdin_written += static_cast<size_t>(n);
        if (n < 0 || stdin_written == spec.stdin_text.size()) in.Close(1);
      }
    }
  }
  if (pidfd >= 0) close(pidfd);
  if (result.timed_out || result.cancelled) kill(-pid, SIGKILL);  // stragglers of the group
  result.elapsed_ms = Millis(Clock::now() - start);
  {
    std::lock_guard lock(Spawned().mutex);
    Spawned().pids.erase(pid);
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

void BecomeSubreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

std::vector<int> AdoptedChildren() {
  std::lock_guard lock(Spawned().mutex);
  std::vector<int> out;
  for (pid_t pid : Children())
    if (!Spawned().pids.contains(pid)) out.push_back(pid);
  return out;
}

void ReapAdopted() {
  std::lock_guard lock(Spawned().mutex);
  for (pid_t pid : Children())
    if (!Spawned().pids.contains(pid)) waitpid(pid, nullptr, WNOHANG);
}

}  // namespace sparkc::runtime
