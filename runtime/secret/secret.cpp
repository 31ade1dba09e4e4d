#include "runtime/secret/secret.h"

#include <fmt/format.h>
#include <sys/prctl.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace sparkc::runtime {
namespace {

std::mutex mutex;
// Longest first, so that a secret containing another is replaced whole.
struct LongerFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};
std::set<std::string, LongerFirst>& Known() {
  static std::set<std::string, LongerFirst> known;
  return known;
}
// Variables CaptureEnvironmentSecrets took out of the environment: their
// values, or nullopt when they were not set.
std::map<std::string, std::optional<std::string>>& Captured() {
  static std::map<std::string, std::optional<std::string>> captured;
  return captured;
}

void Remember(const std::string& value) {
  std::lock_guard lock(mutex);
  Known().insert(value);
}

}  // namespace

void CaptureEnvironmentSecrets(const std::vector<std::string>& input) {
  std::vector<std::string> refs = input;
  refs.push_back(std::string("env:") + kStateKeyVariable);
  for (const std::string& ref : refs) {
    if (!ref.starts_with("env:")) continue;
    std::string name = ref.substr(4);
    std::lock_guard lock(mutex);
    if (Captured().contains(name)) continue;
    const char* found = std::getenv(name.c_str());
    std::optional<std::string> value;
    if (found != nullptr) value = found;
    if (value && value->size() >= kMinSecretBytes) Known().insert(*value);
    Captured()[name] = std::move(value);
    unsetenv(name.c_str());
  }
}

bool ResolveSecret(const std::string& ref, std::string& value, std::string& error) {
  if (ref.starts_with("env:")) {
    std::string name = ref.substr(4);
    std::optional<std::string> found;
    {
      std::lock_guard lock(mutex);
      if (auto it = Captured().find(name); it != Captured().end()) found = it->second;
      else if (const char* env = std::getenv(name.c_str())) found = env;
    }
    if (!found) {
      error = fmt::format("secret `{}`: the environment variable {} is not set", ref, name);
      return false;
    }
    value = std::move(*found);
  } else if (ref.starts_with("file:")) {
    std::ifstream in(ref.substr(5), std::ios::binary);
    if (!in) {
      error = fmt::format("secret `{}`: cannot read the file", ref);
      return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    value = text.str();
    // A secret file written by `echo` ends with a newline that is not part of it.
    if (value.ends_with('\n')) value.pop_back();
  } else {
    error = fmt::format("secret `{}`: unknown kind of reference", ref);
    return false;
  }
  if (value.size() < kMinSecretBytes) {
    error = fmt::format("secret `{}` is {} byte{} long; sparkc refuses secrets shorter than {} bytes, which it "
                        "could not redact from its output without garbling it",
                        ref, value.size(), value.size() == 1 ? "" : "s", kMinSecretBytes);
    value.assign(value.size(), '\0');
    value.clear();
    return false;
  }
  Remember(value);
  return true;
}

bool RememberSecretValue(const std::string& value, std::string& error) {
  if (value.size() < kMinSecretBytes) {
    error = fmt::format("it is {} byte{} long; sparkc refuses secret values shorter than {} bytes, which it could "
                        "not redact from its output without garbling it",
                        value.size(), value.size() == 1 ? "" : "s", kMinSecretBytes);
    return false;
  }
  Remember(value);
  return true;
}

std::string Redact(std::string text) {
  std::lock_guard lock(mutex);
  for (const std::string& secret : Known()) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  return text;
}

void ProtectProcessMemory() { prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

}  // namespace sparkc::runtime
