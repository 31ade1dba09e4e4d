// Reading values from text: what `int()`, `size()`, `version()`, `json()`,
// `trim()`, `lines()` and `split()` do, at compile time on constants and at
// run time on probe results and step outputs. One function per rule, used by
// both evaluators, so that `int("42")` in a spec and `int(stdout)` in a run
// agree on every input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/check/units.h"

namespace sparkc::convert {

// Each returns false with `error` saying what was expected and quoting the
// text (cut to 60 bytes). Surrounding ASCII whitespace is ignored.
// A decimal integer, optionally signed: "42", "-7". Not "4.2", "0x10", "".
bool ToInt(std::string_view text, int64_t& out, std::string& error);
// A finite decimal number: "0.5", "3", "-2e3".
bool ToFloat(std::string_view text, double& out, std::string& error);
// A quantity of `dim`, the unit required: "50GiB", "50 GiB", "1.5 h",
// "30min". Never negative.
bool ToQuantity(std::string_view text, Dimension dim, int64_t& out, std::string& error);
// "v7.0.15" or "7.0.15": two or more dot-separated components.
// `written`: "v" and the components as the text had them (driver versions
// keep their zeros: v535.54.03).
bool ToVersion(std::string_view text, std::vector<int64_t>& components, std::string& written, std::string& error);
bool ToJson(std::string_view text, nlohmann::json& out, std::string& error);
// -1, 0 or 1; a missing component is zero (v12.4 == v12.4.0).
int CompareVersions(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

std::string Trim(std::string_view text);
// Lines without their `\n` (or `\r\n`); a last line without one counts, an
// empty text has none.
std::vector<std::string> Lines(std::string_view text);
bool Split(std::string_view text, std::string_view separator, std::vector<std::string>& out, std::string& error);
// What a process's stdout becomes as a value: trailing newlines removed, as
// shell command substitution does.
std::string CommandOutput(std::string_view text);

// The units of one dimension, for "expected one of ..." messages.
std::string UnitsOf(Dimension dim);

}  // namespace sparkc::convert
