// Ed25519 signatures over a plan's digest, so that CI applies exactly the
// plan that was reviewed. The digest covers the plan's canonical content, so
// signing it binds every byte that matters.
#pragma once

#include <string>

namespace sparkc::plan {

// Where `sparkc sign` writes the signature of `plan_path`.
std::string SignaturePath(const std::string& plan_path);

// `key_pem`: an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519).
// The signature file's text is "ed25519:<base64>\n".
bool SignDigest(const std::string& digest, const std::string& key_pem, std::string& signature_text,
                std::string& error);

bool VerifyDigest(const std::string& digest, const std::string& signature_text, const std::string& public_pem,
                  std::string& error);

// "sha256:<hex>" of the public key's DER form: the name the journal records
// for the key that approved a run. "" with `error` when it cannot be read.
std::string KeyFingerprint(const std::string& public_pem, std::string& error);

}  // namespace sparkc::plan
