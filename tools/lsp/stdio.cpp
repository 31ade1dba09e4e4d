// The framed JSON-RPC stream: `Content-Length: N\r\n\r\n` and N bytes of
// JSON each way. Input is read with poll() so that a pending analysis runs
// when the client has been quiet for the debounce, not before.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "tools/lsp/server.h"

namespace sparkc::lsp {
namespace {

// A message larger than this is refused rather than buffered.
constexpr size_t kMaxMessageBytes = 256u << 20;
// How often the client's process is looked for while nothing arrives.
constexpr int kParentCheckMs = 2000;

bool Gone(int pid) { return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH; }

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool Send(int fd, const Json& message) {
  // Invalid UTF-8 in a string (a file's bytes) is replaced, never thrown on.
  std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  return WriteAll(fd, fmt::format("Content-Length: {}\r\n\r\n", body.size())) && WriteAll(fd, body);
}

class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  // Waits up to `timeout_ms` (-1: forever) for input. False at the end of
  // input or on an error.
  bool Fill(int timeout_ms, bool& timed_out) {
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    timed_out = r == 0;
    if (r == 0 || (r < 0 && errno == EINTR)) return true;
    if (r < 0) return false;
    char chunk[65536];
    ssize_t n = read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // One whole message's body from the buffer, if there is one. A header
  // block without a usable Content-Length is dropped and reported.
  bool Next(std::string& body, std::string& error) {
    Skip();
    if (skip_ > 0) return false;
    for (;;) {
      size_t end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (buffer_.size() > 65536) {
          error = "a header longer than 64 KiB; discarded";
          buffer_.clear();
        }
        return false;
      }
      std::string headers = buffer_.substr(0, end);
      long long length = -1;
      size_t at = 0;
      while (at < headers.size()) {
        size_t eol = headers.find("\r\n", at);
        std::string line = headers.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
        at = eol == std::string::npos ? headers.size() : eol + 2;
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name != "content-length") continue;
        char* stop = nullptr;
        length = std::strtoll(line.c_str() + colon + 1, &stop, 10);
        if (stop == line.c_str() + colon + 1) length = -1;
      }
      if (length < 0 || static_cast<size_t>(length) > kMaxMessageBytes) {
        error = length < 0 ? "a message without a valid Content-Length; discarded"
                           : "a message larger than 256 MiB; discarded";
        buffer_.erase(0, end + 4);
        if (length > 0) skip_ = static_cast<size_t>(length);
        Skip();
        return false;
      }
      if (buffer_.size() < end + 4 + static_cast<size_t>(length)) return false;
      body = buffer_.substr(end + 4, static_cast<size_t>(length));
      buffer_.erase(0, end + 4 + static_cast<size_t>(length));
      return true;
    }
  }

 private:
  void Skip() {
    size_t n = std::min(skip_, buffer_.size());
    buffer_.erase(0, n);
    skip_ -= n;
  }
  int fd_;
  std::string buffer_;
  size_t skip_ = 0;
};

}  // namespace

int RunStdio(int in, int out, ServerOptions options) {
  Server server(options);
  Reader reader(in);
  std::vector<Json> replies;
  auto send_all = [&] {
    bool ok = true;
    for (const Json& r : replies) ok = ok && Send(out, r);
    replies.clear();
    return ok;
  };
  for (;;) {
    std::string body, error;
    while (reader.Next(body, error)) {
      Json message = Json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (message.is_discarded())
        replies.push_back({{"jsonrpc", "2.0"}, {"id", nullptr},
                           {"error", {{"code", kParseError}, {"message", "the message is not valid JSON"}}}});
      else
        server.Handle(message, replies);
      if (!send_all()) return 1;
      if (server.exited()) return server.exit_code();
    }
    if (!error.empty()) std::cerr << "sparkc lsp: " << error << "\n";
    Clock::time_point due;
    int timeout = -1;
    if (server.Pending(due)) {
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
      timeout = static_cast<int>(std::clamp<long long>(wait, 0, 60'000));
    }
    if (server.parent_pid() > 0 && (timeout < 0 || timeout > kParentCheckMs)) timeout = kParentCheckMs;
    bool timed_out = false;
    if (!reader.Fill(timeout, timed_out)) return 1;  // input ended without `exit`
    if (Gone(server.parent_pid())) {
      std::cerr << "sparkc lsp: the client (process " << server.parent_pid() << ") is gone; exiting\n";
      return 1;
    }
    if (timed_out) {
      server.Flush(replies);
      if (!send_all()) return 1;
    }
  }
}

}  // namespace sparkc::lsp
