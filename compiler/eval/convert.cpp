#include "compiler/eval/convert.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "compiler/ast/ast.h"
#include "compiler/source/source.h"

namespace sparkc::convert {
namespace {

bool Space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string Quoted(std::string_view text) { return QuoteString(HeadUtf8(std::string(text), 60)); }

bool Fail(std::string& error, const char* expected, std::string_view text) {
  error = fmt::format("expected {}, found {}", expected, Quoted(text));
  return false;
}

}  // namespace

std::string Trim(std::string_view text) {
  while (!text.empty() && Space(text.front())) text.remove_prefix(1);
  while (!text.empty() && Space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

bool ToInt(std::string_view text, int64_t& out, std::string& error) {
  std::string t = Trim(text);
  std::string_view digits = t;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  if (digits.empty() || (t[0] == '+' && digits[0] == '-')) return Fail(error, "an integer", text);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec == std::errc::result_out_of_range) {
    error = fmt::format("{} does not fit in a 64-bit integer", Quoted(text));
    return false;
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return Fail(error, "an integer", text);
  return true;
}

bool ToFloat(std::string_view text, double& out, std::string& error) {
  std::string t = Trim(text);
  std::string_view digits = t;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  if (!digits.empty() && t[0] == '+' && digits[0] == '-') return Fail(error, "a finite number", text);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out, std::chars_format::general);
  // from_chars reads "inf" and "nan"; a number here is finite.
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(out))
    return Fail(error, "a finite number", text);
  return true;
}

std::string UnitsOf(Dimension dim) {
  std::string out;
  for (const std::string& unit : UnitNames()) {
    Quantity q;
    if (MakeQuantity("1", unit, q) == QuantityError::None && q.dimension == dim) out += (out.empty() ? "" : ", ") + unit;
  }
  return out;
}

bool ToQuantity(std::string_view text, Dimension dim, int64_t& out, std::string& error) {
  std::string t = Trim(text);
  size_t end = 0;
  while (end < t.size() && (std::isdigit(static_cast<unsigned char>(t[end])) || t[end] == '.')) ++end;
  std::string number = t.substr(0, end);
  std::string unit = Trim(std::string_view(t).substr(end));
  std::string what = fmt::format("a {} with its unit ({})", DimensionName(dim), UnitsOf(dim));
  bool well_formed = !number.empty() && number.front() != '.' && number.back() != '.' &&
                     std::count(number.begin(), number.end(), '.') <= 1;
  if (!well_formed || unit.empty()) return Fail(error, what.c_str(), text);
  Quantity q;
  switch (MakeQuantity(number, unit, q)) {
    case QuantityError::None: break;
    case QuantityError::UnknownUnit:
      error = fmt::format("unknown unit `{}` in {}; the units of a {} are {}", unit, Quoted(text),
                          DimensionName(dim), UnitsOf(dim));
      return false;
    case QuantityError::Overflow:
      error = fmt::format("{} does not fit in a 64-bit count of its base unit", Quoted(text));
      return false;
    case QuantityError::NotWhole:
      error = fmt::format("{} is not a whole number of the base unit", Quoted(text));
      return false;
  }
  if (q.dimension != dim) {
    error = fmt::format("expected a {}, found the {} {}", DimensionName(dim), DimensionName(q.dimension), Quoted(text));
    return false;
  }
  out = q.value;
  return true;
}

bool ToVersion(std::string_view text, std::vector<int64_t>& components, std::string& written, std::string& error) {
  std::string t = Trim(text);
  std::string_view rest = t;
  if (!rest.empty() && rest[0] == 'v') rest.remove_prefix(1);
  written = "v" + std::string(rest);
  components.clear();
  while (true) {
    size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || part[0] == '-' || part[0] == '+')
      return Fail(error, "a version such as v7.0.15 (numbers and dots)", text);
    components.push_back(n);
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  if (components.size() < 2) return Fail(error, "a version such as v7.0.15 (two or more components)", text);
  return true;
}

int CompareVersions(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (size_t k = 0; k < std::max(a.size(), b.size()); ++k) {
    int64_t x = k < a.size() ? a[k] : 0, y = k < b.size() ? b[k] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

bool ToJson(std::string_view text, nlohmann::json& out, std::string& error) {
  out = nlohmann::json::parse(text, nullptr, false);
  if (!out.is_discarded()) return true;
  error = fmt::format("not JSON: {}", Quoted(text));
  return false;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

bool Split(std::string_view text, std::string_view separator, std::vector<std::string>& out, std::string& error) {
  if (separator.empty()) {
    error = "`split` needs a separator that is not empty";
    return false;
  }
  out.clear();
  for (size_t at = 0;;) {
    size_t next = text.find(separator, at);
    out.emplace_back(text.substr(at, next - at));
    if (next == std::string_view::npos) return true;
    at = next + separator.size();
  }
}

std::string CommandOutput(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace sparkc::convert
