#include "runtime/probe/net.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>

namespace sparkc::runtime {
namespace {

constexpr size_t kBodyCap = 1u << 20;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_abandoned{false};

// What is left of the time until `deadline`, in poll's terms, in slices
// short enough to notice abandonment.
int SliceMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 100));
}

Clock::time_point DeadlineAfter(int64_t timeout_ms) {
  return Clock::now() + std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms > 0 ? timeout_ms : 5000, 1, 3'600'000));
}

// Waits until `fd` is ready for `events`, the deadline passes, or probes
// are abandoned; false (with `error`) on the last two.
bool WaitFor(int fd, short events, Clock::time_point deadline, std::string& error, const std::string& what) {
  while (true) {
    if (g_abandoned.load()) {
      error = kProbeAbandoned;
      return false;
    }
    if (Clock::now() >= deadline) {
      error = fmt::format("{}: no answer within the timeout", what);
      return false;
    }
    pollfd p{fd, events, 0};
    if (poll(&p, 1, SliceMs(deadline)) == 1) return true;
  }
}

bool SplitHostPort(const std::string& target, std::string& host, std::string& port, std::string& error) {
  size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon + 1 == target.size()) {
    error = fmt::format("`{}`: expected host:port", target);
    return false;
  }
  host = target.substr(0, colon);
  port = target.substr(colon + 1);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  return true;
}

// A connected non-blocking socket, or -1.
int Connect(const std::string& target, Clock::time_point deadline, std::string& error) {
  std::string host, port;
  if (!SplitHostPort(target, host, port, error)) return -1;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = fmt::format("`{}`: {}", host, gai_strerror(rc));
    return -1;
  }
  int connected = -1;
  for (addrinfo* a = found; a != nullptr && connected < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    bool open = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!open && errno == EINPROGRESS) {
      int err = 0;
      socklen_t len = sizeof err;
      std::string ignored;
      open = WaitFor(fd, POLLOUT, deadline, ignored, target) &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    if (open) connected = fd;
    else close(fd);
  }
  freeaddrinfo(found);
  if (connected < 0) error = g_abandoned.load() ? kProbeAbandoned : fmt::format("cannot connect to `{}`", target);
  return connected;
}

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() < kBodyCap) body->append(data, std::min(n, kBodyCap - body->size()));
  return n;
}

}  // namespace

void AbandonProbes() { g_abandoned.store(true); }
void ResetProbeAbandonment() { g_abandoned.store(false); }
const std::atomic<bool>& ProbesAbandoned() { return g_abandoned; }

bool TcpOpen(const std::string& host_port, int64_t timeout_ms, std::string& error) {
  int fd = Connect(host_port, DeadlineAfter(timeout_ms), error);
  if (fd < 0) return false;
  close(fd);
  return true;
}

bool HttpGet(const std::string& url, int64_t timeout_ms, HttpResult& out, std::string& error) {
  HttpRequest request;
  request.url = url;
  return Http(request, timeout_ms, out, error);
}

bool Http(const HttpRequest& request, int64_t timeout_ms, HttpResult& out, std::string& error) {
  const std::string& url = request.url;
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) {
    error = "libcurl cannot be initialised";
    return false;
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  char message[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms > 0 ? timeout_ms : 30000));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION,
                   +[](void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return g_abandoned.load() ? 1 : 0; });
  if (const char* ca = std::getenv("SPARKC_CA_FILE")) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca);
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  if (request.has_body) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const auto& [name, value] : request.headers)
    headers.reset(curl_slist_append(headers.release(), fmt::format("{}: {}", name, value).c_str()));
  if (headers) curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl.get());
  out.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (rc != CURLE_OK) {
    error = rc == CURLE_ABORTED_BY_CALLBACK
                ? std::string(kProbeAbandoned)
                : fmt::format("{} {}: {}", request.method, url, message[0] != 0 ? message : curl_easy_strerror(rc));
    return false;
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  out.status = status;
  return true;
}

bool TlsCert(const std::string& host_port, int64_t timeout_ms, CertResult& out, std::string& error) {
  std::string host, port;
  if (!SplitHostPort(host_port, host, port, error)) return false;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  const char* ca = std::getenv("SPARKC_CA_FILE");
  if (ca != nullptr ? SSL_CTX_load_verify_locations(ctx.get(), ca, nullptr) != 1
                    : SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    error = "cannot load the CA certificates";
    ERR_clear_error();
    return false;
  }
  auto deadline = DeadlineAfter(timeout_ms);
  int fd = Connect(host_port, deadline, error);
  if (fd < 0) return false;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  // Names are matched against DNS names, addresses against IP SANs.
  in6_addr scratch;
  bool is_ip = inet_pton(AF_INET, host.c_str(), &scratch) == 1 || inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
  if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
  else SSL_set1_host(ssl.get(), host.c_str());
  // Verify, but finish the handshake either way: an unverified certificate
  // is still reported (verified = false) with its dates and names.
  SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
  // The socket stays non-blocking: the handshake waits only as long as the
  // deadline allows, however slowly the peer trickles bytes.
  bool ok = false;
  std::string wait_error;
  while (true) {
    int rc = SSL_connect(ssl.get());
    if (rc == 1) {
      ok = true;
      break;
    }
    int want = SSL_get_error(ssl.get(), rc);
    if (want != SSL_ERROR_WANT_READ && want != SSL_ERROR_WANT_WRITE) break;
    if (!WaitFor(fd, want == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, wait_error, host_port)) break;
  }
  X509* cert = ok ? SSL_get1_peer_certificate(ssl.get()) : nullptr;
  if (cert == nullptr) {
    error = wait_error.empty() ? fmt::format("TLS handshake with `{}` failed", host_port)
                               : wait_error == kProbeAbandoned ? wait_error
                                                               : fmt::format("TLS handshake with {}", wait_error);
    ERR_clear_error();
    close(fd);
    return false;
  }
  long result = SSL_get_verify_result(ssl.get());
  out.verified = result == X509_V_OK;
  if (!out.verified) out.error = X509_verify_cert_error_string(result);
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert));
  out.days_left = days;
  char name[512];
  X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
  out.subject = name;
  X509_NAME_oneline(X509_get_issuer_name(cert), name, sizeof name);
  out.issuer = name;
  X509_free(cert);
  SSL_shutdown(ssl.get());
  close(fd);
  return true;
}

}  // namespace sparkc::runtime
