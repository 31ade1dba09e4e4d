// Network probes: TCP reachability, HTTP GET (libcurl) and TLS certificates
// (OpenSSL). Each returns what the check language sees, or fails with a
// reason.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sparkc::runtime {

struct HttpResult {
  int64_t status = 0;
  std::string body;        // capped
  int64_t latency_ms = 0;
};

struct CertResult {
  bool verified = false;   // the chain verifies against the CA store and the name matches
  int64_t days_left = 0;   // until notAfter, negative once expired
  std::string subject, issuer;
  std::string error;       // OpenSSL's reason when not verified, e.g. "certificate has expired"
};

// Every probe ends within its timeout, connect, handshake and reads
// together, whatever the peer sends (a byte every half second included).
// Once AbandonProbes() is called (a second SIGINT or SIGTERM), probes in
// flight end at once with ProbeAbandonedMessage.
void AbandonProbes();
void ResetProbeAbandonment();
const std::atomic<bool>& ProbesAbandoned();
constexpr const char* kProbeAbandoned = "abandoned: a second signal stopped the probe";

// False with `error` when no connection could be made at all.
bool TcpOpen(const std::string& host_port, int64_t timeout_ms, std::string& error);
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_body = false;
  std::string body;
};

// TLS verification is on; SPARKC_CA_FILE names a CA bundle for private CAs.
// False with `error` when no response came (any status is a response).
bool Http(const HttpRequest& request, int64_t timeout_ms, HttpResult& out, std::string& error);
bool HttpGet(const std::string& url, int64_t timeout_ms, HttpResult& out, std::string& error);
bool TlsCert(const std::string& host_port, int64_t timeout_ms, CertResult& out, std::string& error);

}  // namespace sparkc::runtime
