// Internal to runtime/state: the directory an SQLite store lives in. Whoever
// can write it or its files chooses what the next apply or rollback runs, so
// it must be the runner's alone; and a marker beside the database says how
// much the database once held, so that one that lost its pages (a truncated
// state.db, a deleted -wal) is refused rather than taken for a new store.
#pragma once

#include <cstdint>
#include <string>

namespace sparkc::runtime {

// Creates DIR (mode 0700) if needed. False with a reason when it is not a
// directory, or when a user other than the runner could write it or the
// files sparkc keeps there.
bool PrepareStateDir(const std::string& dir, std::string& error);

// What a store has committed: its last run and last transition (ids).
struct Committed {
  int64_t run = 0;
  int64_t transition = 0;
};

// DIR/state.marker. Written after each commit without an fsync of its own:
// it is written after the database's commit is on disk, so after a crash it
// may lag behind the database but never run ahead of it.
class StateMarker {
 public:
  StateMarker() = default;
  ~StateMarker();
  StateMarker(const StateMarker&) = delete;
  StateMarker& operator=(const StateMarker&) = delete;
  // False with a reason; `found` is what the marker says (zeros when new).
  bool Open(const std::string& dir, Committed& found, std::string& error);
  void Write(const Committed& committed);

 private:
  int fd_ = -1;
};

}  // namespace sparkc::runtime
