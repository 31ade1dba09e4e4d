// Secrets at run time: a plan holds only references ("env:NAME",
// "file:PATH"); the value is read at the moment of use and remembered only
// so that it can be redacted from everything sparkc writes.
#pragma once

#include <string>

namespace sparkc::runtime {

// Reads the secret a reference names. False with a reason that never
// contains the value.
bool ResolveSecret(const std::string& ref, std::string& value, std::string& error);

// Every value resolved so far replaced by `***` in `text`.
std::string Redact(std::string text);

}  // namespace sparkc::runtime
