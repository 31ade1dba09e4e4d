#include "compiler/plan/plan.h"
#include "compiler/plan/signature.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace sparkc::plan {
namespace {

constexpr const char* kPrefix = "ed25519:";

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  ERR_clear_error();
  return buffer;
}

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Key ReadKey(const std::string& path, bool is_private, std::string& error) {
  FILE* file = fopen(path.c_str(), "r");
  if (file == nullptr) {
    error = fmt::format("cannot read `{}`", path);
    return {nullptr, EVP_PKEY_free};
  }
  EVP_PKEY* key = is_private ? PEM_read_PrivateKey(file, nullptr, nullptr, nullptr)
                             : PEM_read_PUBKEY(file, nullptr, nullptr, nullptr);
  fclose(file);
  if (key == nullptr) {
    error = fmt::format("`{}` is not a PEM {} key: {}", path, is_private ? "private" : "public", OpenSslError());
  } else if (EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    error = fmt::format("`{}` is not an Ed25519 key", path);
    EVP_PKEY_free(key);
    key = nullptr;
  }
  return {key, EVP_PKEY_free};
}

}  // namespace

std::string SignaturePath(const std::string& plan_path) { return plan_path + ".sig"; }

bool SignDigest(const std::string& digest, const std::string& key_pem, std::string& signature_text,
                std::string& error) {
  Key key = ReadKey(key_pem, true, error);
  if (!key) return false;
  Context ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char signature[64];
  size_t length = sizeof signature;
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &length, reinterpret_cast<const unsigned char*>(digest.data()),
                     digest.size()) != 1) {
    error = "signing failed: " + OpenSslError();
    return false;
  }
  unsigned char encoded[128];
  int n = EVP_EncodeBlock(encoded, signature, static_cast<int>(length));
  signature_text = kPrefix + std::string(reinterpret_cast<char*>(encoded), n) + "\n";
  return true;
}

bool VerifyDigest(const std::string& digest, const std::string& signature_text, const std::string& public_pem,
                  std::string& error) {
  std::string text = signature_text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (!text.starts_with(kPrefix)) {
    error = "the signature file does not start with `ed25519:`";
    return false;
  }
  std::string b64 = text.substr(std::string(kPrefix).size());
  if (b64.size() != 88) {
    error = "the signature is not an Ed25519 signature (64 bytes in base64)";
    return false;
  }
  unsigned char decoded[66];
  if (EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(b64.data()), 88) != 66) {
    error = "the signature is not valid base64";
    return false;
  }
  Key key = ReadKey(public_pem, false, error);
  if (!key) return false;
  Context ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), decoded, 64, reinterpret_cast<const unsigned char*>(digest.data()),
                       digest.size()) != 1) {
    ERR_clear_error();
    error = fmt::format("the signature does not match this plan ({}) and `{}`", digest, public_pem);
    return false;
  }
  return true;
}

std::string KeyFingerprint(const std::string& public_pem, std::string& error) {
  Key key = ReadKey(public_pem, false, error);
  if (!key) return {};
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key.get(), &der);
  if (length <= 0) {
    error = fmt::format("`{}`: {}", public_pem, OpenSslError());
    return {};
  }
  std::string fingerprint = Sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  return fingerprint;
}

}  // namespace sparkc::plan
