#include "runtime/exec/strays.h"

#include "runtime/exec/process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace sparkc::runtime {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// /proc/PID/stat after the command name: state, then fields 4 onwards.
struct Stat {
  char state = 0;
  std::string start;  // field 22, clock ticks since boot
};

std::optional<Stat> ReadStat(pid_t pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return std::nullopt;
  Stat out;
  out.state = stat[close + 2];
  size_t at = close + 2;
  for (int field = 3; field < 22 && at != std::string::npos; ++field) at = stat.find(' ', at + 1);
  if (at != std::string::npos) out.start = stat.substr(at + 1, stat.find(' ', at + 1) - at - 1);
  return out;
}

// A zombie is gone for our purposes: it no longer acts.
bool Alive(pid_t pid) {
  std::optional<Stat> stat = ReadStat(pid);
  return stat && stat->state != 'Z';
}

// The value of NAME in a NUL-separated environment block, if set.
std::optional<std::string_view> Variable(std::string_view environ, std::string_view name) {
  for (size_t at = 0; at < environ.size();) {
    size_t end = environ.find('\0', at);
    if (end == std::string_view::npos) end = environ.size();
    std::string_view entry = environ.substr(at, end - at);
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
    at = end + 1;
  }
  return std::nullopt;
}

bool RunnerAlive(std::string_view identity) {
  size_t colon = identity.find(':');
  if (colon == std::string_view::npos) return false;
  pid_t pid = static_cast<pid_t>(std::atol(std::string(identity.substr(0, colon)).c_str()));
  std::optional<Stat> stat = pid > 0 ? ReadStat(pid) : std::nullopt;
  return stat && stat->state != 'Z' && stat->start == identity.substr(colon + 1);
}

}  // namespace

const std::string& RunnerIdentity() {
  static const std::string identity = [] {
    std::optional<Stat> stat = ReadStat(getpid());
    return std::to_string(getpid()) + ":" + (stat ? stat->start : "");
  }();
  return identity;
}

int KillStrays(const std::string& tag, Owner owner) {
  std::vector<pid_t> found;
  std::set<pid_t> spared_groups;  // those of tagged processes that are not to be killed
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string environ = Slurp(entry.path() / "environ");  // unreadable for other users: skipped
    if (Variable(environ, kStepTagVariable) != tag) continue;
    std::string_view runner = Variable(environ, kRunnerVariable).value_or("");
    bool ours = runner == RunnerIdentity();
    auto pid = static_cast<pid_t>(std::stol(name));
    if (owner == Owner::ThisRunner ? !ours : ours || RunnerAlive(runner)) {
      spared_groups.insert(getpgid(pid));
      continue;
    }
    found.push_back(pid);
  }
  // The whole group too (a member that cleared its environment), unless a
  // process that is not a stray shares it.
  for (pid_t pid : found) {
    pid_t group = getpgid(pid);
    if (group > 0 && group != getpgrp() && !spared_groups.contains(group)) kill(-group, SIGKILL);
    kill(pid, SIGKILL);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t pid : found) {
    while (Alive(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    waitpid(pid, nullptr, WNOHANG);  // one that became ours (subreaper) is reaped
  }
  return static_cast<int>(found.size());
}

int EndStepProcesses(const std::string& tag, int group) {
  bool group_alive = group > 0 && kill(-group, 0) == 0;
  // Nothing left in the group and no orphan adopted: nothing to look for
  // (the /proc scan costs a millisecond or so per step).
  if (!group_alive && AdoptedChildren().empty()) return 0;
  if (group_alive) kill(-group, SIGKILL);
  int found = KillStrays(tag, Owner::ThisRunner);
  ReapAdopted();
  return std::max(found, group_alive ? 1 : 0);
}

}  // namespace sparkc::runtime
