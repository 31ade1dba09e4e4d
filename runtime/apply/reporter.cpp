#include "runtime/apply/reporter.h"

#include <fmt/format.h>

namespace sparkc::runtime {

void Reporter::Event(std::string_view verb, std::string_view step, std::string_view detail) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::lock_guard lock(mutex_);
  out_ << fmt::format("[{:8.2f}s] {:<6} {}{}{}\n", elapsed, verb, step, detail.empty() ? "" : "  ", detail);
  out_.flush();
}

void Reporter::Detail(std::string_view text) {
  std::lock_guard lock(mutex_);
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    out_ << "             | " << rest.substr(0, nl) << "\n";
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  out_.flush();
}

void Reporter::Line(std::string_view text) {
  std::lock_guard lock(mutex_);
  out_ << text << "\n";
  out_.flush();
}

}  // namespace sparkc::runtime
