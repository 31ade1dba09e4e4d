#include "runtime/exec/strays.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

namespace sparkc::runtime {
namespace {

// A zombie is gone for our purposes: it no longer acts.
bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

int KillStrays(const std::string& tag) {
  std::string wanted = std::string(kStepTagVariable) + "=" + tag;
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "environ", std::ios::binary);  // unreadable for other users: skipped
    std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = 0;
    while ((at = environ.find(wanted, at)) != std::string::npos) {
      bool starts = at == 0 || environ[at - 1] == '\0';
      bool ends = at + wanted.size() == environ.size() || environ[at + wanted.size()] == '\0';
      if (starts && ends) {
        found.push_back(static_cast<pid_t>(std::stol(name)));
        break;
      }
      at += wanted.size();
    }
  }
  for (pid_t pid : found) {
    pid_t group = getpgid(pid);
    if (group > 0 && group != getpgrp()) kill(-group, SIGKILL);
    kill(pid, SIGKILL);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t pid : found)
    while (Alive(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return static_cast<int>(found.size());
}

}  // namespace sparkc::runtime
