#include "runtime/secret/secret.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
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

}  // namespace

bool ResolveSecret(const std::string& ref, std::string& value, std::string& error) {
  if (ref.starts_with("env:")) {
    const char* found = std::getenv(ref.c_str() + 4);
    if (found == nullptr) {
      error = fmt::format("secret `{}`: the environment variable {} is not set", ref, ref.substr(4));
      return false;
    }
    value = found;
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
  // Very short values would redact ordinary text; they are still secrets,
  // but replacing every "a" in a log helps nobody.
  if (value.size() >= 3) {
    std::lock_guard lock(mutex);
    Known().insert(value);
  }
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

}  // namespace sparkc::runtime
