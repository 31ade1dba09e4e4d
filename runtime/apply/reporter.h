// Progress lines, one event per line with the time since the run started.
// Thread-safe: workers report as they go.
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>

namespace sparkc::runtime {

class Reporter {
 public:
  explicit Reporter(std::ostream& out) : out_(out), start_(std::chrono::steady_clock::now()) {}

  // `verb` is a short fixed-width word: start, ok, FAIL, retry, undo, ...
  void Event(std::string_view verb, std::string_view step, std::string_view detail = {});
  // An indented continuation line (captured output, reasons).
  void Detail(std::string_view text);
  void Line(std::string_view text);

 private:
  std::ostream& out_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sparkc::runtime
