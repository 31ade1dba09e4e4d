#include "compiler/plan/template.h"

#include <fmt/format.h>

#include <vector>

#include "compiler/ast/ast.h"

namespace sparkc::plan {
namespace {

constexpr std::string_view kOpen = "${{";
constexpr std::string_view kClose = "}}";

// Where the placeholder that starts at `begin` (just past `${{`) ends: the
// first `}}` outside a string literal. npos when it does not end.
size_t PlaceholderEnd(std::string_view text, size_t begin) {
  bool quoted = false;
  for (size_t i = begin; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (text.substr(i, kClose.size()) == kClose) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string Placeholder(std::string_view expr) { return fmt::format("{}{}{}", kOpen, expr, kClose); }

bool IsEscape(std::string_view expr) {
  static const std::string kEscape = QuoteString(std::string(kOpen));
  return expr == kEscape;
}

std::string EscapeTemplateText(std::string_view text) {
  static const std::string kEscaped = Placeholder(QuoteString(std::string(kOpen)));
  std::string out;
  for (size_t at = 0;;) {
    size_t next = text.find(kOpen, at);
    out += text.substr(at, next - at);
    if (next == std::string_view::npos) return out;
    out += kEscaped;
    at = next + kOpen.size();
  }
}

bool ExpandTemplate(std::string_view text, const PlaceholderValue& value, std::string& out, std::string& error) {
  out.clear();
  for (size_t at = 0;;) {
    size_t open = text.find(kOpen, at);
    out += text.substr(at, open - at);
    if (open == std::string_view::npos) return true;
    size_t begin = open + kOpen.size();
    size_t end = PlaceholderEnd(text, begin);
    if (end == std::string_view::npos) {
      error = fmt::format("a placeholder `{}` does not end", text.substr(open, 40));
      return false;
    }
    std::string part;
    if (!value(text.substr(begin, end - begin), part, error)) return false;
    out += part;
    at = end + kClose.size();
  }
}

bool ExpandAction(Action& action, const PlaceholderValue& value, std::string& error) {
  auto expand = [&](std::string& s) {
    std::string out;
    if (!ExpandTemplate(s, value, out, error)) return false;
    s = std::move(out);
    return true;
  };
  for (std::string& arg : action.argv)
    if (!expand(arg)) return false;
  for (auto& var : action.env)
    if (!expand(var.second)) return false;
  for (std::string* s : {&action.cwd, &action.stdin_text, &action.url, &action.instruction})
    if (!expand(*s)) return false;
  for (Action& item : action.sequence)
    if (!ExpandAction(item, value, error)) return false;
  return true;
}

std::string TemplateExpression(std::string_view text) {
  std::vector<std::string> parts;
  std::string literal;
  for (size_t at = 0;;) {
    size_t open = text.find(kOpen, at);
    size_t end = open == std::string_view::npos ? open : PlaceholderEnd(text, open + kOpen.size());
    if (end == std::string_view::npos) {
      literal += text.substr(at);
      break;
    }
    literal += text.substr(at, open - at);
    std::string_view expr = text.substr(open + kOpen.size(), end - open - kOpen.size());
    if (IsEscape(expr)) {
      literal += kOpen;
    } else {
      if (!literal.empty()) parts.push_back(QuoteString(literal));
      literal.clear();
      parts.push_back(fmt::format("string({})", expr));
    }
    at = end + kClose.size();
  }
  if (!literal.empty() || parts.empty()) parts.push_back(QuoteString(literal));
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : " + ") + part;
  return out;
}

namespace {

bool OnlyEscapes(std::string_view expr, std::string& value, std::string&) {
  value = std::string(kOpen);
  return IsEscape(expr);
}

}  // namespace

bool UnescapeTemplate(std::string& text) {
  std::string out, error;
  if (!ExpandTemplate(text, OnlyEscapes, out, error)) return false;
  text = std::move(out);
  return true;
}

bool UnescapeAction(Action& action) {
  std::string error;
  return ExpandAction(action, OnlyEscapes, error);
}

std::string InputName(std::string_view step, std::string_view output) { return fmt::format("{}.{}", step, output); }

void SplitInputName(std::string_view input, std::string& step, std::string& output) {
  size_t dot = input.rfind('.');
  step = std::string(input.substr(0, dot == std::string_view::npos ? 0 : dot));
  output = std::string(input.substr(dot == std::string_view::npos ? 0 : dot + 1));
}

}  // namespace sparkc::plan
