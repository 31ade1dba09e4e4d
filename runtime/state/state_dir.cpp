#include "runtime/state/state_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sparkc::runtime {
namespace {

// Someone other than the runner (root aside) owns it, or its group or
// everyone may write it: a sticky /tmp-like directory too, since others can
// still create the names sparkc means to use.
std::string Exposure(const struct stat& st) {
  if (st.st_uid != geteuid() && st.st_uid != 0) return fmt::format("it belongs to user {}", st.st_uid);
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return fmt::format("its mode is {:04o}", st.st_mode & 07777);
  return {};
}

bool CheckPrivate(const std::string& path, const char* what, const char* fix, std::string& error) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;
    error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return false;
  }
  if (std::string why = Exposure(st); !why.empty()) {
    error = fmt::format("the {} `{}` is writable by other users ({}): whoever can write it chooses what the "
                        "next apply or rollback runs\n  help: {} {}",
                        what, path, why, fix, path);
    return false;
  }
  return true;
}

}  // namespace

bool PrepareStateDir(const std::string& dir, std::string& error) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::filesystem::path parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      error = fmt::format("cannot create state directory `{}`: {}", dir, std::strerror(errno));
      return false;
    }
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    error = fmt::format("cannot create state directory `{}`: {}", dir, std::strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    error = fmt::format("cannot create state directory `{}`: it is not a directory", dir);
    return false;
  }
  std::filesystem::path base(dir);
  if (!CheckPrivate(dir, "state directory", "chmod go-w", error)) return false;
  for (const char* name : {"state.db", "state.db-wal", "state.marker"}) {
    std::string path = (base / name).string();
    struct stat file;
    if (lstat(path.c_str(), &file) == 0 && !S_ISREG(file.st_mode)) {
      error = fmt::format("`{}` is not a regular file (a symlink?); sparkc never follows one in its state "
                          "directory\n  help: remove it if you did not put it there",
                          path);
      return false;
    }
    if (!CheckPrivate(path, "state file", "chmod go-w", error)) return false;
  }
  return true;
}

StateMarker::~StateMarker() {
  if (fd_ >= 0) close(fd_);
}

bool StateMarker::Open(const std::string& dir, Committed& found, std::string& error) {
  std::string path = (std::filesystem::path(dir) / "state.marker").string();
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error = fmt::format("cannot open `{}`: {}", path, std::strerror(errno));
    return false;
  }
  char text[128] = {};
  ssize_t n = pread(fd_, text, sizeof text - 1, 0);
  found = {};
  if (n > 0 && std::sscanf(text, "run %" SCNd64 " transition %" SCNd64, &found.run, &found.transition) != 2) {
    error = fmt::format("`{}` is garbled; it says how much the state store held\n"
                        "  help: restore the state directory from a backup",
                        path);
    return false;
  }
  return true;
}

void StateMarker::Write(const Committed& committed) {
  if (fd_ < 0) return;
  // Fixed width, so each write replaces the whole record in place.
  std::string text = fmt::format("run {:>20} transition {:>20}\n", committed.run, committed.transition);
  (void)!pwrite(fd_, text.data(), text.size(), 0);
}

}  // namespace sparkc::runtime
