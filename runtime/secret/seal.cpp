// Sealing secret step outputs for the journal: AES-256-GCM, a fresh random
// nonce per value, the key the SHA-256 of SPARKC_STATE_KEY's value.
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "runtime/secret/secret.h"

namespace sparkc::runtime {
namespace {

constexpr std::string_view kPrefix = "sealed:v1:";
constexpr int kNonceBytes = 12, kTagBytes = 16;

bool Key(unsigned char key[32], std::string& error) {
  std::string value;
  if (!HaveStateKey() || !ResolveSecret(std::string("env:") + kStateKeyVariable, value, error)) {
    error = fmt::format("secret outputs are journaled encrypted; set {} (for example to the output of "
                        "`openssl rand -hex 32`) and keep it for the runs that resume this one",
                        kStateKeyVariable);
    return false;
  }
  unsigned int length = 0;
  EVP_Digest(value.data(), value.size(), key, &length, EVP_sha256(), nullptr);
  return true;
}

std::string Hex(const unsigned char* data, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

bool Unhex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

using Cipher = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

bool HaveStateKey() {
  std::string value, error;
  return ResolveSecret(std::string("env:") + kStateKeyVariable, value, error);
}

bool Seal(const std::string& plaintext, const std::string& context, std::string& sealed, std::string& error) {
  unsigned char key[32], nonce[kNonceBytes], tag[kTagBytes];
  if (!Key(key, error)) return false;
  if (RAND_bytes(nonce, kNonceBytes) != 1) {
    error = "no random bytes for a nonce";
    return false;
  }
  Cipher ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(plaintext.size(), '\0');
  int n = 0, tail = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(context.data()),
                              static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  if (!ok) {
    error = "the value could not be encrypted";
    return false;
  }
  sealed = std::string(kPrefix) + Hex(nonce, kNonceBytes) +
           Hex(reinterpret_cast<const unsigned char*>(out.data()), out.size()) + Hex(tag, kTagBytes);
  return true;
}

bool Unseal(const std::string& sealed, const std::string& context, std::string& plaintext, std::string& error) {
  unsigned char key[32];
  if (!Key(key, error)) return false;
  std::string raw;
  if (!sealed.starts_with(kPrefix) || !Unhex(std::string_view(sealed).substr(kPrefix.size()), raw) ||
      raw.size() < static_cast<size_t>(kNonceBytes + kTagBytes)) {
    error = "the journaled value is not a sealed one";
    return false;
  }
  auto* bytes = reinterpret_cast<unsigned char*>(raw.data());
  size_t body = raw.size() - kNonceBytes - kTagBytes;
  Cipher ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(body, '\0');
  int n = 0, tail = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, bytes) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(context.data()),
                              static_cast<int>(context.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes + kNonceBytes,
                              static_cast<int>(body)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes + kNonceBytes + body) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) == 1;
  if (!ok) {
    error = fmt::format("the journaled value does not open with this {} (another key, or an altered row)",
                        kStateKeyVariable);
    return false;
  }
  plaintext = std::move(out);
  return true;
}

}  // namespace sparkc::runtime
